import MQCore
import Testing

/// `DecimalDouble.exact` must give `strtod`'s Double bit for bit, or nil.
@Suite struct DecimalDoubleTests {
    static func exact(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { DecimalDouble.exact($0) }
    }

    @Test func givesStrtodsDoubleBitForBitOnRandomDecimals() {
        var rng = SplitMix64(seed: 53)
        var fast = 0, declined = 0
        for _ in 0..<300_000 {
            var text = rng.below(4) == 0 ? "-" : ""
            let intDigits = 1 + rng.below(12)
            let first = rng.below(8) == 0 ? 0 : 1 + rng.below(9)
            text += String(first)
            if first != 0 { for _ in 1..<intDigits { text += String(rng.below(10)) } }
            let fraction = rng.below(10)
            if fraction > 0 || rng.below(2) == 0 {
                text += "."
                for _ in 0..<max(fraction, 1) { text += String(rng.below(10)) }
            }
            if rng.below(3) == 0 {
                text += rng.pick(["e", "E", "e+", "e-", "E-"]) + String(rng.below(30))
            }
            let want = Double(text)!
            guard let got = DecimalDoubleTests.exact(text) else {
                declined += 1
                continue
            }
            guard got.bitPattern == want.bitPattern else {
                Issue.record("\(text): strtod \(want), fast path \(got)")
                return
            }
            fast += 1
        }
        // The fast path takes most numbers and declines some: both are exercised.
        #expect(fast > 150_000)
        #expect(declined > 10_000)
    }

    @Test(arguments: [
        ("0.1", 0.1), ("-0.0", -0.0), ("40886.1", 40886.1), ("4.5", 4.5), ("1e22", 1e22), ("1e-22", 1e-22),
        ("9007199254740993", nil), ("1e23", nil), ("12345678901234567890.5", nil), ("1e-23", nil),
    ] as [(String, Double?)])
    func takesOnlyWhatIsExact(_ text: String, _ want: Double?) {
        let got = DecimalDoubleTests.exact(text)
        #expect(got?.bitPattern == want?.bitPattern)
    }
}
