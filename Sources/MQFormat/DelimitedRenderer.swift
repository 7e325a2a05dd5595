import MQCore

/// CSV and TSV, written row by row as rows arrive.
///
/// The header is the column list given to `begin`; a row's value for a key outside it is
/// not written (a delimited file cannot grow a column halfway), and a missing key is
/// written like null.
final class DelimitedRenderer: Renderer {
    enum Style {
        /// RFC 4180, except that lines end in "\n", not "\r\n": what Unix tools, pandas
        /// and spreadsheets all read, and what diffs and `wc -l` expect. A field is quoted
        /// when it holds a comma, quote, CR or LF, with quotes doubled. Null is an empty
        /// field and the empty string `""`, so the two survive a round trip (as in
        /// PostgreSQL's `COPY … CSV`).
        case csv
        /// The "linear TSV" convention: tab, LF, CR and backslash inside a value are
        /// written `\t`, `\n`, `\r`, `\\`, so every row is one line; null is empty.
        case tsv
    }

    private let style: Style
    private let sink: OutputSink
    private var columns: [String] = []

    init(style: Style, sink: OutputSink) {
        self.style = style
        self.sink = sink
    }

    var isStreaming: Bool { true }

    func begin(columns: [String]) throws {
        self.columns = columns
        guard !columns.isEmpty else { return }
        try sink.write(line(columns.map { field($0) }))
    }

    func row(_ row: JSONObject) throws {
        guard !columns.isEmpty else { return }
        try sink.write(line(columns.map { key in
            let value = row[key] ?? .null
            return CellText.plain(value).map { field($0) } ?? ""
        }))
    }

    func end(_ summary: RenderSummary) throws {}

    private func line(_ fields: [String]) -> [UInt8] {
        var bytes = Array(fields.joined(separator: style == .csv ? "," : "\t").utf8)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private func field(_ text: String) -> String {
        switch style {
        case .csv: Self.csvField(text)
        case .tsv: Self.tsvField(text)
        }
    }

    static func csvField(_ text: String) -> String {
        if text.isEmpty { return "\"\"" }
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
            return text
        }
        var out = "\""
        for c in text.unicodeScalars {
            if c == "\"" { out.append("\"") }
            out.unicodeScalars.append(c)
        }
        out.append("\"")
        return out
    }

    static func tsvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x5C }) else {
            return text
        }
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\t": out.append("\\t")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\\": out.append("\\\\")
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
