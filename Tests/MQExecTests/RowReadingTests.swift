@testable import MQExec
import MQCore
import MQSyntax
import Testing

/// `RowReading` reads a plain field where it was in the row before. Over rows whose keys
/// come in changing orders, with the field missing, null, or the only key, and rows of
/// one shape in runs (the case it is for), it must read what `Evaluator.eval` reads, row
/// by row; other expressions go through `eval` itself.
@Suite struct RowReadingTests {
    static let span = Span(0, 0)
    static let now = Instant(year: 2026, month: 11, day: 15)

    static func rows(_ n: Int) -> [JSONObject] {
        var r = SplitMix64(seed: 5)
        var shape = ["a", "b", "c", "d"]
        return (0..<n).map { i in
            // A run of one key order, then another, now and then with a key left out.
            if r.below(8) == 0 { shape.shuffle(using: &r) }
            var keys = shape
            if r.below(5) == 0 { keys.remove(at: r.below(keys.count)) }
            if r.below(30) == 0 { keys = ["b"] }
            return JSONObject(pairs: keys.map { k in (k, r.below(10) == 0 ? .null : .string("\(k)\(i)")) })
        }
    }

    @Test func readsWhatEvalReads() {
        let eval = Evaluator(now: Self.now)
        let exprs = [
            Expr(.field(["b"]), Self.span),
            Expr(.field(["d"]), Self.span),
            Expr(.field(["zz"]), Self.span),
            Expr(.call("lower", [Expr(.field(["a"]), Self.span)]), Self.span),
        ]
        var readings = exprs.map(RowReading.init)
        var found = 0
        for (n, row) in Self.rows(3000).enumerated() {
            for i in exprs.indices {
                let fast = readings[i].value(row, eval), slow = eval.eval(exprs[i], row)
                #expect(fast == slow, "row \(n), \(exprs[i]): \(fast) vs \(slow)")
                if !slow.isNull { found += 1 }
            }
        }
        #expect(found > 5000, "most reads find a value")
    }
}
