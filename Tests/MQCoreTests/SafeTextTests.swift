import MQCore
import Testing

/// Server text on the terminal: no control sequence gets through, nothing huge.
@Suite struct SafeTextTests {
    @Test(arguments: [
        ("plain text", "plain text"),
        ("\u{1B}]0;pwned\u{07}title", "\\x1b]0;pwned\\x07title"),
        ("\u{1B}[2J\u{1B}[H", "\\x1b[2J\\x1b[H"),
        ("line\nnext\r\ttab", "line\\nnext\\r\\ttab"),
        ("del\u{7F}", "del\\x7f"),
        ("c1\u{9B}31m", "c1\\u{009b}31m"),
        ("abc\u{202E}fed", "abc\\u{202e}fed"),
        ("\u{2066}iso\u{2069} \u{200F}", "\\u{2066}iso\\u{2069} \\u{200f}"),
        ("café 日本 😀", "café 日本 😀"),
    ])
    func controlsAndBidiAreShownAsEscapes(_ raw: String, _ shown: String) {
        #expect(SafeText.terminal(raw) == shown)
    }

    @Test func longTextIsCutAtAboutAKilobyte() {
        let huge = String(repeating: "é", count: 2_500_000)  // 5 MB
        let shown = SafeText.terminal(huge)
        #expect(shown.utf8.count < 1100)
        #expect(shown.hasSuffix("(… 4998976 bytes more)"), "\(shown.suffix(40))")
        #expect(shown.hasPrefix("éé"))
    }
}

/// The statement's retry budget is wall time: waits that overlap are charged once.
@Suite struct RetryBudgetTests {
    @Test func overlappingWaitsAreChargedOnce() {
        let s = CallContext(retryBudget: 2)
        for _ in 0..<8 { #expect(s.spendRetryBudget(1, now: 10)) }  // eight requests back off together
        #expect(abs(s.retryBudgetLeft - 1) < 1e-9)
        #expect(s.spendRetryBudget(1, now: 10.5))  // overlaps half: charged 0.5
        #expect(abs(s.retryBudgetLeft - 0.5) < 1e-9)
        #expect(!s.spendRetryBudget(1, now: 20), "a second apart, a whole second is more than is left")
        // Without a clock each wait is charged whole, as before.
        let t = CallContext(retryBudget: 2)
        #expect(t.spendRetryBudget(1) && t.spendRetryBudget(1) && !t.spendRetryBudget(1))
    }
}
