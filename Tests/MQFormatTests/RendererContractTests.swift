import MQCore
import MQFormat
import MQSyntax
import Testing

/// What every format promises the executor: streaming, zero rows, no footer for programs.
@Suite struct RendererContractTests {
    /// json and ndjson always stream; csv and tsv when the caller knows the columns
    /// (else a column first seen in a later row would be lost); the others measure.
    @Test(arguments: OutputFormat.allCases)
    func streamsExactlyTheFormatsThatNeedNotMeasure(_ format: OutputFormat) throws {
        let sink = BufferSink()
        let r = makeRenderer(format, options: Fixture.options(), sink: sink, columnsKnown: true)
        let streams: Set<OutputFormat> = [.csv, .tsv, .json, .ndjson]
        #expect(r.isStreaming == streams.contains(format))
        #expect(makeRenderer(format, options: Fixture.options(), sink: BufferSink()).isStreaming == [.json, .ndjson].contains(format))

        try r.begin(columns: Fixture.columns)
        try r.row(Fixture.rows[0])
        let beforeEnd = sink.text
        try r.row(Fixture.rows[1])
        try r.row(Fixture.rows[2])
        try r.end(RenderSummary(rows: 3))
        if r.isStreaming {
            // The first row is out before end(), and end() only appends.
            #expect(beforeEnd.contains("José Pérez"))
            #expect(sink.text.hasPrefix(beforeEnd))
        } else {
            #expect(beforeEnd.isEmpty)
        }
        #expect(sink.text == (try Fixture.render(format)))
    }

    static let zeroRowOutputs: [(OutputFormat, String)] = [
        (.table, "id │ name\n───┼─────\n(0 rows)\n"),
        (.vertical, "(0 rows)\n"),
        (.csv, "id,name\n"),
        (.tsv, "id\tname\n"),
        (.json, "[]\n"),
        (.ndjson, ""),
        (.markdown, "| id  | name |\n|-----|------|\n"),
    ]

    @Test(arguments: zeroRowOutputs)
    func zeroRowsShowTheHeaderAndFooterOnly(_ format: OutputFormat, _ expected: String) throws {
        #expect(try Fixture.render(format, columns: ["id", "name"], rows: []) == expected)
    }

    static let noColumnOutputs: [(OutputFormat, String)] = [
        (.table, "(0 rows)\n"),
        (.vertical, "(0 rows)\n"),
        (.csv, ""),
        (.tsv, ""),
        (.json, "[]\n"),
        (.ndjson, ""),
        (.markdown, ""),
    ]

    @Test(arguments: noColumnOutputs)
    func zeroRowsAndNoColumns(_ format: OutputFormat, _ expected: String) throws {
        #expect(try Fixture.render(format, columns: [], rows: []) == expected)
    }

    @Test(arguments: [OutputFormat.csv, .tsv, .json, .ndjson])
    func machineFormatsNeverCarryAFooter(_ format: OutputFormat) throws {
        var summary = RenderSummary(rows: 3)
        summary.seconds = 1.5
        summary.requests = 4
        summary.partial = "partial: stopped at page 7 (HTTP 503)"
        let withSummary = try Fixture.render(format, options: Fixture.options(color: true), summary: summary)
        #expect(withSummary == (try Fixture.render(format)))
        #expect(!withSummary.contains("rows)"))
        #expect(!withSummary.contains("\u{1B}"))
    }

    @Test func formatNamesAreWhatUsersType() {
        #expect(OutputFormat(rawValue: "ndjson") == .ndjson)
        #expect(OutputFormat.allCases.map(\.rawValue) == ["table", "vertical", "csv", "tsv", "json", "ndjson", "markdown"])
    }

    /// One list of formats (MQCore's `OutputFormat`): the parser's `| format`, the usage
    /// text and `save`'s extensions derive from it.
    @Test func everyFormatIsNamedInOnePlace() throws {
        #expect(OutputFormat.names(separator: "|") == "table|vertical|csv|tsv|json|ndjson|markdown")
        for f in OutputFormat.allCases {
            let s = try #require(try MQSyntax.Parser.parseStatement("customers | format \(f.rawValue)"))
            guard case .query(let q) = s.kind, case .format(let name)? = q.stages.last?.kind else {
                Issue.record("\(f): not a format stage")
                continue
            }
            #expect(name == f.rawValue)
        }
        #expect(["csv": OutputFormat.csv, "tsv": .tsv, "json": .json, "ndjson": .ndjson, "jsonl": .ndjson, "md": .markdown, "txt": .table]
            .allSatisfy { OutputFormat(fileExtension: $0.key) == $0.value })
        #expect(OutputFormat(fileExtension: "xlsx") == nil)
    }

    @Test func defaultOptionsAndSummary() {
        let o = RenderOptions()
        #expect(o.width == 120)
        #expect(o.color == false)
        let s = RenderSummary(rows: 7)
        #expect(s.rows == 7 && s.seconds == nil && s.requests == nil && s.partial == nil)
    }
}
