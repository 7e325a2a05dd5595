/// The number of terminal columns `s` takes.
///
/// Measured per grapheme cluster, as terminals draw them: combining marks, format
/// characters and controls take 0; East Asian wide and fullwidth characters and emoji
/// (including flags, ZWJ sequences and text characters forced to emoji with U+FE0F)
/// take 2; everything else takes 1. East Asian "ambiguous" characters (box drawing,
/// `…`, `↵`) count as 1, as in every Western locale.
public func displayWidth(_ s: String) -> Int {
    // Fast path: printable ASCII is one column a byte.
    var ascii = true
    for b in s.utf8 where b < 0x20 || b >= 0x7F {
        ascii = false
        break
    }
    if ascii { return s.utf8.count }
    var width = 0
    for c in s { width += displayWidth(c) }
    return width
}

/// The number of terminal columns one grapheme cluster takes: 0, 1 or 2.
func displayWidth(_ c: Character) -> Int {
    let scalars = c.unicodeScalars
    guard let first = scalars.first else { return 0 }
    let v = first.value
    if v < 0x20 || v == 0x7F { return 0 }
    // ASCII alone; with U+FE0F and U+20E3 a digit or `#` becomes a keycap emoji.
    if v < 0x7F && scalars.count == 1 { return 1 }
    let p = first.properties
    switch p.generalCategory {
    case .nonspacingMark, .enclosingMark, .format, .control: return 0
    default: break
    }
    if p.isEmojiPresentation || (0x1F1E6...0x1F1FF).contains(v) { return 2 }
    // A text-default emoji (❤, ☺, a digit in a keycap) turned into emoji by U+FE0F.
    if p.isEmoji, scalars.contains("\u{FE0F}") { return 2 }
    return isWide(v) ? 2 : 1
}

/// East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15, less the emoji that
/// `isEmojiPresentation` already covers. Sorted, for a binary search.
private let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F,  // Hangul Jamo initial consonants
    0x2329...0x232A,  // angle brackets
    0x2E80...0x303E,  // CJK radicals, Kangxi, CJK symbols and punctuation
    0x3041...0x33FF,  // kana, Bopomofo, Hangul compatibility Jamo, enclosed CJK
    0x3400...0x4DBF,  // CJK extension A
    0x4E00...0x9FFF,  // CJK unified ideographs
    0xA000...0xA4CF,  // Yi
    0xA960...0xA97F,  // Hangul Jamo extended A
    0xAC00...0xD7A3,  // Hangul syllables
    0xF900...0xFAFF,  // CJK compatibility ideographs
    0xFE10...0xFE19,  // vertical forms
    0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
    0xFF00...0xFF60,  // fullwidth forms
    0xFFE0...0xFFE6,  // fullwidth signs
    0x16FE0...0x16FE4,  // ideographic symbols
    0x17000...0x18CFF,  // Tangut, Khitan
    0x1AFF0...0x1B2FF,  // kana supplement and extensions, Nushu
    0x1F200...0x1F2FF,  // enclosed ideographic supplement
    0x20000...0x2FFFD,  // CJK extensions B–F, compatibility supplement
    0x30000...0x3FFFD,  // CJK extensions G–H
]

private func isWide(_ v: UInt32) -> Bool {
    guard v >= 0x1100 else { return false }
    var lo = 0
    var hi = wideRanges.count - 1
    while lo <= hi {
        let mid = (lo + hi) / 2
        let r = wideRanges[mid]
        if v < r.lowerBound {
            hi = mid - 1
        } else if v > r.upperBound {
            lo = mid + 1
        } else {
            return true
        }
    }
    return false
}

extension String {
    /// The string cut to at most `width` columns, ending in `…` when anything was cut.
    func truncated(toWidth width: Int) -> String {
        guard width > 0 else { return "" }
        if displayWidth(self) <= width { return self }
        var out = ""
        var used = 0
        for c in self {
            let w = displayWidth(c)
            if used + w > width - 1 { break }
            out.append(c)
            used += w
        }
        out.append("…")
        return out
    }

    /// The string padded with spaces to `width` columns, on the right (left-aligned) or
    /// on the left (right-aligned). A string already that wide is returned unchanged.
    func padded(toWidth width: Int, rightAligned: Bool = false) -> String {
        let gap = width - displayWidth(self)
        guard gap > 0 else { return self }
        let spaces = String(repeating: " ", count: gap)
        return rightAligned ? spaces + self : self + spaces
    }

    /// The string without the spaces that padding left at its end.
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
