import MQCore
import MQFormat
import Testing

@Suite struct MarkdownRendererTests {
    @Test func rendersTheFixtureAsAGitHubTable() throws {
        let expected = """
            |  id | name       | amount | note                                                                   | tags          | owner                    | vip   |
            |----:|------------|-------:|------------------------------------------------------------------------|---------------|--------------------------|-------|
            |   1 | José Pérez |  421.6 | says "hi", twice                                                       | ["vip","new"] | {"id":"u1","name":"Ana"} | true  |
            |   2 | 王小明     |    5.0 |                                                                        | []            |                          | false |
            |  13 | Zoë        |        | a long note that keeps going well past what a narrow terminal can show | ["x"]         | {"id":"u2","name":"Bo"}  |       |

            """
        // Markdown is for documents: never cut to the terminal, never coloured, and no
        // "(3 rows)" line to delete by hand.
        #expect(try Fixture.render(.markdown, options: Fixture.options(width: 60, color: true)) == expected)
    }

    @Test func escapesPipesAndLineBreaks() throws {
        let rows = [JSONObject(["a|b": "x | y\nz\r\nw", "n": ["p|q": 1]])]
        let expected = #"""
            | a\|b             | n          |
            |------------------|------------|
            | x \| y<br>z<br>w | {"p\|q":1} |

            """#
        #expect(try Fixture.render(.markdown, columns: ["a|b", "n"], rows: rows) == expected)
    }
}
