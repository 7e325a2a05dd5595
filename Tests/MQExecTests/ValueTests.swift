@testable import MQExec
import MQCore
import MQSyntax
import Testing

/// The comparison rules the README states, one by one.
@Suite struct ValueTests {
    static let row: JSONObject = JSONObject(pairs: [
        ("email", .null), ("phone", "+14155550100"), ("n", 3), ("d", 2.5), ("name", "Ana Gómez"),
        ("createdAt", "2026-11-03T10:00:00.000Z"), ("labels", ["vip", "new"]), ("note", "soon"),
    ])

    /// Evaluates `customers | where EXPR`'s expression against `row`.
    static func truth(_ text: String) throws -> Bool {
        guard case .query(let q)? = try Parser.parseStatement("from \"x.json\" | where \(text)")?.kind,
              case .where(let e) = q.stages[0].kind
        else { throw CancellationError() }
        return Evaluator(now: Instant(year: 2026, month: 11, day: 15, hour: 12)).eval(e, row).truthy
    }

    @Test(arguments: [
        // null
        ("email = null", true), ("email is null", true), ("email != null", false), ("email = \"\"", false),
        ("email < 5", false), ("email > 5", false), ("not (email > 5)", true), ("phone is not null", true),
        // numbers by value
        ("n = 3.0", true), ("d > n", false), ("n * 2 = 6", true), ("n / 2 = 1.5", true), ("n / 0 is null", true),
        // mixed kinds: never equal, never ordered
        ("phone = 14155550100", false), ("phone > 5", false), ("phone < 5", false), ("n = \"3\"", false),
        // dates: instants; a month literal means its first instant; a non-date string compares false
        ("createdAt >= 2026-11", true), ("createdAt < 2026-11-03T10:00:01Z", true), ("createdAt = 2026-11-03T10:00Z", true),
        ("createdAt > -7d", false), ("createdAt > -30d", true), ("createdAt < today", true), ("note > 2020-01", false),
        // text: code points, case-sensitive; ~ is case-insensitive contains
        ("name = \"ana gómez\"", false), ("name ~ \"GÓMEZ\"", true), ("name < \"B\"", true), ("name =~ \"^Ana\"", true),
        // lists and arrays
        ("n in [1, 2, 3]", true), ("labels has \"vip\"", true), ("labels has \"VIP\"", false), ("labels ~ \"ne\"", true),
        // durations are seconds
        ("n < 1m", true), ("3600 = 1h", true),
        // numbers exactly: 2^53 + 1 is not 2^53 (both Doubles would be)
        ("9007199254740993 = 9007199254740992", false), ("9007199254740992 = 9007199254740992.0", true),
        ("0 = -0.0", true), ("[1, 2] = [1.0, 2]", true), ("[1] = [\"1\"]", false),
        // date-time arithmetic: a date-time field or date() result ± a duration is a date-time
        ("createdAt + 1d = 2026-11-04T10:00Z", true), ("date(createdAt) + 1d = 2026-11-04", true),
        ("createdAt - 1h < createdAt", true), ("createdAt - date(createdAt) = 10h", true),
        // weeks are 7 days; calendar months move the date, clamped to the month's end, keeping the time
        ("createdAt + 1w = 2026-11-10T10:00Z", true), ("1w = 7d", true), ("createdAt - -1w = 0 - 5d - 2h", true),
        ("createdAt + 1mo = 2026-12-03T10:00Z", true), ("createdAt - 1mo = 2026-10-03T10:00Z", true),
        ("1mo + createdAt = 2026-12-03T10:00Z", true), ("createdAt + 13mo = 2027-12-03T10:00Z", true),
        ("2026-01-31 + 1mo = 2026-02-28", true), ("2024-01-31 + 1mo = 2024-02-29", true),
        ("2026-03-31 - 1mo = 2026-02-28", true), ("2026-03-31T23:30Z - 13mo = 2025-02-28T23:30Z", true),
        ("date(createdAt) + 1mo = 2026-12-03", true), ("month(createdAt) - 1mo = 2026-10", true),
        ("note + 1mo is null", true), ("n + 1mo is null", true), ("9999-12-15 + 1mo is null", true),
        // -1mo and -4w are that long before now (2026-11-15T12:00Z)
        ("createdAt > -1mo", true), ("createdAt > -1w", false), ("-1mo = 2026-10-15T12:00Z", true),
        ("-4w = 2026-10-18T12:00Z", true),
        // period words are their first instant; date − date is seconds
        ("this_week = 2026-11-09", true), ("last_week = 2026-11-02", true), ("this_month = 2026-11", true),
        ("last_month = 2026-10-01T00:00Z", true), ("createdAt >= this_month", true), ("createdAt >= this_week", false),
        ("createdAt >= last_week", true), ("createdAt < last_month", false), ("createdAt - last_week = 1d + 10h", true),
        ("this_month + 1mo = 2026-12", true), ("last_month - 1mo = 2026-09", true),
    ])
    func rule(_ expr: String, _ expected: Bool) throws {
        // (The cases above include KeyValue's rule: grouping keys equal exactly when = holds.)
        #expect(try Self.truth(expr) == expected, "\(expr)")
    }

    @Test func sortingPutsNullsLastThenOrdersByKind() {
        let values: [Value] = [.null, .string("b"), .int(2), .bool(true), .string("a"), .double(1.5), .null]
        let sorted = values.sorted { Compare.sortOrder($0, $1) < 0 }
        #expect(sorted == [.bool(true), .double(1.5), .int(2), .string("a"), .string("b"), .null, .null])
    }
}

/// Grouping, distinct and join keys use `=`'s equality (language.md v2).
@Suite struct KeyValueTests {
    static let pairs: [(JSON, JSON, Bool)] = [
        (10, 10.0, true), (0, -0.0, true), (.int(1 << 53 + 1), .double(9007199254740992), false),
        (1, "1", false), (1, true, false), ("1", true, false), (.null, .null, true), (.null, 0, false),
        ("a", "a", true), ("a", "A", false), ([1, 2], [1.0, 2.0], true), (["k": 1], ["k": 1.0], true),
        (1.5, 1.5, true), (1.5, 1.25, false),
    ]

    @Test(arguments: 0..<pairs.count)
    func keysAreEqualExactlyWhenEqualsHolds(_ i: Int) {
        let (a, b, equal) = Self.pairs[i]
        #expect((KeyValue(a) == KeyValue(b)) == equal, "\(a.jsonText) vs \(b.jsonText)")
        #expect(Compare.equal(Value(a), Value(b)) == equal, "= agrees: \(a.jsonText) vs \(b.jsonText)")
        if equal { #expect(KeyValue(a).hashValue == KeyValue(b).hashValue) }
    }
}
