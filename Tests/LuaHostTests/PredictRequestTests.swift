import LuaModules
import Testing

/// How `descent predict` reads a file, chosen by its name.
@Suite struct PredictRequestTests {
    @Test func fileKindFollowsTheName() {
        let cases: [(String, PredictRequest.FileKind?)] = [
            ("rows.csv", .csv), ("ROWS.CSV.gz", .csv), ("x.npy", .npy), ("dir.csv/x.npy.gz", .npy),
            ("t10k-images-idx3-ubyte", .idx), ("data/mnist5k/mnist5k-test-labels-idx1-ubyte.gz", .idx),
            ("train-images.idx3-ubyte", .idx), ("images.idx", .idx), ("images.idx3", .idx),
            ("rows.txt", nil), ("rows.csv.bak", nil), ("x.npz", nil), ("idx", nil), ("ubyte.csv.zip", nil),
        ]
        for (path, kind) in cases {
            #expect(PredictRequest.FileKind(path: path) == kind, "\(path)")
        }
    }
}
