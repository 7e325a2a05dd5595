import Foundation
import MQCore
@testable import MQFiles
import Testing

@Suite struct NDJSONFileTests {
    @Test func blankLinesCRLFAndNoFinalNewline() throws {
        let dir = try TempDirectory()
        let text = "\n{\"n\":1}\r\n\r\n  \t\n{\"n\":2, \"s\":\"a\\r\\nb\"}\n\n{\"n\":3}"
        let rows = try readRows(path: try dir.write("e.ndjson", text))
        #expect(rows.map { $0["n"] } == [1, 2, 3])
        #expect(rows[1]["s"] == "a\r\nb")
    }

    @Test func jsonlExtensionAndByteOrderMark() throws {
        let dir = try TempDirectory()
        let path = try dir.write("e.jsonl", [0xEF, 0xBB, 0xBF] + Array("{\"n\":1}\n{\"n\":2}\n".utf8))
        #expect(try readRows(path: path).map { $0["n"] } == [1, 2])
    }

    @Test func emptyFileIsNoRows() throws {
        let dir = try TempDirectory()
        #expect(try readRows(path: try dir.write("e.ndjson", "")).isEmpty)
        #expect(try readRows(path: try dir.write("f.ndjson", "\n\r\n\n")).isEmpty)
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let column: Int?
        let message: String
        var testDescription: String { message }
    }

    static let bad: [Bad] = [
        Bad(text: "{\"n\":1}\n{\"n\":2}\n{\"n\":}\n", line: 3, column: 6, message: "unexpected '}', expected a value"),
        Bad(text: "{\"n\":1}\r\n\r\n{\"n\":1,}\r\n", line: 3, column: 8, message: "unexpected '}', expected a string key"),
        Bad(text: "{\"n\":1}\n{\"n\":1} {\"n\":2}\n", line: 2, column: 9, message: "unexpected data after the JSON value"),
        Bad(text: "{\"名前\":\"x\", oops}", line: 1, column: 12, message: "unexpected 'o', expected a string key"),
        Bad(text: "{\"n\":1}\n[1, 2]\n", line: 2, column: nil,
            message: "this line is an array, not an object; NDJSON holds one object per line"),
        Bad(text: "{\"n\":1}\n\n42", line: 3, column: nil,
            message: "this line is a number, not an object; NDJSON holds one object per line"),
    ]

    @Test(arguments: bad)
    func badLineIsNamed(_ c: Bad) throws {
        let dir = try TempDirectory()
        let path = try dir.write("bad.ndjson", c.text)
        let error = try #require(fileError { try readRows(path: path) })
        #expect(error.message == c.message)
        #expect(error.line == c.line)
        #expect(error.column == c.column)
    }

    @Test func invalidUTF8IsABadLine() throws {
        let dir = try TempDirectory()
        let path = try dir.write("bad.ndjson", Array("{\"n\":1}\n{\"s\":\"".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8))
        let error = try #require(fileError { try readRows(path: path) })
        #expect(error.line == 2)
        #expect(error.message == "invalid UTF-8 in a string")
    }

    /// 50,000 rows is several of the reader's 1 MiB chunks, so lines straddle chunk edges.
    @Test func largeFileStreamsAcrossChunks() throws {
        let dir = try TempDirectory()
        var text: [UInt8] = []
        for i in 0..<50_000 {
            let line = "{\"id\":\"c\(i)\",\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: i % 97))\",\"csat\":\(Double(i) / 4)}"
            text += Array(line.utf8)
            text += i % 2 == 0 ? [0x0A] : [0x0D, 0x0A]
        }
        #expect(text.count > 3 << 20)
        let path = try dir.write("big.ndjson", text)
        let reader = try RowReader(path: path)
        var count = 0
        var sum = 0
        var samples: [Int: JSONObject] = [:]
        while let batch = try reader.next(max: 1000) {
            for row in batch {
                if [0, 12_345, 49_999].contains(count) { samples[count] = row }
                sum += row["n"]?.intValue ?? 0
                count += 1
            }
        }
        #expect(count == 50_000)
        #expect(sum == 49_999 * 50_000 / 2)
        #expect(samples[0] == JSONObject(["id": "c0", "n": 0, "pad": "", "csat": 0.0]))
        #expect(samples[12_345]?["id"] == "c12345")
        #expect(samples[12_345]?["pad"]?.stringValue?.count == 12_345 % 97)
        #expect(samples[49_999]?["csat"] == .double(49_999.0 / 4))
    }

    @Test func everyChunkEdgeGivesTheSameRows() throws {
        let dir = try TempDirectory()
        let text = "{\"a\":\"x\\ny\"}\r\n\r\n{\"a\":2,\"b\":[1,{\"c\":null}]}\n   \n{\"a\":\"é€😀\"}\r\n{\"a\":4}"
        let path = try dir.write("edges.ndjson", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let expected = try readRows(path: path)
        #expect(expected.count == 4)
        for chunk in 1...40 {
            #expect(try decodeAll(path, .ndjson, chunkSize: chunk) == expected, "chunk size \(chunk)")
        }
    }
}

/// The parallel reader (ParallelDecoder over NDJSONChunks) against the one-thread reader: the same
/// rows in the same order and the same error at the same line, wherever chunks end and
/// however many workers parse them.
@Suite struct ParallelNDJSONTests {
    func decodeParallel(_ path: String, chunkSize: Int, workers: Int) throws(FileError) -> [JSONObject] {
        let decoder = ParallelDecoder(input: try FileInput(path: path, chunkSize: chunkSize), format: NDJSONChunks(fields: nil, path: path),
                                      workers: workers, chunkBytes: chunkSize)
        var rows: [JSONObject] = []
        while try decoder.read(max: rows.count + 3, into: &rows) {}
        return rows
    }

    @Test func everyChunkEdgeGivesTheSameRows() throws {
        let dir = try TempDirectory()
        let text = "{\"a\":\"x\\ny\"}\r\n\r\n{\"a\":2,\"b\":[1,{\"c\":null}]}\n   \n{\"a\":\"é€😀\"}\r\n{\"a\":4}"
        let path = try dir.write("edges.ndjson", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let expected = try decodeAll(path, .ndjson, chunkSize: 1 << 20)
        #expect(expected.count == 4)
        for workers in [1, 2, 3] {
            for chunk in 1...40 {
                #expect(try decodeParallel(path, chunkSize: chunk, workers: workers) == expected, "chunk \(chunk), \(workers) workers")
            }
        }
    }

    @Test func manyChunksKeepTheirOrder() throws {
        let dir = try TempDirectory()
        let text = (0..<5_000).map { "{\"n\":\($0),\"s\":\"\(String(repeating: "y", count: $0 % 13))\"}" }.joined(separator: "\n")
        let path = try dir.write("order.ndjson", text)
        for workers in [2, 4] {
            let rows = try decodeParallel(path, chunkSize: 700, workers: workers)
            #expect(rows.map { $0["n"]?.intValue ?? -1 } == Array(0..<5_000), "\(workers) workers")
        }
    }

    @Test(arguments: NDJSONFileTests.bad)
    func aBadLineIsNamedAsTheOneThreadReaderNamesIt(_ c: NDJSONFileTests.Bad) throws {
        let dir = try TempDirectory()
        // The bad text after 300 good lines, so that the error is many chunks in.
        let good = String(repeating: "{\"n\":0}\n", count: 300)
        let path = try dir.write("bad.ndjson", good + c.text)
        let serial = try #require(fileError { try decodeAll(path, .ndjson, chunkSize: 1 << 20) })
        #expect(serial.line == c.line + 300)
        for chunk in [5, 16, 64, 1000] {
            let decoder = ParallelDecoder(input: try FileInput(path: path, chunkSize: chunk), format: NDJSONChunks(fields: nil, path: path),
                                          workers: 2, chunkBytes: chunk)
            var rows: [JSONObject] = []
            let error = fileError { while try decoder.read(max: rows.count + 7, into: &rows) {} }
            #expect(error == serial, "chunk \(chunk)")
            // Every row before the bad line came first.
            #expect(rows.count >= 300, "chunk \(chunk)")
        }
    }

    /// A reader dropped after one batch (a `limit`, Ctrl-C) stops its workers and waits for
    /// them, so they let go of the file before it is gone.
    @Test func droppingTheReaderStopsItsWorkers() throws {
        let dir = try TempDirectory()
        let path = try dir.write("big.ndjson", String(repeating: "{\"n\":1,\"pad\":\"abcdefghij\"}\n", count: 200_000))
        // Descriptors open on this file (other tests run beside this one in the process).
        func openFiles() -> Int {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == path }.count
        }
        #expect(openFiles() == 0)
        do {
            let reader = try RowReader(path: path, format: .ndjson, chunkSize: 4096, workers: 2)
            #expect(try reader.next(max: 10)?.count == 10)
            #expect(openFiles() == 1)
        }
        // The reader waits for its workers as it goes, so the file is closed by then.
        #expect(openFiles() == 0, "the file is still open after its reader was dropped")
    }
}
