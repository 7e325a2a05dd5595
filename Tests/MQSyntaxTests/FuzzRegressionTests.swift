import MQSyntax
import Testing

/// Inputs scripts/fuzz found crashing the lexer or parser (Fuzz/Parser), minimized, each
/// with what it must do now. Keep every one: the fuzzer's corpus is not in git.
@Suite struct FuzzRegressionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        /// The diagnostic's code, or nil when the text must parse.
        let code: String?
        var testDescription: String { text }
    }

    static let cases: [Case] = [
        // A duration's seconds times its unit overflowed Int (arithmetic overflow trap in
        // Lexer.number), and digits beyond Int were read as 0 seconds. A duration must fit
        // in milliseconds, as instants are.
        Case(text: "customers | where avgResolutionSeconds > 6666666666666666667m", code: "E003"),
        Case(text: "customers since -99999999999999999999d", code: "E003"),
        Case(text: "customers since -106751991168d", code: "E003"),
        Case(text: "customers since -106751991167d", code: nil),
    ]

    @Test(arguments: cases)
    func fuzzFinding(_ c: Case) {
        do {
            _ = try Parser.parse(SourceText(c.text))
            #expect(c.code == nil, "parsed; expected \(c.code ?? "")")
        } catch {
            #expect(error.code == c.code, "\(error.render(SourceText(c.text)))")
        }
    }
}
