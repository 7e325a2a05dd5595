@testable import MQExec
import MQCore
import MQSyntax
import Testing

/// The functions of language.md v2, edge by edge; the text and number ones where DuckDB
/// has the same function give DuckDB's answer (the differential test checks more).
@Suite struct FunctionTests {
    static let now = Instant(year: 2026, month: 11, day: 15, hour: 12)  // a Sunday
    static let row = JSONObject(pairs: [
        ("s", "hello"), ("u", "héllo"), ("n", 7), ("x", -1.5), ("none", .null), ("t", "2027-01-01T13:45:00Z"),
        ("sunday", "2026-11-15T23:59:59Z"),
    ])

    /// `select v = EXPR` evaluated against `row`.
    static func value(_ expr: String) throws -> JSON {
        let statements = try Parser.parse(SourceText("from \"x.json\" | select v = \(expr)"))
        guard case .query(let q) = try #require(statements.first).kind, case .select(let ps) = q.stages[0].kind else {
            Issue.record("not a select: \(expr)")
            return .null
        }
        return Evaluator(now: now).eval(ps[0].expr, row).json
    }

    @Test(arguments: [
        // Conditionals: null is false; case takes the first true condition.
        ("if(n > 5, \"big\", \"small\")", JSON.string("big")), ("if(none, 1, 2)", 2), ("if(n, 1, 2)", 1),
        ("case(n > 10, \"a\", n > 5, \"b\", \"c\")", "b"), ("case(none, 1, 2)", 2), ("case(false, 1, none > 0, 2, 3)", 3),
        // substr as DuckDB's substring: 1-based, negative start from the end, negative length backwards.
        ("substr(s, 2)", "ello"), ("substr(s, 0, 2)", "h"), ("substr(s, -2)", "lo"), ("substr(s, -2, 1)", "l"),
        ("substr(s, 9)", ""), ("substr(s, 2, -1)", "h"), ("substr(u, 2, 2)", "él"), ("substr(s, -9, 3)", ""),
        ("substr(none, 1)", .null), ("substr(s, none)", .null),
        // a negative length from beyond the end takes what is left before START (it trapped)
        ("substr(\"12\", 4, -2)", "2"), ("substr(\"12\", 4, -1)", ""), ("substr(\"ab\", 9, -8)", "ab"),
        ("substr(\"ab\", -1, -1)", "a"),
        // replace, split: code point by code point; an empty pattern
        ("replace(\"aaa\", \"a\", \"b\")", "bbb"), ("replace(s, \"\", \"x\")", "hello"), ("replace(s, \"L\", \"x\")", "hello"),
        ("split(\"a,b,,c\", \",\")", ["a", "b", "", "c"]), ("split(\"abc\", \"\")", ["a", "b", "c"]), ("split(none, \",\")", .null),
        ("trim(\"  a b \")", "a b"), ("trim(none)", .null),
        ("starts_with(s, \"he\")", true), ("starts_with(s, \"\")", true), ("starts_with(s, \"He\")", false),
        ("ends_with(s, \"llo\")", true), ("ends_with(\"lo\", \"hello\")", false), ("ends_with(none, \"x\")", .null),
        // concat leaves nulls out, as DuckDB's
        ("concat(\"a\", none, 1)", "a1"), ("concat(none, none)", ""),
        // numbers: ints stay ints
        ("floor(x)", -2), ("ceil(x)", -1), ("floor(n)", 7), ("abs(-3)", 3), ("abs(x)", 1.5), ("abs(none)", .null),
        ("floor(\"1.5\")", .null),
        // dates in UTC: 2027-01-01 is a Friday in the ISO week that began on Monday 2026-12-28
        ("year(t)", 2027), ("week(t)", "2026-12-28"), ("weekday(t)", 5), ("hour(t)", 13),
        ("weekday(sunday)", 7), ("week(sunday)", "2026-11-09"), ("year(none)", .null), ("week(s)", .null),
        ("bin(t, 1d)", "2027-01-01T00:00:00.000Z"), ("bin(t, 6h)", "2027-01-01T12:00:00.000Z"),
        ("bin(1969-12-31T23:00:00Z, 1d)", "1969-12-31T00:00:00.000Z"), ("bin(t, 7d)", "2026-12-31T00:00:00.000Z"),
        // A date value (bin's, a date literal) is read as the ISO text it prints as, by every
        // text function (lower and concat did; substr, replace, split, trim, starts_with and
        // ends_with gave null, which the differential test found)
        ("substr(bin(t, 1d), 1, 10)", "2027-01-01"), ("starts_with(bin(t, 6h), \"2027-01-01T12\")", true),
        ("ends_with(bin(t, 1d), \".000Z\")", true), ("split(bin(t, 1d), \"T\")", ["2027-01-01", "00:00:00.000Z"]),
        ("trim(bin(t, 1d))", "2027-01-01T00:00:00.000Z"), ("replace(2026-04-15, \"-\", \"\")", "20260415T00:00:00.000Z"),
    ] as [(String, JSON)])
    func scalar(_ expr: String, _ expected: JSON) throws {
        #expect(try Self.value(expr) == expected, "\(expr)")
    }

    @Test(arguments: [
        // percentile interpolates as DuckDB's quantile_cont: [1, 2, 3, 4] at 90 is 3.7
        ("percentile", [1, 2, 3, 4] as [JSON], [90] as [JSON], JSON.double(3.7)),
        ("percentile", [4, 1, 3, 2], [0], 1.0), ("percentile", [4, 1, 3, 2], [100], 4.0), ("percentile", [5], [50], 5.0),
        ("percentile", [], [50], .null),
        ("count_if", [true, false, true], [], 2), ("count_if", [], [], 0),
        ("first", ["a", "b"], [], "a"), ("last", ["a", "b"], [], "b"), ("first", [], [], .null),
    ] as [(String, [JSON], [JSON], JSON)])
    func aggregate(_ f: String, _ values: [JSON], _ extra: [JSON], _ expected: JSON) {
        let got = Aggregation.aggregate(f, values.map(Value.init), count: values.count, hasArgument: true,
                                        extra: extra.map(Value.init)).json
        #expect(got == expected, "\(f)(\(values), \(extra))")
    }

    /// `first` and `last` are of the non-null values, in the order the rows came.
    @Test func firstAndLastSkipNullsInInputOrder() async throws {
        let statements = try Parser.parse(SourceText("from \"x.json\" | summarize f = first(v), l = last(v)"))
        guard case .query(let q) = try #require(statements.first).kind, case .summarize(let aggs, _) = q.stages[0].kind else {
            Issue.record("not a summarize")
            return
        }
        let fold = GroupFold(by: [], aggs: aggs, eval: Evaluator(now: Self.now))
        fold.add([JSONObject(pairs: [("v", .null)]), JSONObject(pairs: [("v", "b")]), JSONObject(pairs: [("v", "c")]),
                  JSONObject(pairs: [("v", .null)])])
        let rows = try fold.summarized()
        var out: [JSONObject] = []
        while let b = try await rows.next() { out += b }
        #expect(out.count == 1 && out[0]["f"] == "b" && out[0]["l"] == "c", "\(out)")
    }
}
