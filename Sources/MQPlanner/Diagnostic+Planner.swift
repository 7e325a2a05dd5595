import MQCore
import MQSyntax

/// The planner's mistakes, one factory a code (`DiagnosticCode`). Those whose hints need
/// the session's variables (`notAValue`, `unknownVariable`) are the planner's methods,
/// and `kindWarnings` words W002 from the catalog's kinds.
extension Diagnostic {
    /// `summary since …` (the source does not take it), `from "f.csv" since …` (no file does).
    static func clauseNotTaken(_ clause: String, by entry: CatalogEntry?, at s: Span) -> Diagnostic {
        let message = entry.map { "`\($0.name)` does not take `\(clause)`" } ?? "`\(clause)` applies to API sources only"
        let hint = entry.map {
            "\($0.name) takes: " + $0.clauses.joined(separator: ", ") + (clause == "where" ? "" : "; filter with `| where …`")
        } ?? "filter local rows with `| where …`"
        return Diagnostic(.clauseNotTaken, message, at: s, hints: [hint])
    }

    static func notAnAggregate(at s: Span) -> Diagnostic {
        Diagnostic(.notAnAggregate, "`summarize` takes aggregates: " + FunctionSpec.aggregateNames.map { $0 + "()" }.joined(separator: " "),
                   at: s, hints: ["e.g. `summarize n = count(), avg(csat) by category`",
                                  "an expression over them works too: `round(avg(csat), 2)`"])
    }

    static func flattenNeedsField(at s: Span) -> Diagnostic {
        Diagnostic(.flattenNeedsField, "`flatten` takes a field", at: s, hints: ["e.g. `| flatten labels`"])
    }

    static func unknownField(_ path: [String], known: [String], at s: Span) -> Diagnostic {
        Diagnostic(.unknownField, "unknown field `\(path.joined(separator: "."))`", at: s,
                   hints: Hints.didYouMean(Hints.closest(path[0], in: known)) + ["fields here: " + known.joined(separator: ", ")])
    }

    static func invalidRegex(_ pattern: String, at s: Span) -> Diagnostic {
        Diagnostic(.invalidRegex, "invalid regular expression \"\(pattern)\"", at: s,
                   hints: ["ICU syntax, e.g. `name =~ \"^(ann|bob)\"`; `~` matches plain text"])
    }

    /// `customer ""`, `timeline $x` where `$x` is blank.
    static func emptyContact(_ source: String, at s: Span) -> Diagnostic {
        Diagnostic(.emptyContact, "`\(source)` needs a contact: its id, phone, email or name", at: s,
                   hints: ["e.g. `\(source) \"+447700900123\"`, or `customers search \"…\" | select id, name` to find one"])
    }

    static func notText(_ what: String, at s: Span) -> Diagnostic {
        Diagnostic(.notText, "\(what) must be a text value", at: s, hints: ["e.g. \"…\" or a `$NAME` that holds one"])
    }

    /// `text`: what was written, when it is text that is no date.
    static func notADate(_ text: String?, at s: Span) -> Diagnostic {
        Diagnostic(.notADate, text.map { "`\($0)` is not a date" } ?? "expected a date here", at: s,
                   hints: ["dates: 2026-04, 2026-04-15, 2026-04-15T10:30Z, today, this_week, last_month, -7d, -1mo, "
                           + "or arithmetic on one: month(today) - 1mo"])
    }

    /// `1mo` other than added to or taken from a date: a month is 28 to 31 days.
    static func monthNotSeconds(_ text: String, at s: Span) -> Diagnostic {
        Diagnostic(.monthNotSeconds, "`\(text)` is a calendar month, not a number of seconds", at: s,
                   hints: ["a month moves a date: `createdAt + \(text)`, `month(today) - \(text)`, `-\(text)` (that long before now)",
                           "a fixed length is in days or weeks: 30d, 4w"])
    }

    static func variableNotACount(_ what: String, variable v: String, holds value: JSON, at s: Span) -> Diagnostic {
        Diagnostic(.variableNotACount, "`\(what)` needs a whole number; $\(v) is \(value.jsonText)", at: s,
                   hints: ["e.g. `let n = 20` then `\(what) $n`"])
    }

    static func aggregateOfWrongKind(_ f: String, field: String, is kind: String, at s: Span) -> Diagnostic {
        Diagnostic(.aggregateOfWrongKind, "`\(f)(\(field))`: `\(field)` is \(kind), so this is null", at: s,
                   hints: [Planner.aggregateKinds])
    }

    /// `rank()` with no `over (…)`.
    static func windowWithoutOver(_ spec: FunctionSpec, at s: Span) -> Diagnostic {
        Diagnostic(.windowWithoutOver, "`\(spec.name)` needs `over (…)`: it is a row's place among others", at: s,
                   hints: ["e.g. `\(spec.example)`"])
    }

    /// `over` where it cannot be: outside `derive`/`select`, or on a scalar function.
    static func overNotAllowed(_ f: String, at s: Span, reason: String) -> Diagnostic {
        Diagnostic(.overNotAllowed, "`\(f)(…) over (…)` is not allowed here: \(reason)", at: s,
                   hints: ["e.g. `derive r = rank() over (by category sort -conversations) | where r <= 3`"])
    }

    /// `rank() over (by category)`: a rank needs an order.
    static func windowNeedsSort(_ spec: FunctionSpec, at s: Span) -> Diagnostic {
        Diagnostic(.windowNeedsSort, "`\(spec.name)` needs an order: `over (… sort FIELD)`", at: s, hints: ["e.g. `\(spec.example)`"])
    }
}
