/// The footer shared by table, vertical and markdown output.
enum Footer {
    /// `(20 rows, 0.42 s, 3 requests)`, then the partial note on its own line; wrapped at
    /// spaces to `width` when one is given, so a narrow terminal does not break words.
    static func lines(_ summary: RenderSummary, hiddenColumns: [String] = [], width: Int? = nil) -> [String] {
        let lines = unwrapped(summary, hiddenColumns: hiddenColumns)
        guard let width else { return lines }
        return lines.flatMap { wrap($0, width: width) }
    }

    /// Columns named in the footer when some are not shown; more are counted, not named.
    static let namedHidden = 6

    private static func unwrapped(_ summary: RenderSummary, hiddenColumns: [String]) -> [String] {
        var parts = [summary.rows == 1 ? "1 row" : "\(summary.rows) rows"]
        if let s = summary.seconds { parts.append("\(formatSeconds(s)) s") }
        if let n = summary.requests { parts.append(n == 1 ? "1 request" : "\(n) requests") }
        var lines = ["(" + parts.joined(separator: ", ") + ")"]
        if !hiddenColumns.isEmpty {
            let n = hiddenColumns.count
            let names = hiddenColumns.prefix(namedHidden).joined(separator: ", ") + (n > namedHidden ? ", …" : "")
            lines.append("\(n) column\(n == 1 ? "" : "s") not shown: \(names) — .format vertical or select")
        }
        if let partial = summary.partial { lines.append(CellText.singleLine(partial)) }
        return lines
    }

    /// Greedy word wrap; a word longer than the width keeps a line of its own.
    static func wrap(_ line: String, width: Int) -> [String] {
        guard displayWidth(line) > width else { return [line] }
        var out: [String] = []
        var current = ""
        for word in line.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if current.isEmpty || displayWidth(candidate) <= width {
                current = candidate
            } else {
                out.append(current)
                current = String(word)
            }
        }
        out.append(current)
        return out
    }

    /// Seconds to two decimals, without Foundation's formatter.
    static func formatSeconds(_ s: Double) -> String {
        guard s.isFinite, s >= 0, s < 1e12 else { return s.description }
        let cs = Int((s * 100).rounded())
        let frac = cs % 100
        return "\(cs / 100)." + (frac < 10 ? "0" : "") + String(frac)
    }
}

/// ANSI styles, applied after measuring so escapes never count as width.
enum ANSI {
    enum Style {
        case bold, dim

        func apply(_ s: String) -> String {
            switch self {
            case .bold: ANSI.bold(s)
            case .dim: ANSI.dim(s)
            }
        }
    }

    static func bold(_ s: String) -> String { "\u{1B}[1m" + s + "\u{1B}[0m" }
    static func dim(_ s: String) -> String { "\u{1B}[2m" + s + "\u{1B}[0m" }
}
