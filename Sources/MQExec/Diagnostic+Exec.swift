import MQSyntax

/// The session's mistakes (meta commands, warnings found while rows flow), one factory a
/// code (`DiagnosticCode`).
extension Diagnostic {
    /// `.timing maybe`, `.pager sometimes`.
    static func badMetaArgument(_ name: String, takes choices: String, at s: Span, hint: String) -> Diagnostic {
        Diagnostic(.badMetaArgument, "`.\(name)` takes \(choices)", at: s, hints: [hint])
    }

    static func noHelp(_ word: String, names: [String], topics: [String], at s: Span) -> Diagnostic {
        Diagnostic(.noHelp, "no help on `\(word)`", at: s,
                   hints: Hints.didYouMean(Hints.closest(word, in: names)) + ["topics: " + topics.joined(separator: " ")])
    }

    /// `where category = "Billing"` matched nothing, and a value differs only in case.
    static func caseMismatch(field: String, op: String, text: String, nearMiss: String, at s: Span) -> Diagnostic {
        Diagnostic(.caseMismatch, "no row has \(field) \(op == "has" ? "holding " : "")\"\(text)\"; values differ in case", at: s,
                   hints: ["did you mean \"\(nearMiss)\"? `=` and `has` compare text exactly; `~` ignores case"])
    }
}
