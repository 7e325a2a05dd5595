import Foundation
import MQCore
@testable import MQFiles
import Testing

/// A CSV read through a small window gives the rows, and the error at the line, that a
/// read of the whole file at once gives: records with quoted line breaks, doubled quotes
/// at a window's edge, "\r\n", empty lines before the header, a byte-order mark, errors
/// further on, and records ended by a lone "\r" whose last end is the file's last byte
/// (a regular file took that for one record and a pipe for three: the test that looked
/// for "\r\n" gave up at the window's end without looking at the end of the file).
@Suite struct CSVWindowTests {
    static let texts: [String] = [
        "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n",
        "\n\n\u{FEFF}id,\"na\nme\"\n1,\"x\ny\"\n2,\"a\"\"b\"\n\n3,\"\"\"\"\n4,z",
        "\u{FEFF}id,v\r\n1,\"a\r\nb\"\r\n2,c\r\n\r\n3,d\r\n",
        "id,v\n1,a\n2,b\n3,c,extra\n4,d\n",
        "id,v\n1,a\n2,\"b\"x\n3,c\n",
        "id,v\n1,a\n2,\"never closed\n3,c\n4,d\n",
        "id,v\n1,a\"b\n2,\"c\"\n3,d\"\n",
        "\0#\"\r2'\ravgFi\r\"\r",
        "a\rb\r1\r2\r",
        "id\n" + (0..<300).map { "\($0),\"q\($0)\n\"\"\"" }.joined(separator: "\n") + "\n",
    ]

    static func read(_ path: String, chunk: Int, workers: Int) -> ([JSONObject], FileError?) {
        readRows(path, .csv, chunk: chunk, workers: workers, batch: 3)
    }

    @Test(arguments: 0..<texts.count)
    func chunksReadAsTheWholeFile(_ which: Int) throws {
        let dir = try TempDirectory()
        let path = try dir.write("t.csv", Self.texts[which])
        let (whole, wholeError) = expectReadsAlike(path, .csv, baseline: (1 << 16, 1), chunks: [1, 2, 3, 5, 7, 16, 64], workers: 1, batch: 3)
        #expect(!whole.isEmpty || wholeError != nil)
    }
}

extension CSVWindowTests {
    @Test func recordsEndedByALoneCarriageReturnAtTheEndOfTheFile() throws {
        let dir = try TempDirectory()
        let path = try dir.write("cr.csv", "\0#\"\r2'\ravgFi\r\"\r")
        let (rows, error) = Self.read(path, chunk: 1 << 16, workers: 1)
        #expect(rows == [JSONObject(pairs: [("\0#\"", "2'")]), JSONObject(pairs: [("\0#\"", "avgFi")])])
        #expect(error?.line == 4)
    }
}
