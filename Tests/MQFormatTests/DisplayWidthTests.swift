import MQFormat
import Testing

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("", 0),
        ("plain ascii", 11),
        ("José Pérez", 10),  // precomposed é
        ("Jose\u{301} Pe\u{301}rez", 10),  // e + combining acute
        ("\u{301}", 0),  // a lone combining mark
        ("e\u{20DD}", 1),  // enclosing circle
        ("a\u{200B}b", 2),  // zero-width space
        ("王小明", 6),
        ("한국어", 6),
        ("カタカナ", 8),
        ("ｶﾀｶﾅ", 4),  // halfwidth katakana
        ("ＡＢ", 4),  // fullwidth Latin
        ("。、", 4),  // ideographic punctuation
        ("😀", 2),
        ("👍🏽", 2),  // with a skin-tone modifier
        ("👨‍👩‍👧", 2),  // a ZWJ sequence
        ("🇪🇸", 2),  // a flag
        ("❤️", 2),  // text default turned emoji by U+FE0F
        ("❤", 1),
        ("1️⃣", 2),  // a keycap: ASCII digit + U+FE0F + U+20E3
        ("─┼│…↵∅█▏", 8),  // what the renderers draw with
        ("𠀀", 2),  // CJK extension B, outside the BMP
        ("Zoë 王 😀", 9),
    ])
    func measuresTerminalColumns(_ s: String, _ width: Int) {
        #expect(displayWidth(s) == width)
    }
}
