import MQCore

/// CSV and TSV. A delimited file cannot grow a column halfway, so the header must name
/// every column before the first row. When the caller knows the columns (a `select`, a
/// `summarize`, an API source's fields), rows are written as they arrive, under the
/// header given to `begin`; a key outside it cannot be written and is reported in
/// `droppedColumns`, for the caller to say. Otherwise the rows are collected and the
/// header is every key of every row, as table and `save` do (a column that first
/// appears in row 2 is not lost). A missing key is written like null.
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
    private let streaming: Bool
    private var collected = CollectedRows()
    private var header = Set<String>()
    /// Keys of rows that the streamed header did not have, in the order first met.
    private(set) var droppedColumns: [String] = []

    init(style: Style, sink: OutputSink, streaming: Bool = false) {
        self.style = style
        self.sink = sink
        self.streaming = streaming
    }

    var isStreaming: Bool { streaming }

    func begin(columns: [String]) throws {
        guard streaming else {
            collected.begin(columns)
            return
        }
        header = Set(columns)
        try writeHeader(columns)
    }

    func row(_ row: JSONObject) throws {
        guard streaming else {
            collected.append(row)
            return
        }
        for k in row.keys where !header.contains(k) {
            header.insert(k)
            droppedColumns.append(k)
        }
        try write(row)
    }

    func end(_ summary: RenderSummary) throws {
        guard !streaming else { return }
        try writeHeader(collected.columns)
        for r in collected.rows { try write(r) }
    }

    private func writeHeader(_ columns: [String]) throws {
        self.columns = columns
        guard !columns.isEmpty else { return }
        try sink.write(line(columns.map { field($0) }))
    }

    private func write(_ row: JSONObject) throws {
        guard !columns.isEmpty else { return }
        // One column and a null would be an empty line, which CSV readers (mq's,
        // Python's) skip as no record at all: it is written `""`, which mq reads back as
        // null. (Linear TSV has no empty-line rule: an empty line is a null there.)
        if style == .csv, columns.count == 1, (row[columns[0]] ?? .null).isNull {
            try sink.write(line(["\"\""]))
            return
        }
        try sink.write(line(columns.map { key in
            let value = row[key] ?? .null
            return CellText.plain(value).map { field($0) } ?? ""
        }))
    }

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
