import MQCore
import MQFormat
import Testing

@Suite struct VerticalRendererTests {
    @Test func rendersTheFixtureAt60Columns() throws {
        // Values are cut to the 51 columns the padded names leave.
        let expected = """
            -[ RECORD 1 ]-----------------------------------------------
            id     | 1
            name   | José Pérez
            amount | 421.6
            note   | says "hi", twice
            tags   | ["vip","new"]
            owner  | {"id":"u1","name":"Ana"}
            vip    | true
            -[ RECORD 2 ]-----------------------------------------------
            id     | 2
            name   | 王小明
            amount | 5.0
            note   |
            tags   | []
            owner  |
            vip    | false
            -[ RECORD 3 ]-----------------------------------------------
            id     | 13
            name   | Zoë
            amount |
            note   | a long note that keeps going well past what a narr…
            tags   | ["x"]
            owner  | {"id":"u2","name":"Bo"}
            vip    |
            (3 rows)

            """
        let text = try Fixture.render(.vertical, options: Fixture.options(width: 60))
        #expect(text == expected)
        for line in text.split(separator: "\n") {
            #expect(displayWidth(String(line)) <= 60)
        }
    }

    @Test func ruleIsAsWideAsTheWidestLineWhenThatIsNarrower() throws {
        var summary = RenderSummary(rows: 1)
        summary.requests = 2
        let text = try Fixture.render(.vertical, columns: ["a", "longer"], rows: [JSONObject(["a": 1, "longer": "x"])],
                                      summary: summary)
        #expect(text == """
            -[ RECORD 1 ]-
            a      | 1
            longer | x
            (1 row, 2 requests)

            """)
    }
}
