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
        // 1,400 nested parentheses overflowed the stack (recursive descent). Nesting
        // past Parser.maxDepth (256) is an error; parentheses, unary minus, subqueries
        // and each operator of a chain count.
        Case(text: "customers | where " + String(repeating: "(", count: 1400) + "x" + String(repeating: ")", count: 1400),
             code: "E012"),
        Case(text: "customers | where " + String(repeating: "(", count: 100) + "x" + String(repeating: ")", count: 100),
             code: nil),
        Case(text: "customers | select v = " + String(repeating: "- ", count: 5000) + "1", code: "E012"),
        Case(text: "customers | select v = " + String(repeating: "[", count: 300), code: "E012"),
        Case(text: String(repeating: "(", count: 300) + "customers" + String(repeating: ")", count: 300), code: "E012"),
        Case(text: "customers | where " + Array(repeating: "a = 1", count: 300).joined(separator: " or "), code: "E012"),
        Case(text: "customers | where " + Array(repeating: "a = 1", count: 100).joined(separator: " or "), code: nil),
    ]

    /// Statements whose printed form did not parse back to the same tree.
    static let roundTrips = [
        // A contact id shaped almost like a uuid (9-3-4-4-12, or with fullwidth digits,
        // which Character.isHexDigit accepts) printed bare, and the lexer read it back as
        // a number running into letters: the printer now uses the lexer's own test.
        "customer \"f2f34d258-de6-4c94-9e50-80a58d6527f4\" | select id",
        "timeline \"３f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c\"",
        // A chain of comparisons parses flat and prints parenthesized, `((a = b) != c) …`:
        // with only parentheses counted toward the depth limit, 140 of them printed
        // past it. Each operator of the chain counts now, so what parses prints back.
        "customers | where a " + Array(repeating: "= b != c", count: 120).joined(separator: " "),
        "customers | where x is null is null is null = a is not null",
        // A meta command's arguments were trimmed as Characters: printed `.x ٙ`, the
        // space and the combining mark after it are one Character, which stayed.
        ".x\r\r\r\u{0659}\r\r",
        ".\u{FFFD}\r\u{0301}",
        // A name in backticks on the right of a comparison became a bare word, so the
        // empty name `` `` `` printed as nothing: `x = , 0`. It stays a field now.
        "customers | select ``-cstomer=``,00| select ``-00\n",
        "customers | where a = `b c` and d in [`e f`, ``]",
        // The same in parentheses, where the backticks are not the operand's first token:
        // a name the lexer would not read back as one plain word stays a field.
        "customers | where a = (`b c`) or a = (``) or a = (`and`) or a = (`true`) or d in [(`e f`)]",
        "customers | where a = (by) or a = (`left`) or a = (`1x`)",
        // A quote followed by a combining mark is one Character: escaped by Character,
        // it was not escaped at all, and the printed string ended at it.
        "from \"a\\\"\u{17D2}b\" | where x = \"\\\"\u{0301}\" or y = \"\\\\\u{0301}\"",
        // An unnamed comparison in a projection printed without its parentheses, and
        // read back as a column named after its left side.
        "customers | summarize(\u{FFFD}\u{FFFD}= av2)\n",
        "customers | select (a = b), c = (d = e) | summarize (x = 1) by (y = 2)",
        "from \"5bad\\\\\\\"v\u{FFFD}v.z \\\\\\\\\\\\\\\"v.j\\\"\u{17D2}\u{9A}t2\u{1D}\\\"\u{FFFD}ail`m\u{02}\u{00} ps.jQvv\"\n",
    ]

    @Test(arguments: roundTrips)
    func printsBackToTheSameTree(_ text: String) throws {
        let first = try #require(try Parser.parseStatement(text))
        let printed = Printer.statement(first)
        let again = try Parser.parse(SourceText(printed))
        #expect(again == [first], "printed: \(printed)")
    }

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
