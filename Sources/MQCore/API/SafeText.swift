/// Text that came from a server (an error `message`, a body's first bytes, a redirect's
/// `Location`, a cursor), made safe to print on a terminal.
///
/// A hostile or broken proxy could otherwise clear the screen or retitle the window
/// with ESC, OSC or BEL sequences, make a line read reversed with a bidi override, or
/// flood the terminal with a 5 MB message. So, in every such text mq prints:
/// - C0 controls and DEL are shown as `\xNN` (`\x1b` for ESC), with `\n`, `\r` and `\t`
///   shown as those two characters;
/// - C1 controls (U+0080–U+009F) and the bidi controls (U+061C, U+200E, U+200F,
///   U+202A–U+202E, U+2066–U+2069) are shown as `\u{NNNN}`;
/// - past `cap` bytes (about 1 KB) the text is cut at a character and ends
///   `(… N bytes more)`.
/// Data written as csv, tsv or json is never changed: this is for messages only.
public enum SafeText {
    public static let cap = 1024

    public static func terminal(_ s: String, cap: Int = SafeText.cap) -> String {
        var needsWork = s.utf8.count > cap
        if !needsWork {
            for b in s.utf8 where b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2 {
                needsWork = true
                break
            }
        }
        if !needsWork { return s }
        var out = ""
        var used = 0
        let total = s.utf8.count
        for u in s.unicodeScalars {
            let piece: String
            switch u.value {
            case 0x0A: piece = "\\n"
            case 0x0D: piece = "\\r"
            case 0x09: piece = "\\t"
            case 0x00..<0x20, 0x7F: piece = "\\x" + hex(u.value, width: 2)
            case 0x80..<0xA0, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                piece = "\\u{" + hex(u.value, width: 4) + "}"
            default: piece = String(u)
            }
            let size = String(u).utf8.count
            if used + size > cap {
                out += "(… \(total - used) bytes more)"
                return out
            }
            used += size
            out += piece
        }
        return out
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
