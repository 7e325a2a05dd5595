import MQCore

/// One `name | value` line per column, records one after another, like psql's `\x`:
/// for rows too wide for any table.
///
///     -[ RECORD 1 ]---------
///     id     | 1
///     name   | José Pérez
///
/// Names are padded to the longest (cut at 40% of the width); values are cut with `…`
/// to the rest of the width, so every line fits the terminal.
final class VerticalRenderer: Renderer {
    private let options: RenderOptions
    private let sink: OutputSink
    private var data = CollectedRows()

    init(options: RenderOptions, sink: OutputSink) {
        self.options = options
        self.sink = sink
    }

    var isStreaming: Bool { false }

    func begin(columns: [String]) throws { data.begin(columns) }

    func row(_ row: JSONObject) throws { data.append(row) }

    func end(_ summary: RenderSummary) throws {
        let grid = Grid(data, nullText: options.nullText)
        try sink.write(Self.lines(grid, summary, options).joined(separator: "\n") + "\n")
    }

    /// The records of `grid`, then the footer.
    static func lines(_ grid: Grid, _ summary: RenderSummary, _ options: RenderOptions) -> [String] {
        let width = max(options.width, 8)
        let longestName = grid.headers.map(displayWidth).max() ?? 0
        let nameWidth = min(longestName, max(TableLayout.minimumWidth, width * 2 / 5))
        let valueWidth = max(1, width - nameWidth - 3)
        let longestValue = grid.cells.lazy.flatMap { $0 }.map { displayWidth($0.text) }.max() ?? 0
        let ruleWidth = min(width, nameWidth + 3 + min(longestValue, valueWidth))
        let names = grid.headers.map { name in
            let padded = name.truncated(toWidth: nameWidth).padded(toWidth: nameWidth)
            return options.color ? ANSI.bold(padded) : padded
        }

        var lines: [String] = []
        for (n, row) in grid.cells.enumerated() {
            let title = "-[ RECORD \(n + 1) ]"
            lines.append(title + String(repeating: "-", count: max(1, ruleWidth - displayWidth(title))))
            for (name, c) in zip(names, row) {
                var value = c.text.truncated(toWidth: valueWidth)
                if c.isNull && options.color { value = ANSI.dim(value) }
                lines.append((name + " | " + value).trimmingTrailingSpaces())
            }
        }
        for line in Footer.lines(summary, width: width) {
            lines.append(options.color ? ANSI.dim(line) : line)
        }
        return lines
    }
}
