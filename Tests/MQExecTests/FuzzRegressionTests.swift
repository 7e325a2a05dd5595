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
}
