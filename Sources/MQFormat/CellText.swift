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
    /// `forReading` (tables, vertical, markdown: formats people read) shows a double to 15
    /// significant digits, so an average reads 4.3668 rather than 4.3668000000000005;
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

    /// The shortest spelling, unless it needs more than 15 significant digits (binary
    /// noise such as 0.30000000000000004): then 15, trailing zeros dropped.
    static func readable(_ d: Double) -> String {
        let exact = d.description
        guard d.isFinite, exact.utf8.count > 16 else { return exact }
        let magnitude = log10(abs(d)).rounded(.down)
        let scale = pow(10, 14 - magnitude)
        guard scale.isFinite, scale > 0 else { return exact }
        let rounded = (d * scale).rounded() / scale
        return rounded.isFinite ? rounded.description : exact
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
        for b in s.utf8 where b < 0x20 || b == 0x7F || b == 0xC2 {
            // 0xC2 leads the UTF-8 of U+0080–U+00BF, which holds the C1 controls.
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
            default:
                out.append(u)
            }
            afterCR = u.value == 0x0D
        }
        return String(out)
    }
}
