/// `chart F` (counts of each value of F) or `chart LABEL VALUE`: horizontal unicode bars
/// scaled to the width, each labelled with its value; and `spark F`: a sparkline.
public enum Charts {
    /// Horizontal bars, one line per item in order:
    ///
    ///     es  ████████████████████▌ 41
    ///     pt  ██████▏ 12
    ///
    /// Labels are left-aligned and cut with `…` past 30% of the width; the largest value's
    /// bar fills what the label and the widest printed value leave, and smaller bars are
    /// drawn to an eighth of a column. A positive value too small to see still gets `▏`;
    /// zero, negative and non-finite values get no bar, but their value is printed.
    ///
    /// - Parameters:
    ///   - items: (label, value) pairs in order.
    ///   - width: total columns available.
    public static func bars(_ items: [(label: String, value: Double)], width: Int) -> String {
        guard !items.isEmpty else { return "" }
        let labels = items.map { CellText.singleLine($0.label) }
        let values = items.map { formatValue($0.value) }
        let labelWidth = min(labels.map(displayWidth).max() ?? 0, max(1, width * 3 / 10))
        let valueWidth = values.map(displayWidth).max() ?? 0
        // label, space, bar, space, value
        let barSpace = max(1, width - labelWidth - valueWidth - 2)
        let largest = items.map(\.value).filter { $0.isFinite && $0 > 0 }.max() ?? 0

        var out = ""
        for (i, item) in items.enumerated() {
            var eighths = 0
            if largest > 0, item.value.isFinite, item.value > 0 {
                eighths = Int((item.value / largest * Double(barSpace * 8)).rounded())
                eighths = min(max(eighths, 1), barSpace * 8)
            }
            out += labels[i].truncated(toWidth: labelWidth).padded(toWidth: labelWidth)
            out += " " + bar(eighths: eighths) + " " + values[i] + "\n"
        }
        return out
    }

    /// One character per value, `▁` for the smallest to `█` for the largest; a constant
    /// series is all `▄`, a non-finite value a space, and an empty series "".
    public static func sparkline(_ values: [Double]) -> String {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            return String(repeating: " ", count: values.count)
        }
        var out = ""
        for v in values {
            if !v.isFinite {
                out.append(" ")
            } else if high == low {
                out.append(levels[3])
            } else {
                // In halves: high − low overflows to infinity for values near ±1.8e308
                // (and then inf / inf is NaN, which no Int holds); halving is exact.
                out.append(levels[Int(((v / 2 - low / 2) / (high / 2 - low / 2) * 7).rounded())])
            }
        }
        return out
    }

    private static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    private static let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    private static func bar(eighths: Int) -> String {
        String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
    }

    /// Integers without decimals; others as Swift prints them when that is short,
    /// else to two decimals (a bar's label does not need 0.30000000000000004).
    public static func formatValue(_ v: Double) -> String {
        guard v.isFinite else { return v.description }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        let short = v.description
        if short.count <= 10 { return short }
        let scaled = (abs(v) * 100).rounded()
        guard scaled < 1e15 else { return short }
        let cents = Int(scaled)
        var text = String(cents / 100)
        let frac = cents % 100
        if frac != 0 {
            text += frac % 10 == 0 ? ".\(frac / 10)" : (frac < 10 ? ".0\(frac)" : ".\(frac)")
        }
        return (v < 0 && cents != 0 ? "-" : "") + text
    }
}
