import MQCore

/// A GitHub-flavoured Markdown table, padded so the source reads as a table too.
///
///     | id | name       |
///     |---:|------------|
///     |  1 | José Pérez |
///
/// Numeric columns are right-aligned (`--:`). `|` in a cell is written `\|` and a line
/// break `<br>`. Markdown goes to files and issues more than to terminals, so it is
/// neither cut to the terminal width nor coloured.
final class MarkdownRenderer: Renderer {
    private let sink: OutputSink
    private var data = CollectedRows()

    init(sink: OutputSink) { self.sink = sink }

    var isStreaming: Bool { false }

    func begin(columns: [String]) throws { data.begin(columns) }

    func row(_ row: JSONObject) throws { data.append(row) }

    func end(_ summary: RenderSummary) throws {
        var lines: [String] = []
        if !data.columns.isEmpty {
            let headers = data.columns.map(Self.escape)
            let cells = data.rows.map { row in
                data.columns.map { key in CellText.plain(row[key] ?? .null, forReading: true).map(Self.escape) ?? "" }
            }
            let numeric = data.columns.map { key in
                var sawNumber = false
                for row in data.rows {
                    let v = row[key] ?? .null
                    if CellText.isNumber(v) { sawNumber = true } else if !v.isNull { return false }
                }
                return sawNumber
            }
            // Three columns at least, so the delimiter row has the `---` every renderer accepts.
            var widths = headers.map { max(3, displayWidth($0)) }
            for row in cells {
                for (i, c) in row.enumerated() { widths[i] = max(widths[i], displayWidth(c)) }
            }

            func line(_ fields: [String]) -> String {
                let padded = fields.indices.map { fields[$0].padded(toWidth: widths[$0], rightAligned: numeric[$0]) }
                return "| " + padded.joined(separator: " | ") + " |"
            }
            lines.append(line(headers))
            let rule = widths.indices.map { i in
                numeric[i] ? String(repeating: "-", count: widths[i] + 1) + ":" : String(repeating: "-", count: widths[i] + 2)
            }
            lines.append("|" + rule.joined(separator: "|") + "|")
            for row in cells { lines.append(line(row)) }
        }
        // No row count: markdown is pasted into documents, where a "(2 rows)" line is
        // noise to delete by hand. A partial result is said on stderr by the caller.
        guard !lines.isEmpty else { return }
        try sink.write(lines.joined(separator: "\n") + "\n")
    }

    /// Cell text that cannot end the cell or the row.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x7C || $0 < 0x20 || $0 == 0x7F || $0 == 0xD8 || $0 == 0xE2 }) else { return text }
        var out = ""
        var afterCR = false
        for u in text.unicodeScalars {
            switch u.value {
            case 0x7C: out.append("\\|")
            case 0x0A: if !afterCR { out.append("<br>") }
            case 0x0D: out.append("<br>")
            case 0x09: out.append(" ")
            case 0x00..<0x20, 0x7F: out.append("\u{FFFD}")
            case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{\(String(u.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(u)
            }
            afterCR = u.value == 0x0D
        }
        return out
    }
}
