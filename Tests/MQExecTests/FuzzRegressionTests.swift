@testable import MQExec
import MQCore
import MQSyntax
import Testing

/// Crashes in evaluation and aggregation found with scripts/fuzz's session target
/// (Fuzz/Session), which runs statements on awkward rows: by the fuzzer, or by the inputs
/// tried by hand while writing it. Each is minimized, with what it must give now. Keep
/// every one: the fuzzer's corpus is not in git.
@Suite struct FuzzRegressionTests {
    static let now = Instant(year: 2026, month: 11, day: 15, hour: 12)
    static let row = JSONObject(pairs: [("big", .int(Int.max)), ("small", .int(Int.min)), ("x", .double(1.25))])

    /// The value of `select v = EXPR` on `row`.
    static func value(_ expr: String) throws -> JSON {
        guard case .query(let q)? = try Parser.parseStatement("from \"x.json\" | select v = \(expr)")?.kind,
              case .select(let ps) = q.stages[0].kind
        else { throw CancellationError() }
        return Evaluator(now: now).eval(ps[0].expr, row).json
    }

    // `sum` of integers trapped on overflow (messaging's `sent` at Int.max, plus 3).
    // Integers overflow into a double, as `+` does; one that overflows and comes back
    // stays exact.
    @Test func sumOfIntegersOverflowsIntoADouble() {
        #expect(Aggregation.aggregate("sum", [.int(Int.max), .int(3)], count: 2) == .double(Double(Int.max) + 3))
        #expect(Aggregation.aggregate("sum", [.int(Int.min), .int(-1)], count: 2) == .double(Double(Int.min) - 1))
        #expect(Aggregation.aggregate("sum", [.int(Int.max), .int(1), .int(-2)], count: 3) == .int(Int.max - 1))
        #expect(Aggregation.aggregate("sum", [.bool(true), .bool(true)], count: 2) == .int(2))
    }

    @Test(arguments: [
        // date ± seconds converted the seconds with Int(s * 1000), which traps past
        // Int.max; and a date past year 9999 printed with its fifth digit dropped. Outside
        // years 0000–9999 a date is null.
        ("today + 1e300", JSON.null),
        ("2026-04 + 9223372036854775807", .null),
        ("2026-04 - 1e11", .null),
        ("9999-12-31T23:59:59.999Z + 1", .null),
        ("9999-12-31 + 86399", .string("9999-12-31T23:59:59.000Z")),
        ("2026-04 - 3600", .string("2026-03-31T23:00:00.000Z")),
        // -Int.min does not fit in an Int: into a double, as + - * overflow.
        ("-small", .double(9_223_372_036_854_775_808.0)),
        ("-big", .int(-Int.max)),
        // round's places became an Int unchecked (round(x, 1e300) trapped) and were
        // counted one by one (round(x, 1e9) took seconds).
        ("round(x, 1e300)", .double(1.25)),
        ("round(x, 1000000000)", .double(1.25)),
        ("round(x, 1)", .double(1.3)),
        ("round(x)", .int(1)),
        ("round(x, -2)", .int(1)),
    ])
    func evaluates(_ expr: String, _ expected: JSON) throws {
        #expect(try Self.value(expr) == expected, "\(expr)")
    }
}
