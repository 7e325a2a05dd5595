import MQCore
import MQFiles
import Testing

@Suite struct JSONFileTests {
    @Test func arrayOfObjectsGivesOneRowEachInKeyOrder() throws {
        let dir = try TempDirectory()
        let path = try dir.write("crm.json", """
            [
              {"id": "c1", "name": "Ana", "conversations": 3, "csat": 4.5, "labels": ["vip"]},
              {"name": "Bo", "id": "c2", "conversations": 0, "csat": null, "labels": []}
            ]
            """)
        let rows = try readRows(path: path)
        #expect(rows.count == 2)
        #expect(rows[0].keys == ["id", "name", "conversations", "csat", "labels"])
        #expect(rows[1].keys == ["name", "id", "conversations", "csat", "labels"])
        #expect(rows[0]["csat"] == 4.5)
        #expect(rows[1]["csat"] == .null)
        #expect(rows[0]["labels"] == ["vip"])
    }

    @Test func oneObjectIsOneRow() throws {
        let dir = try TempDirectory()
        let rows = try readRows(path: try dir.write("one.json", #"{"org": "acme", "plan": "pro"}"#))
        #expect(rows == [JSONObject(["org": "acme", "plan": "pro"])])
    }

    @Test func emptyArrayIsNoRows() throws {
        let dir = try TempDirectory()
        #expect(try readRows(path: try dir.write("none.json", " [ ] \n")).isEmpty)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let dir = try TempDirectory()
        let path = try dir.write("bom.json", [0xEF, 0xBB, 0xBF] + Array(#"[{"a":1}]"#.utf8))
        #expect(try readRows(path: path) == [JSONObject(["a": 1])])
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int?
        let column: Int?
        let message: String
        var testDescription: String { message }
    }

    static let bad: [Bad] = [
        Bad(text: "[{\"a\":1},\n {\"a\":2},\n 3]", line: 3, column: 2, message: "element 2 is a number, not an object"),
        Bad(text: "[{}, \"x\"]", line: 1, column: 6, message: "element 1 is a string, not an object"),
        Bad(text: "[{\"s\":\"a,]\\\"\"}, [1]]", line: 1, column: 17, message: "element 1 is an array, not an object"),
        Bad(text: "[null]", line: 1, column: 2, message: "element 0 is null, not an object"),
        Bad(text: "[{\"a\":1},\n {\"a\":}]", line: 2, column: 7, message: "unexpected '}', expected a value"),
        Bad(text: "[{\"name\":\"Zoë\", \"x\":tru}]", line: 1, column: 21, message: "invalid literal, expected 'true'"),
        Bad(text: "[{\"a\":1},]", line: 1, column: 10, message: "unexpected ']', expected a value"),
        Bad(text: "[{\"a\":1}", line: 1, column: 9, message: "unexpected end of input, expected ',' or ']'"),
        Bad(text: "\"just text\"", line: nil, column: nil,
            message: "the file holds a string; expected an array of objects or one object"),
        Bad(text: " \n", line: nil, column: nil,
            message: "the file is empty; a .json file must hold an array of objects or one object"),
    ]

    @Test(arguments: bad)
    func problemsNameTheLineAndColumn(_ c: Bad) throws {
        let dir = try TempDirectory()
        let path = try dir.write("bad.json", c.text)
        let error = try #require(fileError { try readRows(path: path) })
        #expect(error.message == c.message)
        #expect(error.line == c.line)
        #expect(error.column == c.column)
    }

    /// An array is read an element at a time: elements (with strings holding `]`, `}`,
    /// escaped quotes and newlines) that straddle the 1 MB read chunks come out whole,
    /// and an error deep in the file names its line and column.
    @Test func aLargeArrayStreamsAcrossChunks() throws {
        let dir = try TempDirectory()
        var text: [UInt8] = Array("[\n".utf8)
        for i in 0..<40_000 {
            let tricky = i % 3 == 0 ? "a]},\\\"b\\n" : String(repeating: "y", count: i % 89)
            let element = "{\"n\":\(i),\"s\":\"\(tricky)\",\"nested\":{\"list\":[1,[2,{}]]}}"
            text += Array(element.utf8) + Array((i == 39_999 ? "\n]\n" : i % 2 == 0 ? ",\n" : " , ").utf8)
        }
        #expect(text.count > 3 << 20)
        let path = try dir.write("big.json", text)
        let reader = try RowReader(path: path)
        var count = 0
        var sum = 0
        while let batch = try reader.next(max: 1000) {
            for row in batch {
                sum += row["n"]?.intValue ?? 0
                if count % 3 == 0 { #expect(row["s"] == .string("a]},\"b\n")) }
                count += 1
            }
        }
        #expect(count == 40_000)
        #expect(sum == 40_000 * 39_999 / 2)

        // A broken element near the end: its line, counted across every chunk.
        var broken = text
        broken.removeLast(3)  // "\n]\n"
        broken += Array(",\n{\"n\": }\n]".utf8)
        let lines = broken.filter { $0 == 0x0A }.count
        let badPath = try dir.write("broken.json", broken)
        let error = try #require(fileError { try readRows(path: badPath) })
        #expect(error.message == "unexpected '}', expected a value")
        #expect(error.line == lines)
        #expect(error.column == 7)
    }

    @Test func descriptionReadsLikeADiagnostic() throws {
        let dir = try TempDirectory()
        let path = try dir.write("bad.json", "[{\"a\":1},\n {\"a\":2},\n 3]")
        let error = try #require(fileError { try readRows(path: path) })
        #expect(error.description == "\(path):3:2: element 2 is a number, not an object")
    }
}
