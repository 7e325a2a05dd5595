/// The one description of each function: its name, its arguments and what kind each
/// takes, what it gives, and its help. The parser checks calls against it, the planner
/// tells aggregates by it and checks argument kinds with it, completion, hints and
/// `.help` list it, and the evaluator registers one implementation per entry (a test
/// checks each has one).
public struct FunctionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A value from each row's values.
        case scalar
        /// Folds a group's rows into one value (`summarize`); with `over (…)`, each row's
        /// partition (running with `sort`).
        case aggregate
        /// Only with `over (…)`: a row's place in its partition (`rank`, `lag`).
        case window
    }

    /// What an argument must be, or what a result is, as far as the plan can tell.
    public enum ValueKind: Sendable, Equatable {
        case any, text, number, date, boolean, list
        /// A duration literal: `1h`, `1d`, `1w`.
        case duration
        /// A number literal from 0 to 100.
        case percent
    }

    public let name: String
    public let kind: Kind
    /// One kind per argument; with `repeats`, the last one any number of times more.
    public let args: [ValueKind]
    /// How many arguments may be left out at the end.
    public var optional = 0
    /// The last argument kind repeats (`coalesce`, `concat`, `case`).
    public var repeats = false
    /// Arguments come in (condition, value) pairs and then an else (`case`).
    public var pairs = false
    public let returns: ValueKind
    /// How it is called: `round(X)` or `round(X, DIGITS)`.
    public let signature: String
    public let help: String
    /// A stage that uses it, after `customers | `; the tests run each one.
    public let example: String

    public var isAggregate: Bool { kind == .aggregate }
    /// May carry `over (…)`: window functions and aggregates.
    public var takesOver: Bool { kind != .scalar }
    /// `rank` and its kin need an order: `over (sort …)`.
    public var needsSort: Bool { ["row_number", "rank", "dense_rank"].contains(name) }

    /// The numbers of arguments it takes (`repeats`: up to 32).
    public var arity: ClosedRange<Int> { (args.count - optional)...(repeats ? 32 : args.count) }

    /// The kind the argument at `index` must be.
    public func kind(ofArgument index: Int) -> ValueKind {
        if pairs { return .any }
        return index < args.count ? args[index] : args.last ?? .any
    }

    static func scalar(_ name: String, _ args: [ValueKind], optional: Int = 0, repeats: Bool = false, pairs: Bool = false,
                       returns: ValueKind, _ signature: String, _ help: String, example: String) -> FunctionSpec
    {
        FunctionSpec(name: name, kind: .scalar, args: args, optional: optional, repeats: repeats, pairs: pairs,
                     returns: returns, signature: signature, help: help, example: example)
    }

    static func window(_ name: String, _ args: [ValueKind], optional: Int = 0, returns: ValueKind, _ signature: String,
                       _ help: String, example: String) -> FunctionSpec
    {
        FunctionSpec(name: name, kind: .window, args: args, optional: optional, returns: returns, signature: signature,
                     help: help, example: example)
    }

    static func aggregate(_ name: String, _ args: [ValueKind], optional: Int = 0, returns: ValueKind, _ signature: String,
                          _ help: String, example: String) -> FunctionSpec
    {
        FunctionSpec(name: name, kind: .aggregate, args: args, optional: optional, returns: returns, signature: signature,
                     help: help, example: example)
    }

    public static let all: [FunctionSpec] = [
        // Conditionals
        .scalar("if", [.any, .any, .any], returns: .any, "`if(COND, THEN, ELSE)`",
                "THEN where COND is true, else ELSE (null counts as false)",
                example: "select name, tier = if(conversations > 5, \"busy\", \"quiet\")"),
        .scalar("case", [.any, .any, .any], repeats: true, pairs: true, returns: .any, "`case(C1, V1, C2, V2, …, ELSE)`",
                "the value after the first true condition, else the last argument",
                example: "select name, band = case(csat >= 4, \"good\", csat >= 3, \"fair\", \"poor\")"),
        .scalar("coalesce", [.any], repeats: true, returns: .any, "`coalesce(A, B, …)`",
                "the first argument that is not null", example: "select name, who = coalesce(agent.name, \"nobody\")"),
        // Text
        .scalar("lower", [.text], returns: .text, "`lower(TEXT)`", "the text in lower case", example: "select n = lower(name)"),
        .scalar("upper", [.text], returns: .text, "`upper(TEXT)`", "the text in upper case", example: "select n = upper(name)"),
        .scalar("len", [.any], returns: .number, "`len(TEXT)` or `len(LIST)`",
                "characters of a text, elements of a list, members of an object", example: "where len(labels) > 1"),
        .scalar("substr", [.text, .number, .number], optional: 1, returns: .text, "`substr(TEXT, START)` or `substr(TEXT, START, LENGTH)`",
                "the characters from START (1 is the first; -1 the last), LENGTH of them or to the end",
                example: "select name, prefix = substr(phone, 1, 3)"),
        .scalar("replace", [.text, .text, .text], returns: .text, "`replace(TEXT, OLD, NEW)`",
                "the text with every OLD replaced by NEW", example: "select p = replace(phone, \"+\", \"00\")"),
        .scalar("split", [.text, .text], returns: .list, "`split(TEXT, SEPARATOR)`",
                "the parts between separators, as a list (each character for an empty separator)",
                example: "select name, parts = split(name, \" \")"),
        .scalar("trim", [.text], returns: .text, "`trim(TEXT)`", "the text without white space at either end",
                example: "select n = trim(name)"),
        .scalar("starts_with", [.text, .text], returns: .boolean, "`starts_with(TEXT, PREFIX)`",
                "whether the text begins with PREFIX (exactly, case included)", example: "where starts_with(phone, \"+44\")"),
        .scalar("ends_with", [.text, .text], returns: .boolean, "`ends_with(TEXT, SUFFIX)`",
                "whether the text ends with SUFFIX (exactly, case included)", example: "where ends_with(email, \".com\")"),
        .scalar("concat", [.any], repeats: true, returns: .text, "`concat(A, B, …)`",
                "the arguments as text, one after another (nulls left out)",
                example: "select label = concat(name, \" (\", category, \")\")"),
        // Numbers
        .scalar("round", [.number, .number], optional: 1, returns: .number, "`round(X)` or `round(X, DIGITS)`",
                "a number rounded to DIGITS places (0 by default)", example: "select name, r = round(csat, 1)"),
        .scalar("floor", [.number], returns: .number, "`floor(X)`", "the greatest whole number not above X",
                example: "select name, f = floor(avgFirstResponseSeconds)"),
        .scalar("ceil", [.number], returns: .number, "`ceil(X)`", "the least whole number not below X",
                example: "select name, c = ceil(avgFirstResponseSeconds)"),
        .scalar("abs", [.number], returns: .number, "`abs(X)`", "X without its sign",
                example: "select name, gap = abs(messagesIn - messagesOut)"),
        // Dates
        .scalar("days_since", [.date], returns: .number, "`days_since(DATE)`", "whole days from a date-time to now",
                example: "where days_since(lastConversationAt) > 30"),
        .scalar("date", [.date], returns: .date, "`date(DATE)`", "the UTC day of a date-time, YYYY-MM-DD",
                example: "count by day = date(createdAt)"),
        .scalar("month", [.date], returns: .date, "`month(DATE)`", "the UTC month of a date-time, YYYY-MM",
                example: "count by m = month(createdAt)"),
        .scalar("year", [.date], returns: .number, "`year(DATE)`", "the UTC year of a date-time, a number",
                example: "count by y = year(createdAt)"),
        .scalar("week", [.date], returns: .date, "`week(DATE)`",
                "the Monday that starts the date's ISO week (UTC), YYYY-MM-DD", example: "count by w = week(createdAt)"),
        .scalar("weekday", [.date], returns: .number, "`weekday(DATE)`", "1 for Monday … 7 for Sunday (UTC)",
                example: "count by d = weekday(createdAt)"),
        .scalar("hour", [.date], returns: .number, "`hour(DATE)`", "the UTC hour, 0 to 23",
                example: "count by h = hour(lastConversationAt)"),
        .scalar("bin", [.date, .duration], returns: .date, "`bin(DATE, DURATION)`",
                "the date-time rounded down to a whole number of DURATIONs since 1970-01-01T00:00Z",
                example: "count by slot = bin(createdAt, 6h)"),
        // Aggregates (summarize)
        .aggregate("count", [.any], optional: 1, returns: .number, "`count()` or `count(X)`",
                   "rows, or the rows where X is not null", example: "summarize n = count(), rated = count(csat)"),
        .aggregate("count_if", [.any], returns: .number, "`count_if(COND)`", "the rows where COND is true",
                   example: "summarize unhappy = count_if(csat < 3) by category"),
        .aggregate("sum", [.number], returns: .number, "`sum(X)`",
                   "the total of the numbers (null when there is none); of a condition, the rows where it holds",
                   example: "summarize sum(conversations) by category"),
        .aggregate("avg", [.number], returns: .number, "`avg(X)`",
                   "the mean of the numbers; of a condition, the share of rows where it holds",
                   example: "summarize avg(csat) by category"),
        .aggregate("min", [.any], returns: .any, "`min(X)`", "the least value, in sort order", example: "summarize min(createdAt)"),
        .aggregate("max", [.any], returns: .any, "`max(X)`", "the greatest value, in sort order",
                   example: "summarize max(lastConversationAt) by category"),
        .aggregate("median", [.number], returns: .number, "`median(X)`",
                   "the middle number (the mean of the two middle ones)", example: "summarize median(avgFirstResponseSeconds)"),
        .aggregate("percentile", [.number, .percent], returns: .number, "`percentile(X, P)`",
                   "the P-th percentile (P from 0 to 100), interpolated between the two nearest numbers",
                   example: "summarize p90 = percentile(avgFirstResponseSeconds, 90) by category"),
        .aggregate("distinct", [.any], returns: .number, "`distinct(X)`", "how many different values",
                   example: "summarize distinct(agent.name) by category"),
        .aggregate("first", [.any], returns: .any, "`first(X)`", "the first value that is not null, in input order",
                   example: "summarize first(name) by category"),
        .aggregate("last", [.any], returns: .any, "`last(X)`", "the last value that is not null, in input order",
                   example: "summarize last(name) by category"),
        // Window functions (`derive`, `select`)
        .window("row_number", [], returns: .number, "`row_number() over (by … sort …)`",
                "1, 2, 3 … in each partition's order (ties in input order)",
                example: "derive n = row_number() over (by category sort -conversations)"),
        .window("rank", [], returns: .number, "`rank() over (by … sort …)`",
                "1 + the rows before in the partition's order; ties share a rank, and leave a gap",
                example: "derive r = rank() over (by category sort -conversations) | where r <= 3"),
        .window("dense_rank", [], returns: .number, "`dense_rank() over (by … sort …)`",
                "as rank, without gaps after ties", example: "derive r = dense_rank() over (sort -conversations)"),
        .window("lag", [.any, .number], optional: 1, returns: .any, "`lag(X) over (…)` or `lag(X, K) over (…)`",
                "X of the row K rows before (1 by default) in the partition; null past the edge",
                example: "derive before = lag(conversations) over (by category sort createdAt)"),
        .window("lead", [.any, .number], optional: 1, returns: .any, "`lead(X) over (…)` or `lead(X, K) over (…)`",
                "X of the row K rows after (1 by default) in the partition; null past the edge",
                example: "derive after = lead(conversations) over (by category sort createdAt)"),
    ]

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> FunctionSpec? { byName[name.lowercased()] }

    public static var scalarNames: [String] { all.filter { $0.kind == .scalar }.map(\.name) }
    public static var windowNames: [String] { all.filter { $0.kind == .window }.map(\.name) }
    public static var aggregateNames: [String] { all.filter(\.isAggregate).map(\.name) }
    public static var aggregateSet: Set<String> { Set(aggregateNames) }
}
