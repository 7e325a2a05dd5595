import Foundation
import MQCore
@testable import MQFiles
import Testing

/// A CSV decoded on a worker thread ahead of the reader (`CSVChunks`) gives the rows, the
/// column kinds and the error, at its line, that the reader's own thread gives: over more
/// rows than one chunk holds, with quoted fields holding commas, doubled quotes and line
/// breaks, CRLF endings, and each kind of error after the rows that come first.
@Suite struct ParallelCSVTests {
    static func body(_ rows: Int, every: Int = 1) -> String {
        (0..<rows).map { i in
            i % 7 == 0 ? "\(i),\"a, \"\"quoted\"\"\nline\",\(Double(i) / 4),true" : "\(i),plain \(i),\(i * 3),false"
        }.joined(separator: "\n")
    }
    static let many = CSVChunks.rowsPerChunk * 2 + 100
    static let texts: [String] = [
        "id,name,score,ok\n" + body(many) + "\n",
        "\u{FEFF}id,name,score,ok\r\n" + body(many).replacingOccurrences(of: "\n", with: "\r\n"),
        "id,name,score,ok\n" + body(many) + "\n1,2,3\n" + body(10),
        "id,name,score,ok\n" + body(many) + "\n1,\"open,3,true\n",
        "id,name,score,ok\n" + body(many) + "\n1,\"x\"y,3,true\n" + body(10),
        "id,name,score,ok\n" + body(many) + "\n1,\u{FFFD}é,3,true\n" + body(10) + "\n9,x,y,z\n",
    ]

    static func read(_ path: String, chunk: Int, workers: Int) -> ([JSONObject], FileError?, [String]) {
        var rows: [JSONObject] = []
        var reader: RowReader?
        var failure: FileError?
        do {
            reader = try RowReader(path: path, format: .csv, chunkSize: chunk, workers: workers)
            while let b = try reader!.next(max: 500) { rows += b }
        } catch {
            failure = error
        }
        return (rows, failure, (reader?.columnKinds ?? []).map { "\($0.name):\($0.kind.rawValue)" })
    }

    @Test(arguments: 0..<texts.count)
    func rowsDecodedOnAWorkerReadAsOnOneThread(_ which: Int) throws {
        let dir = try TempDirectory()
        let path = try dir.write("t.csv", Self.texts[which])
        let (alone, aloneError, aloneKinds) = Self.read(path, chunk: 1 << 20, workers: 1)
        #expect(alone.count >= Self.many)
        #expect(aloneKinds.count == 4)
        for chunk in [1, 64, 4096] {
            let (rows, error, kinds) = Self.read(path, chunk: chunk, workers: 2)
            #expect(rows == alone, "chunk \(chunk): \(rows.count) rows vs \(alone.count)")
            #expect(error == aloneError, "chunk \(chunk): \(String(describing: error)) vs \(String(describing: aloneError))")
            #expect(kinds == aloneKinds, "chunk \(chunk)")
        }
    }
}
