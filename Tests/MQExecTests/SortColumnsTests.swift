@testable import MQExec
import MQCore
import MQSyntax
import Testing

/// `SortColumns` (a sort's keys in columns, row numbers sorted) against the rule it stands
/// for: a stable sort by `Executor.precedes`, over columns of every form it picks
/// (integers, numbers, text) and the mixed ones it leaves as values.
@Suite struct SortColumnsTests {
    static let forms: [String: @Sendable (inout SplitMix64) -> Value] = [
        "integers": { r in r.below(5) == 0 ? .null : .int(r.below(7) - 3) },
        "large integers": { r in [.int(1 << 60), .int((1 << 60) + 1), .int(-(1 << 62)), .int(r.below(3)), .null][r.below(5)] },
        "numbers": { r in r.below(6) == 0 ? .null : r.below(2) == 0 ? .int(r.below(5)) : .double(Double(r.below(9)) / 2 - 1) },
        "numbers past 2^53": { r in [.int((1 << 53) + 1), .double(9_007_199_254_740_992.0), .int(1 << 53), .double(0.5), .null][r.below(5)] },
        "text": { r in r.below(7) == 0 ? .null : .string(["", "a", "ab", "b", "é", "e\u{301}", "Z", "a\u{0}b", "😀"][r.below(9)]) },
        "mixed kinds": { r in
            [.null, .bool(true), .bool(false), .int(2), .double(2.5), .string("2026-01-01"), .date(Instant(year: 2026, month: 1, day: 1)),
             .string("x"), .array([1]), .array([]), .object(JSONObject(["a": 1]))][r.below(11)]
        },
    ]

    @Test(arguments: forms.keys.sorted())
    func sortsAsPrecedesDoes(_ form: String) throws {
        var r = SplitMix64(seed: 16)
        let make = Self.forms[form]!
        for round in 0..<40 {
            let rows = r.below(200)
            let keys = 1 + r.below(3)
            // The first key is of the form under test; the others break its ties.
            let columns: [[Value]] = (0..<keys).map { k in
                (0..<rows).map { _ in k == 0 ? make(&r) : Self.forms["integers"]!(&r) }
            }
            let descending = (0..<keys).map { _ in r.below(2) == 0 }
            let sortKeys = descending.map { SortKey(expr: Expr(.null, Span(0, 0)), descending: $0, span: Span(0, 0)) }
            let byRows = (0..<rows).map { i in columns.map { $0[i] } }
            // Ties in input order: precedes, then the row number.
            let expected = Array(0..<rows).sorted { a, b in
                if Executor.precedes(byRows[a], byRows[b], sortKeys) { return true }
                if Executor.precedes(byRows[b], byRows[a], sortKeys) { return false }
                return a < b
            }
            let got = try SortColumns(columns, descending: descending).order()
            #expect(got == expected, "\(form), round \(round): \(rows) rows, \(keys) keys, descending \(descending)")
        }
    }
}
