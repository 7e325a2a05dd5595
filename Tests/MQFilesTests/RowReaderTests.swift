import Foundation
import MQCore
import MQFiles
import Testing

@Suite struct FileFormatTests {
    @Test(arguments: [
        ("rows.json", FileFormat.json),
        ("ROWS.JSON", .json),
        ("events.ndjson", .ndjson),
        ("events.JsonL", .ndjson),
        ("crm.csv", .csv),
        ("exports.v2/crm.Csv", .csv),
        ("/tmp/a.b.c.jsonl", .ndjson),
    ])
    func extensionNamesTheFormat(_ path: String, _ format: FileFormat) {
        #expect(FileFormat(path: path) == format)
    }

    @Test(arguments: ["notes.txt", "data", "data.", "crm.csv.gz", "dir.json/data", "rows.xlsx"])
    func otherExtensionsNameNone(_ path: String) {
        #expect(FileFormat(path: path) == nil)
    }
}

@Suite struct RowReaderTests {
    @Test func unknownExtensionSaysWhichWork() throws {
        let dir = try TempDirectory()
        let path = try dir.write("rows.txt", "{\"a\":1}\n")
        let error = try #require(fileError { try RowReader(path: path) })
        #expect(error.path == path)
        #expect(error.line == nil)
        #expect(error.message == "unknown file type '.txt'; the formats read are .json, .ndjson, .jsonl or .csv")
        // Naming the format explicitly reads it anyway.
        #expect(try readRows(path: path, format: .ndjson) == [JSONObject(["a": 1])])
    }

    @Test func noExtensionSaysSo() {
        let error = fileError { try RowReader(path: "/tmp/Makefile") }
        #expect(error?.message == "no file extension; the formats read are .json, .ndjson, .jsonl or .csv")
    }

    @Test(arguments: [FileFormat.json, .ndjson, .csv])
    func missingFileGivesTheSystemReason(_ format: FileFormat) throws {
        let dir = try TempDirectory()
        let path = dir.url.appendingPathComponent("absent.\(format.rawValue)").path
        let error = try #require(fileError { try RowReader(path: path) })
        #expect(error.message == "No such file or directory")
        #expect(error.line == nil && error.column == nil)
        #expect(error.description == "\(path): No such file or directory")
    }

    @Test func directoryGivesTheSystemReason() throws {
        let dir = try TempDirectory()
        let path = dir.url.appendingPathComponent("sub.csv").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = try #require(fileError { try readRows(path: path) })
        #expect(error.message == "Is a directory")
    }

    @Test func descriptionLeavesOutWhatIsUnknown() {
        #expect(FileError(path: "crm.csv", line: 17, message: "5 fields, but the header has 4").description
            == "crm.csv:17: 5 fields, but the header has 4")
        #expect(FileError(path: "a.json", line: 2, column: 7, message: "m").description == "a.json:2:7: m")
        #expect(FileError(path: "a.json", message: "m").description == "a.json: m")
    }

    @Test func rowsBeforeAnErrorAreDeliveredThenTheErrorSticks() throws {
        let dir = try TempDirectory()
        let path = try dir.write("e.ndjson", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":\n{\"n\":5}\n")
        let reader = try RowReader(path: path)
        let first = try reader.next(max: 10)
        #expect(first?.map { $0["n"] } == [1, 2, 3])
        let error = fileError { try reader.next(max: 10) }
        #expect(error?.line == 4)
        #expect(fileError { try reader.next(max: 10) } == error)
        #expect(fileError { try readRows(path: path) } == error)
    }

    @Test func batchesHoldAtMostMax() throws {
        let dir = try TempDirectory()
        let text = (0..<10).map { "{\"n\":\($0)}" }.joined(separator: "\n")
        for (name, body) in [("b.ndjson", text), ("b.json", "[" + text.replacingOccurrences(of: "\n", with: ",") + "]"),
                             ("b.csv", "n\n" + (0..<10).map(String.init).joined(separator: "\n"))] {
            let reader = try RowReader(path: try dir.write(name, body))
            var sizes: [Int] = []
            var values: [JSON?] = []
            while let batch = try reader.next(max: 4) {
                sizes.append(batch.count)
                values += batch.map { $0["n"] }
            }
            #expect(sizes == [4, 4, 2], "\(name)")
            #expect(values == (0..<10).map { .int($0) }, "\(name)")
            #expect(try reader.next() == nil)
        }
    }
}
