/// The one description of each function: its name, how many arguments it takes, what
/// kind it folds or reads, and its help. The parser checks calls against it, the
/// planner tells aggregates by it, completion, hints and `.help functions` list it, and
/// the evaluator registers one implementation per entry (a test checks each has one).
public struct FunctionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A value from each row's values.
        case scalar
        /// Folds a group's rows into one value (`summarize`).
        case aggregate
    }

    /// What an argument must be for the result to be a value (else null), as far as a
    /// warning can tell from the catalog.
    public enum Takes: Sendable, Equatable { case any, numbers }

    public let name: String
    public let arity: ClosedRange<Int>
    public let kind: Kind
    public var takes: Takes = .any
    /// How it is called: `round(X)` or `round(X, DIGITS)`.
    public let signature: String
    public let help: String
    /// A stage that uses it, after `customers | `; HelpTests run each one.
    public let example: String

    public var isAggregate: Bool { kind == .aggregate }

    public static let all: [FunctionSpec] = [
        FunctionSpec(name: "lower", arity: 1...1, kind: .scalar, signature: "`lower(TEXT)`",
                     help: "the text in lower case", example: "select n = lower(name)"),
        FunctionSpec(name: "upper", arity: 1...1, kind: .scalar, signature: "`upper(TEXT)`",
                     help: "the text in upper case", example: "select n = upper(name)"),
        FunctionSpec(name: "len", arity: 1...1, kind: .scalar, signature: "`len(TEXT)` or `len(LIST)`",
                     help: "characters of a text, elements of a list, members of an object", example: "where len(labels) > 1"),
        FunctionSpec(name: "coalesce", arity: 1...16, kind: .scalar, signature: "`coalesce(A, B, …)`",
                     help: "the first argument that is not null", example: "select name, who = coalesce(agent.name, \"nobody\")"),
        FunctionSpec(name: "round", arity: 1...2, kind: .scalar, signature: "`round(X)` or `round(X, DIGITS)`",
                     help: "a number rounded to DIGITS places (0 by default)", example: "select name, r = round(csat, 1)"),
        FunctionSpec(name: "days_since", arity: 1...1, kind: .scalar, signature: "`days_since(DATE)`",
                     help: "whole days from a date-time to now", example: "where days_since(lastConversationAt) > 30"),
        FunctionSpec(name: "date", arity: 1...1, kind: .scalar, signature: "`date(DATE)`",
                     help: "the UTC day of a date-time, YYYY-MM-DD", example: "count by day = date(createdAt)"),
        FunctionSpec(name: "month", arity: 1...1, kind: .scalar, signature: "`month(DATE)`",
                     help: "the UTC month of a date-time, YYYY-MM", example: "count by m = month(createdAt)"),
        // Aggregates (summarize).
        FunctionSpec(name: "count", arity: 0...1, kind: .aggregate,
                     signature: "`count()` or `count(X)`",
                     help: "rows, or the rows where X is not null", example: "summarize n = count(), rated = count(csat)"),
        FunctionSpec(name: "sum", arity: 1...1, kind: .aggregate, takes: .numbers, signature: "`sum(X)`",
                     help: "the total of the numbers (null when there is none); of a condition, the rows where it holds",
                     example: "summarize sum(conversations) by category"),
        FunctionSpec(name: "avg", arity: 1...1, kind: .aggregate, takes: .numbers, signature: "`avg(X)`",
                     help: "the mean of the numbers; of a condition, the share of rows where it holds",
                     example: "summarize avg(csat) by category"),
        FunctionSpec(name: "min", arity: 1...1, kind: .aggregate, signature: "`min(X)`",
                     help: "the least value, in sort order", example: "summarize min(createdAt)"),
        FunctionSpec(name: "max", arity: 1...1, kind: .aggregate, signature: "`max(X)`",
                     help: "the greatest value, in sort order", example: "summarize max(lastConversationAt) by category"),
        FunctionSpec(name: "median", arity: 1...1, kind: .aggregate, takes: .numbers, signature: "`median(X)`",
                     help: "the middle number (the mean of the two middle ones)", example: "summarize median(avgFirstResponseSeconds)"),
        FunctionSpec(name: "distinct", arity: 1...1, kind: .aggregate, signature: "`distinct(X)`",
                     help: "how many different values", example: "summarize distinct(agent.name) by category"),
    ]

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> FunctionSpec? { byName[name.lowercased()] }

    public static var scalarNames: [String] { all.filter { !$0.isAggregate }.map(\.name) }
    public static var aggregateNames: [String] { all.filter(\.isAggregate).map(\.name) }
    public static var aggregateSet: Set<String> { Set(aggregateNames) }
}
