import MQCore
@testable import MQFormat
import Testing

@Suite struct TableRendererTests {
    @Test func rendersTheFixtureAt120Columns() throws {
        // The natural width is 148, so the long note is the column that gives way.
        let expected = """
            id │ name       │ amount │ note                                       │ tags          │ owner                    │ vip
            ───┼────────────┼────────┼────────────────────────────────────────────┼───────────────┼──────────────────────────┼──────
             1 │ José Pérez │  421.6 │ says "hi", twice                           │ ["vip","new"] │ {"id":"u1","name":"Ana"} │ true
             2 │ 王小明     │    5.0 │                                            │ []            │                          │ false
            13 │ Zoë        │        │ a long note that keeps going well past wh… │ ["x"]         │ {"id":"u2","name":"Bo"}  │
            (3 rows)

            """
        #expect(try Fixture.render(.table) == expected)
    }

    @Test func dropsWholeColumnsFromTheRightAndNamesThemAt60Columns() throws {
        // At 16 columns each at most, id…note fit and tags does not: tags, owner and vip
        // are left out and named; the four shown share the width (note is cut to 29).
        // Before, every column shrank to 7 (`says "…`, `{"id":…`) and the footer only
        // counted what it hid.
        let expected = """
            id │ name       │ amount │ note                          │ …
            ───┼────────────┼────────┼───────────────────────────────┼──
             1 │ José Pérez │  421.6 │ says "hi", twice              │ …
             2 │ 王小明     │    5.0 │                               │ …
            13 │ Zoë        │        │ a long note that keeps going… │ …
            (3 rows)
            3 columns not shown: tags, owner, vip — .format vertical or
            select

            """
        #expect(try Fixture.render(.table, options: Fixture.options(width: 60)) == expected)
    }

    @Test func atAModestWidthTheLongTextGivesWayFirst() throws {
        // 120 columns: every column fits at 16 or less, so all are shown and note is cut.
        let text = try Fixture.render(.table, options: Fixture.options(width: 120))
        #expect(!text.contains("not shown"))
        #expect(text.contains("a long note that keeps going well past wh…"))
    }

    @Test func namesAtMostSixHiddenColumnsAndCountsTheRest() throws {
        let columns = (1...12).map { "column\($0)" }
        let row = JSONObject(pairs: columns.map { ($0, JSON.string(String(repeating: "x", count: 30))) })
        let text = try Fixture.render(.table, columns: columns, rows: [row, row], options: Fixture.options(width: 80))
        #expect(text.contains("8 columns not shown: column5, column6, column7, column8, column9, column10, …"))
    }

    @Test(arguments: [12, 20, 30, 41, 45, 59, 60, 61, 80, 100, 147, 148, 200])
    func everyLineFitsTheWidth(_ width: Int) throws {
        let text = try Fixture.render(.table, options: Fixture.options(width: width))
        let lines = text.split(separator: "\n").map(String.init)
        for line in lines {
            #expect(displayWidth(line) <= width, "\(line)")
        }
        // Unless columns were left out, the rule spans the width exactly (or the natural
        // width, 148, when that is narrower).
        if !text.contains("not shown") {
            #expect(displayWidth(lines[1]) == min(width, 148))
        }
    }

    @Test func wideCharactersAreNeverSplitPastTheWidth() throws {
        // A cut between two 2-column characters leaves a 1-column gap, padded with a space.
        // Two rows: a single one this wide would print as a record.
        let row = JSONObject(["a": "中文中文中文中文中文中文", "b": "中文中文中文中文中文中文"])
        let text = try Fixture.render(.table, columns: ["a", "b"], rows: [row, row], options: Fixture.options(width: 38))
        let expected = """
            a                  │ b
            ───────────────────┼──────────────────
            中文中文中文中文…  │ 中文中文中文中文…
            中文中文中文中文…  │ 中文中文中文中文…
            (2 rows)

            """
        #expect(text == expected)
    }

    @Test func aSingleRowTooWideForTheWindowPrintsAsARecord() throws {
        let row = JSONObject(["contacts": 2000, "conversations": .object(JSONObject(["open": 25, "total": 60])),
                              "period": "2025-05-16 to 2026-11-15"])
        let columns = ["contacts", "conversations", "period"]
        // 60 columns wide as a table: at 59 it would cut, so it prints as a record …
        let narrow = try Fixture.render(.table, columns: columns, rows: [row], options: Fixture.options(width: 59))
        let expected = """
            -[ RECORD 1 ]---------------------------
            contacts      | 2000
            conversations | {"open":25,"total":60}
            period        | 2025-05-16 to 2026-11-15
            (1 row)

            """
        #expect(narrow == expected)
        // … and as a table when it fits, or when there are more rows.
        let wide = try Fixture.render(.table, columns: columns, rows: [row], options: Fixture.options(width: 60))
        #expect(wide.hasPrefix("contacts │ conversations          │ period\n"))
        let two = try Fixture.render(.table, columns: columns, rows: [row, row], options: Fixture.options(width: 59))
        #expect(two.hasPrefix("contacts │ conversations"))
        #expect(two.hasSuffix("(2 rows)\n"))
    }

    @Test func keepsEachRowOnOneLine() throws {
        let rows = [JSONObject(["text": "one\ntwo\r\nthree\rfour\tfive\u{1B}[31m"])]
        let text = try Fixture.render(.table, columns: ["text"], rows: rows)
        #expect(text.split(separator: "\n")[2] == "one↵two↵three↵four five\u{FFFD}[31m")
    }

    /// A bidi override made a cell, and the rest of its row, read reversed: tables,
    /// vertical and markdown show it as its code point; csv and json keep the bytes.
    @Test func bidiControlsAreShownAsCodePoints() throws {
        let rows = [JSONObject(["file": "invoice\u{202E}fdp.exe", "n": 1])]
        for format in [OutputFormat.table, .vertical, .markdown] {
            let text = try Fixture.render(format, columns: ["file", "n"], rows: rows)
            #expect(text.contains("invoice\\u{202E}fdp.exe"), "\(format): \(text)")
            #expect(!text.unicodeScalars.contains { $0.value == 0x202E })
        }
        #expect(try Fixture.render(.csv, columns: ["file", "n"], rows: rows) == "file,n\ninvoice\u{202E}fdp.exe,1\n")
        #expect(try Fixture.render(.json, columns: ["file", "n"], rows: rows).unicodeScalars.contains { $0.value == 0x202E })
    }

    @Test func addsColumnsFirstSeenInLaterRows() throws {
        let rows = [JSONObject(["a": 1]), JSONObject(["a": 2, "b": "x"])]
        let expected = """
            a │ b
            ──┼──
            1 │
            2 │ x
            (2 rows)

            """
        #expect(try Fixture.render(.table, columns: ["a"], rows: rows) == expected)
    }

    @Test func alignsEachNumberRightAndAMixedColumnsHeaderLeft() throws {
        let rows = [JSONObject(["v": 1234]), JSONObject(["v": "ab"]), JSONObject(["n": 7, "v": 1.5])]
        let expected = """
            v    │ n
            ─────┼──
            1234 │
            ab   │
             1.5 │ 7
            (3 rows)

            """
        #expect(try Fixture.render(.table, columns: ["v"], rows: rows) == expected)
    }

    struct FooterCase: Sendable, CustomTestStringConvertible {
        var summary: RenderSummary
        var footer: String
        var testDescription: String { footer }
    }

    static let footers: [FooterCase] = {
        var timed = RenderSummary(rows: 20)
        timed.seconds = 0.42
        var both = timed
        both.requests = 3
        var one = RenderSummary(rows: 1)
        one.requests = 1
        one.seconds = 3.05
        var partial = RenderSummary(rows: 20)
        partial.partial = "partial: stopped at page 7 (HTTP 503)"
        return [
            FooterCase(summary: RenderSummary(rows: 1), footer: "(1 row)\n"),
            FooterCase(summary: RenderSummary(rows: 0), footer: "(0 rows)\n"),
            FooterCase(summary: RenderSummary(rows: 20), footer: "(20 rows)\n"),
            FooterCase(summary: timed, footer: "(20 rows, 0.42 s)\n"),
            FooterCase(summary: both, footer: "(20 rows, 0.42 s, 3 requests)\n"),
            FooterCase(summary: one, footer: "(1 row, 3.05 s, 1 request)\n"),
            FooterCase(summary: partial, footer: "(20 rows)\npartial: stopped at page 7 (HTTP 503)\n"),
        ]
    }()

    @Test(arguments: footers)
    func footerSaysWhatTheSummarySets(_ c: FooterCase) throws {
        let text = try Fixture.render(.table, columns: ["n"], rows: [JSONObject(["n": 1])], summary: c.summary)
        #expect(text == "n\n─\n1\n" + c.footer)
    }

    @Test func footerWrapsAtSpacesOnANarrowTerminal() throws {
        var summary = RenderSummary(rows: 1)
        summary.partial = "partial: stopped at page 7 (HTTP 503)"
        let text = try Fixture.render(
            .table, columns: ["n"], rows: [JSONObject(["n": 1])], options: Fixture.options(width: 20), summary: summary)
        #expect(text == "n\n─\n1\n(1 row)\npartial: stopped at\npage 7 (HTTP 503)\n")
    }

    @Test func colourMakesTheHeaderBoldAndNullAndFooterDim() throws {
        var options = Fixture.options(color: true)
        options.terminal = true
        let text = try Fixture.render(.table, columns: ["n", "s"], rows: [JSONObject(["n": 1, "s": nil])], options: options)
        let bold = "\u{1B}[1m", dim = "\u{1B}[2m", reset = "\u{1B}[0m"
        #expect(text == """
            \(bold)n\(reset) │ \(bold)s\(reset)
            ──┼──
            1 │ \(dim)∅\(reset)
            \(dim)(1 row)\(reset)

            """)
    }
}

/// People read tables: at most 6 decimals there; csv and json keep every digit.
@Suite struct ReadableNumberTests {
    @Test func doublesReadToSixDecimalsInTablesOnly() throws {
        #expect(CellText.readable(0.1 + 0.2) == "0.3")
        #expect(CellText.readable(4.3668000000000005) == "4.3668")
        #expect(CellText.readable(7523.450000000001) == "7523.45")
        #expect(CellText.readable(6.0) == "6.0")
        #expect(CellText.readable(1.0 / 3.0) == "0.333333")
        #expect(CellText.readable(4.09840579710145) == "4.098406", "at most 6 decimals (language.md v2)")
        #expect(CellText.readable(405.7) == "405.7")
        #expect(CellText.readable(0.0000001234567) == "1.23457e-07", "too small for 6 decimals: 6 digits")
        #expect(CellText.readable(-0.0000000001) == "-1e-10")
        #expect(CellText.readable(123456789012.25) == "123456789012.25")
        #expect(CellText.readable(1e300 * 10) == "1e+301")
        #expect(CellText.readable(-2.0000000000000004) == "-2.0")
        #expect(CellText.plain(.double(0.1 + 0.2)) == "0.30000000000000004", "csv and json keep every digit")
        #expect(CellText.plain(.double(0.1 + 0.2), forReading: true) == "0.3")
    }
}
