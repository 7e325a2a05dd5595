import MQCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one JSON value reads in a cell of any format: the shared spelling of scalars
/// and nested values, before each format adds its own escaping.
enum CellText {
    /// Strings without quotes, numbers and booleans as JSON spells them, nested arrays
    /// and objects as compact JSON; nil for null (each format shows null its own way).
    ///
    /// `forReading` (tables, vertical, markdown: formats people read) shows a double with
    /// at most 6 decimals, so an average reads 4.098406 rather than 4.09840579710145;
    /// csv, tsv and json keep every digit.
    static func plain(_ value: JSON, forReading: Bool = false) -> String? {
        switch value {
        case .null: return nil
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        // `description` is what JSONWriter writes (421.6, 5.0); non-finite numbers have no
        // JSON spelling, and a cell saying "nan" is more honest than one saying "null".
        case .double(let d): return forReading ? readable(d) : d.description
        case .string(let s): return s
        case .array, .object: return value.jsonText
        }
    }

    /// At most 6 decimals, trailing zeros dropped (`4.098406`, `405.7`, `5.0`). A number
    /// so small that 6 decimals would show it as 0 keeps 6 significant digits instead
    /// (`1.23457e-07`), and one past 1e15 its shortest spelling: rounding never turns
    /// a value into another that reads as exact.
    static func readable(_ d: Double) -> String {
        let exact = d.description
        guard d.isFinite, d != 0 else { return exact }
        let magnitude = abs(d)
        if magnitude >= 1e15 { return exact }
        if magnitude < 0.0005 {
            let scale = pow(10, 5 - log10(magnitude).rounded(.down))
            guard scale.isFinite else { return exact }
            let r = (d * scale).rounded() / scale
            return r.isFinite && r != 0 ? r.description : exact
        }
        let r = (d * 1e6).rounded() / 1e6
        // -0.0000001 rounds to -0.0: it reads as 0, which it is to 6 decimals.
        return r == 0 ? "0.0" : r.description
    }

    static func isNumber(_ value: JSON) -> Bool {
        switch value {
        case .int, .double: return true
        default: return false
        }
    }

    /// The text made safe for one terminal line: line breaks become `↵`, tabs a space,
    /// and other control characters U+FFFD, so data can neither break a row nor send
    /// escape sequences to the terminal.
    static func singleLine(_ s: String) -> String {
        var clean = true
        for b in s.utf8 where b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2 {
            // 0xC2 leads the UTF-8 of U+0080–U+00BF, which holds the C1 controls; 0xD8 and
            // 0xE2 lead those of the bidi controls (U+061C, U+200E…U+2069).
            clean = false
            break
        }
        if clean { return s }
        var out = String.UnicodeScalarView()
        var afterCR = false
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A:
                if !afterCR { out.append("↵") }
            case 0x0D:
                out.append("↵")
            case 0x09:
                out.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0:
                out.append("\u{FFFD}")
            case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                // A bidi control would make the cell, and the rest of its line, read
                // reversed: it is shown as its code point.
                out.append(contentsOf: "\\u{\(String(u.value, radix: 16, uppercase: true))}".unicodeScalars)
            default:
                out.append(u)
            }
            afterCR = u.value == 0x0D
        }
        return String(out)
    }
}
