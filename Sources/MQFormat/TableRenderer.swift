import MQCore

/// The default format: a psql-like grid sized to the terminal.
///
///     id │ name       │ amount
///     ───┼────────────┼───────
///      1 │ José Pérez │  421.6
///     (1 row)
///
/// Numbers are right-aligned, everything else left-aligned; null is `∅` on a terminal
/// (dim when colour is on) and an empty cell elsewhere. When the natural width exceeds
/// the terminal, whole columns are left out from the right and named in the footer
/// (see `TableLayout`); a single row that would lose text that way
/// prints as a record instead, one line per column (psql's `\x auto`), as `summary` and
/// `billing` do in a window of ordinary width.
final class TableRenderer: Renderer {
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
        var lines: [String] = []
        var hidden: [String] = []
        if !data.columns.isEmpty {
            let grid = Grid(data, nullText: options.nullText)
            let layout = TableLayout.fit(natural: grid.naturalWidths, width: options.width)
            if grid.cells.count == 1 && (layout.hidden > 0 || layout.widths != grid.naturalWidths) {
                try sink.write(VerticalRenderer.lines(grid, summary, options).joined(separator: "\n") + "\n")
                return
            }
            hidden = Array(grid.headers.suffix(layout.hidden))
            lines = render(grid, layout)
        }
        for line in Footer.lines(summary, hiddenColumns: hidden, width: options.width) {
            lines.append(options.color ? ANSI.dim(line) : line)
        }
        try sink.write(lines.joined(separator: "\n") + "\n")
    }

    private func render(_ grid: Grid, _ layout: TableLayout) -> [String] {
        let shown = layout.widths.indices
        let marker = layout.hidden > 0 ? " │ …" : ""
        var lines: [String] = []
        lines.reserveCapacity(grid.cells.count + 2)

        var header: [String] = []
        for i in shown {
            header.append(cell(grid.headers[i], layout.widths[i], rightAligned: grid.numeric[i],
                               style: options.color ? .bold : nil))
        }
        lines.append((header.joined(separator: " │ ") + marker).trimmingTrailingSpaces())
        let rule = shown.map { String(repeating: "─", count: layout.widths[$0]) }
        lines.append(rule.joined(separator: "─┼─") + (layout.hidden > 0 ? "─┼──" : ""))

        for row in grid.cells {
            var parts: [String] = []
            parts.reserveCapacity(layout.widths.count)
            for i in shown {
                let c = row[i]
                parts.append(cell(c.text, layout.widths[i], rightAligned: c.isNumber,
                                  style: c.isNull && options.color ? .dim : nil))
            }
            lines.append((parts.joined(separator: " │ ") + marker).trimmingTrailingSpaces())
        }
        return lines
    }

    /// One cell cut and padded to `width`, the style wrapping the text but not the padding.
    private func cell(_ text: String, _ width: Int, rightAligned: Bool, style: ANSI.Style?) -> String {
        let cut = text.truncated(toWidth: width)
        let gap = String(repeating: " ", count: max(0, width - displayWidth(cut)))
        let body = style?.apply(cut) ?? cut
        return rightAligned ? gap + body : body + gap
    }
}

/// Every cell's one-line text, measured once.
struct Grid {
    struct Cell {
        var text: String
        var isNumber: Bool
        var isNull: Bool
    }

    var headers: [String]
    var cells: [[Cell]]
    /// A column is numeric when it holds at least one number and nothing but numbers and
    /// nulls; its header is then right-aligned over the digits.
    var numeric: [Bool]
    /// The widest cell of each column, header included; at least 1.
    var naturalWidths: [Int]

    init(_ data: CollectedRows, nullText: String) {
        headers = data.columns.map(CellText.singleLine)
        naturalWidths = headers.map { max(1, displayWidth($0)) }
        var sawNumber = Array(repeating: false, count: headers.count)
        var sawOther = sawNumber
        cells = []
        cells.reserveCapacity(data.rows.count)
        for row in data.rows {
            var line: [Cell] = []
            line.reserveCapacity(headers.count)
            for (i, column) in data.columns.enumerated() {
                let value = row[column] ?? .null
                let c: Cell
                if let text = CellText.plain(value, forReading: true) {
                    let number = CellText.isNumber(value)
                    c = Cell(text: CellText.singleLine(text), isNumber: number, isNull: false)
                    if number { sawNumber[i] = true } else { sawOther[i] = true }
                } else {
                    c = Cell(text: nullText, isNumber: false, isNull: true)
                }
                naturalWidths[i] = max(naturalWidths[i], displayWidth(c.text))
                line.append(c)
            }
            cells.append(line)
        }
        numeric = zip(sawNumber, sawOther).map { $0 && !$1 }
    }
}

/// Column widths for a table that must fit a terminal.
struct TableLayout: Equatable {
    /// Widths of the columns shown, leftmost first.
    var widths: [Int]
    /// Columns left out at the right (shown as a `…` column, and named in the footer)
    /// because the ones before them fill the width.
    var hidden: Int

    /// A column is cut no narrower than this (or its natural width, if smaller) to make
    /// room for the next: below it a cell shows too little to be worth the column, and
    /// the next column is left out instead.
    static let minimumWidth = 16
    /// ` │ ` between columns.
    static let separatorWidth = 3

    /// Fits columns of the given natural widths into `width` terminal columns.
    ///
    /// When everything fits nothing changes. Otherwise as many whole columns are shown,
    /// left to right, as fit with each cut to `minimumWidth` at most; the rest are left
    /// out and named in the footer, rather than every column shrinking to `pho…`. The
    /// columns shown then share the width: all those wider than some cap C are cut to
    /// C, C the largest cap that fits, and the columns left over take one more column
    /// each, left to right, so the table fills the width exactly.
    static func fit(natural: [Int], width: Int) -> TableLayout {
        let n = natural.count
        guard n > 0 else { return TableLayout(widths: [], hidden: 0) }
        let floors = natural.map { min($0, minimumWidth) }
        func overhead(_ shown: Int) -> Int {
            separatorWidth * (shown - 1) + (shown < n ? separatorWidth + 1 : 0)
        }
        var shown = n
        var floorSum = floors.reduce(0, +)
        while shown > 1 && floorSum + overhead(shown) > width {
            shown -= 1
            floorSum -= floors[shown]
        }
        var widths = Array(natural[0..<shown])
        let budget = max(shown, width - overhead(shown))
        if widths.reduce(0, +) > budget {
            widths = shrink(widths, to: budget)
        }
        return TableLayout(widths: widths, hidden: n - shown)
    }

    /// `widths` with the widest cut first until they sum to `budget` (each stays ≥ 1).
    private static func shrink(_ widths: [Int], to budget: Int) -> [Int] {
        func total(cap: Int) -> Int { widths.reduce(0) { $0 + min($1, cap) } }
        // The largest cap whose total fits; the total only grows with the cap.
        var lo = 1
        var hi = widths.max() ?? 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if total(cap: mid) <= budget { lo = mid } else { hi = mid - 1 }
        }
        let cap = lo
        var spare = budget - total(cap: cap)
        return widths.map { w in
            guard w > cap else { return w }
            if spare > 0 {
                spare -= 1
                return cap + 1
            }
            return cap
        }
    }
}
