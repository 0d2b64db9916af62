import Testing
@testable import Data
import Tensors

@Suite struct CSVTests {
    @Test func integerLabelsBecomeOneBased() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.write("a.csv", text: "a, label ,b\n1,0,2\n3, 2,4.5\n")
        let (x, y, classes) = try CSV.load(path)
        #expect(x.shape == [2, 2])
        #expect(x.toArray() == [1, 2, 3, 4.5])
        #expect(y?.toArray() == [1, 3])
        #expect(classes == ["0", "1", "2"])
    }

    @Test func stringLabelsInOrderOfFirstAppearance() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.write("iris.csv", text: "x,species\n1,setosa\n2,virginica\n3,setosa\n4,\"versi, color\"\n")
        let (x, y, classes) = try CSV.load(path, label: "species")
        #expect(x.shape == [4, 1])
        #expect(y?.toArray() == [1, 2, 1, 3])
        #expect(classes == ["setosa", "virginica", "versi, color"])
    }

    @Test func fractionalLabelsStayValues() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.write("r.csv", text: "x,label\n1,0.5\n2,-3\n")
        let (_, y, classes) = try CSV.load(path)
        #expect(y?.toArray() == [0.5, -3])
        #expect(classes == nil)
    }

    @Test func quotesCRLFAndTrailingLines() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let text = "\u{FEFF}\"a\",\"b \"\"q\"\"\",label\r\n\" 1\",2,1\r\n3,\"4\",0\r\n\r\n"
        let path = try files.write("q.csv", text: text)
        let (x, y, classes) = try CSV.load(path)
        #expect(x.shape == [2, 2])
        #expect(x.toArray() == [1, 2, 3, 4])
        #expect(y?.toArray() == [2, 1])
        #expect(classes == ["0", "1"])
    }

    @Test func noLabelAndNoHeader() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let withHeader = try files.write("h.csv", text: "a,b\n1,2\n")
        let (x1, y1, c1) = try CSV.load(withHeader)  // no "label" column
        #expect(x1.shape == [1, 2] && y1 == nil && c1 == nil)
        let (x2, y2, _) = try CSV.load(withHeader, label: nil)
        #expect(x2.shape == [1, 2] && y2 == nil)
        let bare = try files.write("n.csv", text: "1,2,0\n3,4,1")
        let (x3, y3, _) = try CSV.load(bare, header: false, label: nil)
        #expect(x3.shape == [2, 3] && y3 == nil)
        let (x4, y4, c4) = try CSV.load(bare, header: false, label: "-1")
        #expect(x4.toArray() == [1, 2, 3, 4])
        #expect(y4?.toArray() == [1, 2])
        #expect(c4 == ["0", "1"])
        let (x5, _, _) = try CSV.load(bare, header: false, label: "1")
        #expect(x5.toArray() == [2, 0, 4, 1])
        let headerOnly = try files.write("e.csv", text: "a,label\n")
        let (x6, y6, _) = try CSV.load(headerOnly)
        #expect(x6.shape == [0, 1] && y6?.shape == [0])
    }

    @Test func errorsNameRowAndColumn() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let bad = try files.write("bad.csv", text: "a,b,label\n1,2,0\n3,x,1\n")
        let m1 = errorMessage { _ = try CSV.load(bad) }
        #expect(m1?.contains("row 2 (line 3), column 2 \"b\"") == true, "\(m1 ?? "")")
        #expect(m1?.contains("\"x\"") == true)
        let ragged = try files.write("ragged.csv", text: "a,b\n1,2\n3\n")
        #expect(errorMessage { _ = try CSV.load(ragged) }?.contains("line 3: expected 2 fields, got 1") == true)
        let empty = try files.write("empty.csv", text: "")
        #expect(errorMessage { _ = try CSV.load(empty) }?.contains("empty") == true)
        let missing = try files.write("missing.csv", text: "a,label\n,1\n")
        #expect(errorMessage { _ = try CSV.load(missing) }?.contains("column 1 \"a\"") == true)
        let unterminated = try files.write("u.csv", text: "a,b\n\"1,2\n")
        #expect(errorMessage { _ = try CSV.load(unterminated) }?.contains("unterminated") == true)
        let afterQuote = try files.write("aq.csv", text: "a,b\n\"1\"x,2\n")
        #expect(errorMessage { _ = try CSV.load(afterQuote) }?.contains("closing quote") == true)
        let column = try files.write("c.csv", text: "1,2\n")
        #expect(errorMessage { _ = try CSV.load(column, header: false, label: "3") }?.contains("1...2") == true)
    }

    @Test func gzipCSV() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.writeGzip("a.csv.gz", Array("a,label\n1.5,0\n".utf8))
        let (x, y, _) = try CSV.load(path)
        #expect(x.toArray() == [1.5] && y?.toArray() == [1])
    }
}
