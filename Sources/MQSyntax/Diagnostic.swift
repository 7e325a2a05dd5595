import MQCore

/// A problem with a statement: a stable code, what is wrong, where, and what to try.
///
/// Messages are made by the static factories below, next to their codes, so every
/// wording is in one place and each code is used for one kind of mistake.
public struct Diagnostic: Error, Sendable, Equatable {
    public let kind: DiagnosticCode
    /// `E021`, as printed.
    public var code: String { kind.rawValue }
    public let message: String
    public let span: Span
    public var hints: [String]
    /// The statement ended before it was complete (an open quote or parenthesis, a
    /// trailing `|`): the shell asks for a continuation line instead of reporting it.
    public var isIncomplete: Bool

    public init(_ code: DiagnosticCode, _ message: String, at span: Span, hints: [String] = [], incomplete: Bool = false) {
        kind = code
        self.message = message
        self.span = span
        self.hints = hints
        isIncomplete = incomplete
    }

    /// The line, a caret under the span, and the hints:
    ///
    ///     error[E021]: unknown stage `srot`
    ///      --> <command>:1:13
    ///       |
    ///     1 | customers | srot name
    ///       |             ^^^^
    ///       = hint: did you mean `sort`?
    ///
    /// Hints wrap at spaces to fit `width` columns, continuing under their first word;
    /// the line and caret never wrap, so that the caret stays under its column.
    public func render(_ source: SourceText, color: Bool = false, width: Int = .max) -> String {
        let (line, column) = anchor(source)
        let text = source.line(line)
        let gutter = String(line).count
        let pad = String(repeating: " ", count: gutter)
        let endCol: Int = {
            let (l2, c2) = source.location(of: span.end)
            return l2 == line ? c2 : text.count + 1
        }()
        let caretWidth = max(1, endCol - column)
        let caret = String(repeating: " ", count: max(0, column - 1)) + String(repeating: "^", count: caretWidth)
        let (red, blue, bold, reset) = color ? ("\u{1B}[31m", "\u{1B}[34m", "\u{1B}[1m", "\u{1B}[0m") : ("", "", "", "")
        // A warning (code W…) is rendered the same way, in yellow: the statement runs.
        let label = isWarning ? "warning" : "error"
        let tint = color && isWarning ? "\u{1B}[33m" : red
        var out = "\(tint)\(bold)\(label)[\(code)]\(reset)\(bold): \(message)\(reset)\n"
        out += "\(pad)\(blue)-->\(reset) \(source.name):\(line):\(column)\n"
        out += "\(pad) \(blue)|\(reset)\n"
        out += "\(blue)\(line) |\(reset) \(text)\n"
        out += "\(pad) \(blue)|\(reset) \(tint)\(caret)\(reset)\n"
        let lead = "\(pad) = hint: ".count
        for h in hints {
            let lines = Diagnostic.wrap(h, width: width - lead)
            out += "\(pad) \(blue)=\(reset) hint: \(lines[0])\n"
            for l in lines.dropFirst() { out += String(repeating: " ", count: lead) + l + "\n" }
        }
        return out
    }

    /// Words of `text` in lines of at most `width` characters (a longer word stands alone).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard text.count > width, width >= 20 else { return [text] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        lines.append(line)
        return lines
    }

    /// Where the caret goes. An input that ran out (`customers | where (x > 1` and a
    /// newline) ends on the blank line after the statement: the caret goes right after
    /// the statement's last character instead, where the missing part belongs.
    func anchor(_ source: SourceText) -> (line: Int, column: Int) {
        var (line, column) = source.location(of: span.start)
        guard span.end <= span.start else { return (line, column) }
        while line > 1, source.line(line).allSatisfy(\.isWhitespace) {
            line -= 1
            column = source.line(line).count + 1
        }
        return (line, column)
    }

    /// `FILE:LINE:COL: error[CODE]: message`, for one-line reports.
    public func oneLine(_ source: SourceText) -> String {
        let (line, column) = anchor(source)
        return "\(source.name):\(line):\(column): \(isWarning ? "warning" : "error")[\(code)]: \(message)"
    }

    /// A likely mistake that is not an error (a filter that cannot match): said with its
    /// caret, and the statement runs. Codes start with W.
    public var isWarning: Bool { code.hasPrefix("W") }
}

// MARK: - the codes

extension Diagnostic {
    static func unexpectedCharacter(_ c: String, at s: Span) -> Diagnostic {
        let hint: String = switch c {
        case "'": "text takes double quotes: \"like this\""
        case "$": "a variable is `$NAME` (set with `let NAME = …`), a script argument `$1`"
        case "&": "conditions join with `and`"
        case "!": "`!=` means not equal; `not` negates a condition"
        default: "operators: = != < <= > >= ~ =~ + - * / and or not in has; text in double quotes"
        }
        return Diagnostic(.unexpectedCharacter, "unexpected character `\(c)`", at: s, hints: [hint])
    }
    static func unterminatedString(at s: Span) -> Diagnostic {
        Diagnostic(.unterminatedString, "unterminated string", at: s, hints: ["close it with `\"`"], incomplete: true)
    }
    static func unknownEscape(_ seq: String, at s: Span) -> Diagnostic {
        Diagnostic(.unknownEscape, "unknown escape `\(seq)` in a string", at: s,
                   hints: ["a string knows \\\" \\\\ \\n \\t \\r \\uXXXX; for a backslash write \\\\, or use a raw string, which has no escapes: r\"^\\+44\\d+\""])
    }
    static func badUnicodeEscape(_ seq: String, at s: Span) -> Diagnostic {
        Diagnostic(.badUnicodeEscape, "invalid unicode escape `\(seq)`", at: s,
                   hints: ["write \\u and four hex digits (\\u00e9); a character outside the BMP is a surrogate pair (\\ud83d\\ude00), or type it as it is"])
    }
    static func invalidLiteral(_ text: String, _ why: String, at s: Span, hint: String) -> Diagnostic {
        Diagnostic(.invalidLiteral, "invalid literal `\(text)`: \(why)", at: s, hints: [hint])
    }
    static func unterminatedIdentifier(at s: Span) -> Diagnostic {
        Diagnostic(.unterminatedQuotedName, "unterminated quoted name", at: s, hints: ["close it with a backtick"], incomplete: true)
    }
    static func incomplete(expected: String, after: String, at s: Span) -> Diagnostic {
        Diagnostic(.incomplete, "expected \(expected) after \(after)", at: s, incomplete: true)
    }
    static func unexpected(_ found: String, expected: String, at s: Span, hints: [String] = []) -> Diagnostic {
        Diagnostic(.unexpected, "expected \(expected), found \(found)", at: s, hints: hints)
    }
    static func tooDeep(_ limit: Int, at s: Span) -> Diagnostic {
        Diagnostic(.tooDeep, "nested more than \(limit) levels deep", at: s,
                   hints: ["keep a part with `let` and use it as `$NAME`, or write `x in [a, b, c]` for a chain of `or`s"])
    }
    public static func unknownSource(_ name: String, at s: Span, suggestion: String?) -> Diagnostic {
        // `select * from customers`: SQL puts the projection first.
        let hints = Stage.names.contains(name.lowercased())
            ? ["`\(name)` is a stage: a statement starts with its source, `\(Catalog.customers.name) | \(name.lowercased()) …`"]
            : Hints.didYouMean(suggestion)
        return Diagnostic(.unknownSource, "unknown source `\(name)`", at: s, hints: hints + [sources])
    }
    static let stages = "stages: " + Usage.stageNames.joined(separator: " ")
    static var sources: String { "sources: \(Catalog.synopsis), from \"FILE\", $NAME" }
    static func unknownStage(_ name: String, at s: Span, suggestion: String?) -> Diagnostic {
        let hints = Hints.otherLanguages[name.lowercased()].map { ["`\(name)` is `\($0.stage)` here: `| \($0.example)`"] }
            ?? (suggestion == nil ? [stages] : Hints.didYouMean(suggestion))
        return Diagnostic(.unknownStage, "unknown stage `\(name)`", at: s, hints: hints)
    }
    static func sortBy(at s: Span) -> Diagnostic {
        Diagnostic(.sortBy, "expected a field after `sort`, found `by`", at: s,
                   hints: ["`sort` takes the fields directly: `sort name`, `sort -conversations, name`"])
    }
    static func byWithoutAggregate(at s: Span) -> Diagnostic {
        Diagnostic(.byWithoutAggregate, "expected an aggregate before `by`", at: s,
                   hints: ["e.g. `summarize n = count(), avg(csat) by category`; `count by category` only counts"])
    }
    static func unknownClause(_ name: String, at s: Span, suggestion: String?) -> Diagnostic {
        Diagnostic(.unknownClause, "unexpected `\(name)` after the source", at: s,
                   hints: Hints.didYouMean(suggestion) + ["clauses: where, since, until, search, limit; stages follow `|`"])
    }
    public static func unknownMeta(_ name: String, at s: Span, suggestion: String?) -> Diagnostic {
        Diagnostic(.unknownMeta, "unknown meta command `.\(name)`", at: s, hints: Hints.didYouMean(suggestion.map { "." + $0 })
            + ["`.help` lists them"])
    }
    static func unknownFunction(_ name: String, at s: Span, suggestion: String?) -> Diagnostic {
        Diagnostic(.unknownFunction, "unknown function `\(name)`", at: s, hints: Hints.didYouMean(suggestion)
            + ["functions: \(FunctionSpec.scalarNames.joined(separator: " ")); in `summarize`: \(FunctionSpec.aggregateNames.joined(separator: " ")); "
                + "with `over (…)`: \(FunctionSpec.windowNames.joined(separator: " "))"])
    }
    static func arity(_ name: String, expected: String, got: Int, at s: Span) -> Diagnostic {
        Diagnostic(.arity, "`\(name)` takes \(expected), not \(got)", at: s,
                   hints: FunctionSpec.named(name).map { [$0.signature] } ?? [])
    }
    public static func unknownFormat(_ name: String, at s: Span, suggestion: String?) -> Diagnostic {
        Diagnostic(.unknownFormat, "unknown format `\(name)`", at: s,
                   hints: Hints.didYouMean(suggestion) + ["formats: " + OutputFormat.names(separator: ", ")])
    }
    public static func notACount(_ what: String, at s: Span) -> Diagnostic {
        Diagnostic(.notACount, "\(what) must be a whole number of at least 0", at: s,
                   hints: [(what == "top" ? "e.g. `top 3 agent.name`" : "e.g. `\(what) 20`") + ", or a `$NAME` that holds one"])
    }
    static func duplicateClause(_ name: String, at s: Span) -> Diagnostic {
        Diagnostic(.duplicateClause, "`\(name)` is given twice", at: s, hints: ["combine conditions with `and`"])
    }
    public static func emptyWindow(since: String, until: String, at s: Span) -> Diagnostic {
        Diagnostic(.emptyWindow, "the window is empty: `since` starts it at \(since) and `until` ends it at \(until), no later", at: s,
                   hints: ["`until` is the end of the window: `since 2026-01 until 2026-03` covers January to March; a month or day means its whole span"])
    }
    public static func flattenNameTaken(_ name: String, at s: Span) -> Diagnostic {
        Diagnostic(.flattenNameTaken, "`flatten` would put each element in `\(name)`, a field the rows already have", at: s,
                   hints: ["name the element's field: `flatten … as \(name)_item`"])
    }
    public static func unknownValue(_ value: String, field: String, suggestion: String?, known: [String], at s: Span) -> Diagnostic {
        Diagnostic(.unknownValue, "`\(value)` is not a known \(field): no row will match", at: s,
                   hints: Hints.didYouMean(suggestion) + ["known: " + known.joined(separator: ", ")])
    }
    public static func aggregateOutsideSummarize(_ name: String, at s: Span) -> Diagnostic {
        Diagnostic(.aggregateOutsideSummarize, "`\(name)()` is an aggregate: use it in `summarize`", at: s,
                   hints: ["e.g. `| summarize n = count(), \(name == "count" ? "avg(csat)" : "\(name)(csat)") by category`"])
    }
}

public enum Hints {
    /// What SQL, pandas, dplyr, jq and shell users reach for, and the stage that does it.
    public static let otherLanguages: [String: (stage: String, example: String)] = [
        "order": ("sort", "sort -conversations, name"), "orderby": ("sort", "sort -conversations, name"),
        "group": ("summarize … by", "summarize n = count() by category"), "groupby": ("summarize … by", "summarize n = count() by category"),
        "group_by": ("summarize … by", "summarize n = count() by category"), "aggregate": ("summarize", "summarize avg(csat) by category"),
        "agg": ("summarize", "summarize avg(csat) by category"), "having": ("where", "where n > 10"),
        "head": ("limit", "limit 10"), "first": ("limit", "limit 10"), "skip": ("offset", "offset 10"),
        "uniq": ("distinct", "distinct category"), "unique": ("distinct", "distinct category"),
        "unnest": ("flatten", "flatten labels"), "explode": ("flatten", "flatten labels"),
        "mutate": ("derive", "derive days = days_since(createdAt)"), "rename": ("select", "select newName = name"),
        "fields": ("select", "select name, phone"), "pick": ("select", "select name, phone"),
        "grep": ("where … ~", "where name ~ \"ann\""), "tail": ("sort … | limit", "sort -createdAt | limit 10"),
        "output": ("save", "save \"out.csv\""), "export": ("save", "save \"out.csv\""),
    ]

    public static func didYouMean(_ s: String?) -> [String] { s.map { ["did you mean `\($0)`?"] } ?? [] }

    /// The closest candidate within a small edit distance, for did-you-mean hints.
    public static func closest(_ word: String, in candidates: [String]) -> String? {
        let w = word.lowercased()
        var best: (String, Int)? = nil
        let length = w.count
        for c in candidates {
            let limit = max(1, min(3, c.count / 3))
            // The distance is at least the difference in length: a long word is not
            // compared in full (quadratic) against every short keyword.
            let lc = c.lowercased()
            guard abs(length - lc.count) <= limit else { continue }
            let d = distance(w, lc)
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        if best == nil, let prefix = candidates.first(where: { $0.lowercased().hasPrefix(w) && w.count >= 3 }) {
            return prefix
        }
        return best?.0
    }

    /// Damerau–Levenshtein (optimal string alignment) distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}
