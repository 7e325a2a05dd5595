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

    @Test func descriptionReadsLikeADiagnostic() throws {
        let dir = try TempDirectory()
        let path = try dir.write("bad.json", "[{\"a\":1},\n {\"a\":2},\n 3]")
        let error = try #require(fileError { try readRows(path: path) })
        #expect(error.description == "\(path):3:2: element 2 is a number, not an object")
    }
}
