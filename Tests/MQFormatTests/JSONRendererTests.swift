import MQCore
import MQFormat
import Testing

@Suite struct JSONRendererTests {
    @Test func rendersTheFixtureAsOneArray() throws {
        let expected = #"""
            [{"id":1,"name":"José Pérez","amount":421.6,"note":"says \"hi\", twice","tags":["vip","new"],"owner":{"id":"u1","name":"Ana"},"vip":true},
            {"id":2,"name":"王小明","amount":5.0,"note":null,"tags":[],"owner":null,"vip":false},
            {"id":13,"name":"Zoë","amount":null,"note":"a long note that keeps going well past what a narrow terminal can show","tags":["x"],"owner":{"id":"u2","name":"Bo"},"vip":null}]

            """#
        let text = try Fixture.render(.json)
        #expect(text == expected)
        #expect(try JSONParser.parse(text) == .array(Fixture.rows.map(JSON.object)))
    }

    @Test func rendersTheFixtureAsNDJSON() throws {
        let expected = #"""
            {"id":1,"name":"José Pérez","amount":421.6,"note":"says \"hi\", twice","tags":["vip","new"],"owner":{"id":"u1","name":"Ana"},"vip":true}
            {"id":2,"name":"王小明","amount":5.0,"note":null,"tags":[],"owner":null,"vip":false}
            {"id":13,"name":"Zoë","amount":null,"note":"a long note that keeps going well past what a narrow terminal can show","tags":["x"],"owner":{"id":"u2","name":"Bo"},"vip":null}

            """#
        let text = try Fixture.render(.ndjson)
        #expect(text == expected)
        let parsed = try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(parsed == Fixture.rows.map(JSON.object))
    }

    @Test(arguments: [OutputFormat.json, .ndjson])
    func writesEachRowsOwnKeysInItsOwnOrder(_ format: OutputFormat) throws {
        // Not the columns given to begin: JSON readers want every field, as the row has them.
        let rows = [JSONObject(["b": 1, "a": "x\ny"]), JSONObject(["a": 2, "c": [1, 2]])]
        let text = try Fixture.render(format, columns: ["a", "b"], rows: rows)
        let lines = [#"{"b":1,"a":"x\ny"}"#, #"{"a":2,"c":[1,2]}"#]
        #expect(text == (format == .json ? "[" + lines.joined(separator: ",\n") + "]\n" : lines.map { $0 + "\n" }.joined()))
    }
}
