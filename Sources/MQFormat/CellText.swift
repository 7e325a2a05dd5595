import MQCore

/// How one JSON value reads in a cell of any format: the shared spelling of scalars
/// and nested values, before each format adds its own escaping.
enum CellText {
    /// Strings without quotes, numbers and booleans as JSON spells them, nested arrays
    /// and objects as compact JSON; nil for null (each format shows null its own way).
    static func plain(_ value: JSON) -> String? {
        switch value {
        case .null: return nil
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        // `description` is what JSONWriter writes (421.6, 5.0); non-finite numbers have no
        // JSON spelling, and a cell saying "nan" is more honest than one saying "null".
        case .double(let d): return d.description
        case .string(let s): return s
        case .array, .object: return value.jsonText
        }
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
