import Foundation
import MQCore
@testable import MQFiles
import Testing

@Suite struct CSVFileTests {
    @Test func headerGivesKeysInOrder() throws {
        let dir = try TempDirectory()
        let rows = try readRows(path: try dir.write("crm.csv", "id,name,conversations\nc1,Ana,3\nc2,Bo,0\n"))
        #expect(rows.count == 2)
        #expect(rows[0].keys == ["id", "name", "conversations"])
        #expect(rows[0] == JSONObject(["id": "c1", "name": "Ana", "conversations": 3]))
        #expect(rows[1]["conversations"] == 0)
    }

    /// Rows are their values beside the header's names, however many columns, and a
    /// kept subset keeps the header's order.
    @Test func wideRowsPairEachValueWithItsColumn() throws {
        let dir = try TempDirectory()
        let names = (0..<40).map { "c\($0)" }
        let lines = (0..<3).map { r in names.indices.map { c in c % 3 == 0 ? "" : "\(r * 100 + c)" }.joined(separator: ",") }
        let path = try dir.write("wide.csv", ([names.joined(separator: ",")] + lines).joined(separator: "\n") + "\n")
        let rows = try readRows(path: path)
        #expect(rows.count == 3)
        for (r, row) in rows.enumerated() {
            #expect(row.keys == names)
            #expect(row.values == names.indices.map { c in c % 3 == 0 ? .null : .int(r * 100 + c) })
        }
        let reader = try RowReader(path: path, format: .csv, chunkSize: FileInput.chunkSize, fields: FieldSet(["c39", "c1", "c20"]))
        var some: [JSONObject] = []
        while let b = try reader.next(max: 10) { some += b }
        #expect(some.map(\.keys) == Array(repeating: ["c1", "c20", "c39"], count: 3))
        #expect(some[2] == JSONObject(["c1": 201, "c20": 220, "c39": .null]))
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let dir = try TempDirectory()
        let text = #"""
            id,name,note,"with ""quotes"""
            1,"Smith, Ana","she said ""hi""",""
            2,"two
            lines",plain,"a,""b"",
            c"
            3,x,"",""""

            """#
        let rows = try readRows(path: try dir.write("q.csv", text))
        #expect(rows.count == 3)
        #expect(rows[0].keys == ["id", "name", "note", "with \"quotes\""])
        #expect(rows[0]["name"] == "Smith, Ana")
        #expect(rows[0]["note"] == "she said \"hi\"")
        #expect(rows[0]["with \"quotes\""] == .null)
        #expect(rows[1]["name"] == "two\nlines")
        #expect(rows[1]["with \"quotes\""] == "a,\"b\",\nc")
        #expect(rows[2]["note"] == .null)
        #expect(rows[2]["with \"quotes\""] == "\"")
    }

    @Test func crlfEndingsAndNoFinalNewline() throws {
        let dir = try TempDirectory()
        let path = try dir.write("w.csv", "a,b\r\n1,\"x\r\ny\"\r\n\r\n2,z")
        let rows = try readRows(path: path)
        #expect(rows == [JSONObject(["a": 1, "b": "x\r\ny"]), JSONObject(["a": 2, "b": "z"])])
    }

    @Test func byteOrderMarkIsNotPartOfTheFirstName() throws {
        let dir = try TempDirectory()
        let path = try dir.write("excel.csv", [0xEF, 0xBB, 0xBF] + Array("id,n\r\nc1,5\r\n".utf8))
        let rows = try readRows(path: path)
        #expect(rows == [JSONObject(["id": "c1", "n": 5])])
        #expect(rows[0].keys.first == "id")
    }

    @Test func trailingEmptyFieldsAndEmptyLines() throws {
        let dir = try TempDirectory()
        let rows = try readRows(path: try dir.write("t.csv", "a,b,c\n1,,\n\n,,3\n\n\n"))
        #expect(rows == [JSONObject(["a": 1, "b": nil, "c": nil]), JSONObject(["a": nil, "b": nil, "c": 3])])
    }

    @Test func headerOnlyOrEmptyFileIsNoRows() throws {
        let dir = try TempDirectory()
        #expect(try readRows(path: try dir.write("h.csv", "a,b\n")).isEmpty)
        #expect(try readRows(path: try dir.write("e.csv", "")).isEmpty)
    }

    struct Cell: CustomTestStringConvertible, Sendable {
        let text: String
        let value: JSON
        var testDescription: String { text.isEmpty ? "(empty)" : text }
        init(_ text: String, _ value: JSON) {
            self.text = text
            self.value = value
        }
    }

    static let cells: [Cell] = [
        Cell("", .null),
        Cell("\"\"", .null),
        Cell("true", true),
        Cell("FALSE", false),
        Cell("True", true),
        Cell("\"false\"", false),
        Cell("truex", "truex"),
        Cell("yes", "yes"),
        Cell("42", 42),
        Cell("\"42\"", 42),
        Cell("-7", -7),
        Cell("0", 0),
        Cell("-0", 0),
        Cell("9223372036854775807", .int(Int.max)),
        Cell("-9223372036854775808", .int(Int.min)),
        Cell("9223372036854775808", "9223372036854775808"),
        Cell("3.5", 3.5),
        Cell("0.50", 0.5),
        Cell("-2.5E-2", -0.025),
        Cell("1e3", 1000.0),
        Cell("1e999", "1e999"),
        Cell("+14155550100", "+14155550100"),
        Cell("\"+14155550100\"", "+14155550100"),
        Cell("+5", "+5"),
        Cell("007", "007"),
        Cell("-007", "-007"),
        Cell("00.5", "00.5"),
        Cell(".5", ".5"),
        Cell("5.", "5."),
        Cell("\"1,000\"", "1,000"),
        Cell(" 42", " 42"),
        Cell("NaN", "NaN"),
        Cell("inf", "inf"),
        Cell("0x1F", "0x1F"),
        Cell("-", "-"),
        Cell("2026-04-01", "2026-04-01"),
        Cell("2026-04-01T10:00:00Z", "2026-04-01T10:00:00Z"),
        Cell("2026", 2026),
        Cell("Zoë", "Zoë"),
    ]

    @Test(arguments: cells)
    func cellsAreTypedAsASpreadsheetMeansThem(_ c: Cell) throws {
        let dir = try TempDirectory()
        let rows = try readRows(path: try dir.write("cells.csv", "k,v\nx,\(c.text)\n"))
        #expect(rows.first?["v"] == c.value)
    }

    /// language.md v2: a column has one kind, chosen over all its cells. Typed per cell,
    /// `08123` was text and `90210` a number in one zip column, so `zip = "90210"` found
    /// nothing; `10` and `10.0` stay numbers, equal under `=`.
    @Test func aColumnHasOneKindChosenOverAllItsCells() throws {
        let dir = try TempDirectory()
        let text = "zip,phone,price,flag,mixed,when,blank\n08123,+447700900123,10,true,true,2026-04-01,\n"
            + "90210,447700900123,10.0,,1,2026-04-02T10:00:00Z,\n"
        let rows = try readRows(path: try dir.write("kinds.csv", text))
        #expect(rows.map { $0["zip"] } == ["08123", "90210"])
        #expect(rows.map { $0["phone"] } == ["+447700900123", "447700900123"])
        #expect(rows.map { $0["price"] } == [10, 10.0])
        #expect(rows.map { $0["flag"] } == [true, .null])
        #expect(rows.map { $0["mixed"] } == ["true", "1"])
        #expect(rows.map { $0["when"] } == ["2026-04-01", "2026-04-02T10:00:00Z"])
        #expect(rows.map { $0["blank"] } == [.null, .null])
        let reader = try RowReader(path: dir.url.path + "/kinds.csv")
        _ = try reader.next()
        #expect(reader.columnKinds.map { "\($0.name):\($0.kind.rawValue)" }
            == ["zip:text", "phone:text", "price:number", "flag:boolean", "mixed:text", "when:date", "blank:empty"])
    }

    /// The kind comes from the whole file, not the first batch: a text cell in the last
    /// row makes every earlier cell of the column text.
    @Test func aLateCellDecidesTheKindOfTheWholeColumn() throws {
        let dir = try TempDirectory()
        let text = "id\n" + (1...5000).map(String.init).joined(separator: "\n") + "\nA-1\n"
        let path = try dir.write("late.csv", text)
        let reader = try RowReader(path: path, format: .csv, chunkSize: 64)
        let first = try #require(try reader.next(max: 10))
        #expect(first[0]["id"] == "1")
    }

    /// Old Excel for Mac ends lines with a lone CR: such a file read as one long header
    /// and no rows, silently.
    @Test func crOnlyLineEndsAreRecords() throws {
        let dir = try TempDirectory()
        let path = try dir.write("mac.csv", "a,b\r1,x\r\r2,\"y\rz\"\r")
        let rows = try readRows(path: path)
        #expect(rows == [JSONObject(["a": 1, "b": "x"]), JSONObject(["a": 2, "b": "y\rz"])])
        for chunk in 1...12 {
            #expect(try decodeAll(path, .csv, chunkSize: chunk) == rows, "chunk size \(chunk)")
        }
    }

    /// A named pipe cannot be read twice: it is read whole once, and both passes go over it.
    @Test func aPipeIsReadOnceForBothPasses() throws {
        let dir = try TempDirectory()
        let path = dir.url.path + "/pipe.csv"
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            let text = Array("zip\n08123\n90210\n".utf8)
            _ = text.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        let rows = try readRows(path: path)
        #expect(rows.map { $0["zip"] } == ["08123", "90210"])
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let name: String
        let text: [UInt8]
        let line: Int
        let message: String
        var testDescription: String { name }
        init(_ name: String, _ text: String, line: Int, _ message: String) {
            self.init(name, Array(text.utf8), line: line, message)
        }
        init(_ name: String, _ text: [UInt8], line: Int, _ message: String) {
            self.name = name
            self.text = text
            self.line = line
            self.message = message
        }
    }

    static let bad: [Bad] = [
        Bad("too many fields", "a,b,c\n1,2,3\n4,5,6,7\n", line: 3, "4 fields, but the header has 3"),
        Bad("too few fields", "a,b,c\n1,2,3\n4\n", line: 3, "1 field, but the header has 3"),
        Bad("after a multi-line record", "a,b\n1,\"x\ny\nz\"\n\n2,3,4\n", line: 6, "3 fields, but the header has 2"),
        Bad("a multi-line record is counted from its start", "a,b\n1,2\n\"x\ny\",2,3\n", line: 3,
            "3 fields, but the header has 2"),
        Bad("unterminated quote", "a,b\n1,2\n3,\"open\n4,5\n6,7\n", line: 3,
            "a quoted field opens on this line and is never closed"),
        Bad("unterminated quote on a later line of the record", "a,b\n1,\"x\ny\",\"never\nclosed", line: 3,
            "a quoted field opens on this line and is never closed"),
        Bad("duplicate header", "id,name,id\n1,2,3\n", line: 1, "columns 1 and 3 of the header are both named \"id\""),
        Bad("empty header name", "id,,name\n1,2,3\n", line: 1, "column 2 of the header has no name"),
        Bad("text after a closing quote", "a,b\n1,\"x\"y\n", line: 2,
            "text after the closing quote of field 2; inside a quoted field a quote is written twice (\"\")"),
        Bad("invalid UTF-8", Array("a,name\n1,ok\n2,".utf8) + [0xE9, 0x74, 0xE9] + [0x0A], line: 3,
            "field 2 (name) is not valid UTF-8; save the file as UTF-8"),
        Bad("invalid UTF-8 in the header", [0x61, 0x2C, 0xFF, 0x0A], line: 1,
            "column 2 of the header is not valid UTF-8; save the file as UTF-8"),
    ]

    @Test(arguments: bad)
    func problemsNameTheLine(_ c: Bad) throws {
        let dir = try TempDirectory()
        let path = try dir.write("crm.csv", c.text)
        let error = try #require(fileError { try readRows(path: path) })
        #expect(error.message == c.message)
        #expect(error.line == c.line)
        #expect(error.description == "\(path):\(c.line): \(c.message)")
    }

    @Test func everyChunkEdgeGivesTheSameRows() throws {
        let dir = try TempDirectory()
        let text = "id,\"na\"\"me\",n\r\n1,\"a,b\",2.5\r\n\r\n2,\"x\r\ny\"\"\",-3\n3,,\"\"\"\"\r\n4,é€😀,true\r\n5,\"\",007"
        let path = try dir.write("edges.csv", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let expected = try readRows(path: path)
        #expect(expected.count == 5)
        // `n` holds 2.5, -3, a quote, true and 007: a text column, so -3 is text too.
        #expect(expected[1] == JSONObject(["id": 2, "na\"me": "x\r\ny\"", "n": "-3"]))
        #expect(expected[4] == JSONObject(["id": 5, "na\"me": nil, "n": "007"]))
        for chunk in 1...60 {
            #expect(try decodeAll(path, .csv, chunkSize: chunk) == expected, "chunk size \(chunk)")
        }
    }

    @Test func errorLinesDoNotDependOnChunkEdges() throws {
        let dir = try TempDirectory()
        let path = try dir.write("e.csv", "a,b\r\n1,\"x\r\ny\"\r\n\r\n2,\"open\r\n3,4\r\n")
        for chunk in 1...40 {
            let error = fileError { try decodeAll(path, .csv, chunkSize: chunk) }
            #expect(error?.line == 5, "chunk size \(chunk)")
        }
    }

    /// A missing closing quote is reported once the open field passes a size limit, rather
    /// than after buffering the rest of a large file.
    @Test func unterminatedQuoteIsCaughtWithoutReadingTheWholeFile() throws {
        let dir = try TempDirectory()
        let record = "1,plain\n"
        let path = try dir.write("open.csv", "a,b\n1,x\n2,\"open\n" + String(repeating: record, count: 10_000))
        let decoder = CSVDecoder(input: try FileInput(path: path, chunkSize: 256), maxRecordBytes: 4096, kinds: [:])
        var rows: [JSONObject] = []
        let error = fileError { try decoder.read(max: 100, into: &rows) }
        #expect(rows.count == 1)
        #expect(error?.line == 3)
        #expect(error?.message == "a quoted field opens on this line and is never closed (still open 4096 bytes later)")
    }

    @Test func wideHeadersAreRead() throws {
        let dir = try TempDirectory()
        let names = (0..<100).map { "c\($0)" }
        let text = names.joined(separator: ",") + "\n" + (0..<100).map(String.init).joined(separator: ",") + "\n"
        let rows = try readRows(path: try dir.write("wide.csv", text))
        #expect(rows.count == 1)
        #expect(rows[0].keys == names)
        #expect(rows[0]["c99"] == 99)
    }
}

/// `RowReader.sampling`: a file's first rows for planning. A CSV's are read from its
/// first megabyte, so a big file is not read whole (twice) before a query runs.
@Suite struct SamplingTests {
    @Test func aCSVSampleIsItsFirstRowsWithTheHeadersKeys() throws {
        let dir = try TempDirectory()
        var text = "id,zip,note\n"
        for i in 0..<60_000 { text += "\(i),\(i % 7 == 0 ? "08123" : "90210"),\"a, \"\"quoted\"\"\nnote \(i)\"\n" }
        let path = try dir.write("big.csv", text)
        #expect(text.utf8.count > 2 << 20)
        let sample = try RowReader.sampling(path: path)
        let first = try #require(try sample.next(max: 2048))
        #expect(first.count == 2048)
        #expect(first.allSatisfy { $0.keys == ["id", "zip", "note"] })
        let whole = try #require(try RowReader(path: path).next(max: 2048))
        #expect(first.map { $0["id"] } == whole.map { $0["id"] })
        #expect(first.map { $0["note"] } == whole.map { $0["note"] })
        // The sample ends at a line end within its megabyte, and every row in it is whole.
        var rows = first.count
        while let batch = try sample.next(max: 4096) { rows += batch.count }
        #expect(rows > 2048 && rows < 60_000)
    }

    @Test func aSmallFileIsSampledWhole() throws {
        let dir = try TempDirectory()
        let path = try dir.write("small.csv", "a,b\n1,2\n3,4")
        #expect(try RowReader.sampling(path: path).next(max: 10) == [JSONObject(["a": 1, "b": 2]), JSONObject(["a": 3, "b": 4])])
    }
}
