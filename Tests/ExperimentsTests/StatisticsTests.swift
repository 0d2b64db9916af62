import Foundation
import Testing
@testable import Experiments

@Test func statisticsMatchNumPy() {
    // numpy: mean 2.5, std(ddof=1) 1.2909944487358056, median 2.5, percentile 25/75 = 1.75/3.25
    let s = DescriptiveStats([4, 1, 3, 2])
    #expect(s.n == 4 && s.mean == 2.5 && s.median == 2.5 && s.q1 == 1.75 && s.q3 == 3.25)
    #expect(abs(s.std - 1.2909944487358056) < 1e-15)
    #expect(abs(s.sem - 1.2909944487358056 / 2) < 1e-15)
    #expect(s.min == 1 && s.max == 4)
    // numpy.percentile([1, 2, 10], [25, 50, 75]) = [1.5, 2, 6]
    let t = DescriptiveStats([10, 1, 2])
    #expect(t.q1 == 1.5 && t.median == 2 && t.q3 == 6)
    // np.percentile([3, 1, 4, 1, 5], 25) = 1.0, 75 -> 4.0
    let u = DescriptiveStats([3, 1, 4, 1, 5])
    #expect(u.q1 == 1 && u.median == 3 && u.q3 == 4)
}

@Test func statisticsOfTinySamples() {
    let one = DescriptiveStats([7])
    #expect(one.n == 1 && one.mean == 7 && one.median == 7 && one.q1 == 7 && one.std.isNaN && one.sem.isNaN)
    let none = DescriptiveStats([])
    #expect(none.n == 0 && none.mean.isNaN && none.max.isNaN)
}
