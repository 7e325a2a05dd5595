import MQFormat
import Testing

@Suite struct ChartsTests {
    @Test func largestBarFillsWhatLabelAndValueLeave() {
        // 30 columns - label 1 - value 3 - two spaces = 24 for the bar.
        let text = Charts.bars([("a", 100), ("b", 50), ("c", 25)], width: 30)
        #expect(text == """
            a ████████████████████████ 100
            b ████████████ 50
            c ██████ 25

            """)
        #expect(text.split(separator: "\n").map { displayWidth(String($0)) }.max() == 30)
    }

    @Test func drawsEighthsAndPrintsValuesAsGiven() {
        // Bar space 12 - 1 - 2 - 2 = 7; 3/16 of 7 columns is 10.5 eighths, rounded to 11: █▍.
        #expect(Charts.bars([("x", 16), ("y", 3)], width: 12) == "x ███████ 16\ny █▍ 3\n")
        // Integers without decimals, others short; a tiny positive value still shows.
        #expect(Charts.bars([("p", 41.0), ("q", 0.5), ("r", 1.0 / 3), ("s", 0.001)], width: 20) == """
            p ████████████ 41
            q ▏ 0.5
            r ▏ 0.33
            s ▏ 0.001

            """)
    }

    @Test func negativeAndZeroValuesGetNoBarButKeepTheirValue() {
        #expect(Charts.bars([("up", 10), ("none", 0), ("down", -3)], width: 20) == """
            up   ████████████ 10
            none  0
            down  -3

            """)
        #expect(Charts.bars([("all", -1), ("neg", -2)], width: 20) == "all  -1\nneg  -2\n")
    }

    @Test func cutsLabelsLongerThanAThirdOfTheWidth() {
        // 40 columns: labels up to 12, leaving 40 - 12 - 1 - 2 = 25 for the bar.
        let text = Charts.bars([("a very long label indeed", 2), ("short", 1)], width: 40)
        #expect(text == """
            a very long… █████████████████████████ 2
            short        ████████████▌ 1

            """)
    }

    @Test func noItemsNoChart() {
        #expect(Charts.bars([], width: 80) == "")
    }

    @Test(arguments: [
        ([1, 2, 3, 4, 5, 6, 7, 8], "▁▂▃▄▅▆▇█"),
        ([8, 1], "█▁"),
        ([0, 10, 5], "▁█▅"),  // 3.5 of 7 rounds up
        ([-1, 0, 1], "▁▅█"),
        ([5, 5, 5], "▄▄▄"),
        ([42], "▄"),
        ([], ""),
        ([1, .nan, 2], "▁ █"),
    ] as [([Double], String)])
    func sparklineLevels(_ values: [Double], _ expected: String) {
        #expect(Charts.sparkline(values) == expected)
    }

    /// Found while writing the session fuzz target (Fuzz/Session): with values near
    /// ±1.8e308, high − low overflowed to infinity, inf / inf gave NaN, and Int(NaN) trapped.
    @Test func sparklineOfTheWidestDoubles() {
        #expect(Charts.sparkline([-1e308, 0, 1e308]) == "▁▅█")
        #expect(Charts.sparkline([-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude]) == "▁█")
    }
}
