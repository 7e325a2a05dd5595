@testable import MQExec
import MQCore
import MQSyntax
import Testing

/// `SortStream`: rows packed, sorted by row number, and past the memory limit sorted in
/// runs on temporary files and merged. Whatever the limit, the rows come out as the
/// in-memory sort gives them, and as a stable sort by `Executor.precedes` (the rule) orders them.
@Suite struct SortStreamTests {
    /// Rows of every kind of value, with ties on the first key so that stability shows.
    static func rows(_ n: Int) -> [JSONObject] {
        var r = SplitMix64(seed: 7)
        let words: [JSON] = ["", "a", "é", "e\u{301}", "Zebra", "日本", "quote\"d", "line\nbreak", .null]
        return (0..<n).map { i in
            var o = JSONObject()
            o.appendUnchecked("i", .int(i))
            o.appendUnchecked("k", r.below(6) == 0 ? .null : .int(r.below(20)))
            o.appendUnchecked("s", words[r.below(words.count)])
            o.appendUnchecked("d", r.below(2) == 0 ? .double(Double(r.below(1000)) / 8) : .int(r.below(100)))
            if r.below(3) > 0 { o.appendUnchecked("t", .string("2026-0\(1 + r.below(9))-1\(r.below(10))T10:00:00Z")) }
            o.appendUnchecked("o", r.below(4) == 0 ? .null : .object(JSONObject(["id": .int(r.below(3)), "name": words[r.below(4)]])))
            o.appendUnchecked("l", .array((0..<r.below(3)).map { _ in words[r.below(words.count)] }))
            o.appendUnchecked("b", .bool(r.below(2) == 0))
            return o
        }
    }

    static func field(_ name: String, _ descending: Bool = false) -> SortKey {
        SortKey(expr: Expr(.field([name]), Span(0, 0)), descending: descending, span: Span(0, 0))
    }

    /// Key lists that reach every form of `SortColumns` and every tag of a run's keys:
    /// integers with nulls, text, numbers, an object, a date from a function, booleans.
    static let keyLists: [[SortKey]] = [
        [field("k"), field("s", true)],
        [field("s"), field("k", true)],
        [field("d", true)],
        [field("o"), field("l")],
        [SortKey(expr: Expr(.call("date", [Expr(.field(["t"]), Span(0, 0))]), Span(0, 0)), descending: true, span: Span(0, 0)), field("b")],
    ]

    /// The rule, apart from SortColumns: a stable sort by Executor.precedes.
    static func rule(_ rows: [JSONObject], _ keys: [SortKey]) -> [JSONObject] {
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        let keyed = rows.map { row in keys.map { eval.eval($0.expr, row) } }
        return Array(rows.indices).sorted { a, b in
            if Executor.precedes(keyed[a], keyed[b], keys) { return true }
            if Executor.precedes(keyed[b], keyed[a], keys) { return false }
            return a < b
        }.map { rows[$0] }
    }

    func sorted(_ rows: [JSONObject], _ keys: [SortKey], limit: Int) async throws -> ([JSONObject], Int) {
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        let stream = SortStream(ArrayStream(rows, batch: 100), keys: keys, eval: eval, state: ExecutionState(), memoryLimit: limit)
        var out: [JSONObject] = []
        while let batch = try await stream.next() { out += batch }
        return (out, stream.runsWritten)
    }

    @Test(arguments: 0..<keyLists.count)
    func spilledRunsMergeToTheInMemoryOrder(_ which: Int) async throws {
        let keys = Self.keyLists[which]
        let rows = Self.rows(3_000)
        let rule = Self.rule(rows, keys)
        let (inMemory, noRuns) = try await sorted(rows, keys, limit: 1 << 40)
        #expect(noRuns == 0)
        #expect(inMemory == rule)
        #expect(inMemory.map(\.keys) == rule.map(\.keys), "key order")
        for limit in [20_000, 150_000] {
            let (spilled, runs) = try await sorted(rows, keys, limit: limit)
            #expect(runs > 1, "limit \(limit): \(runs) runs")
            #expect(spilled == rule, "limit \(limit)")
            // The same bytes out: values, key order and kinds (1 stays 1, not 1.0).
            #expect(spilled.map { JSON.object($0).jsonText } == rule.map { JSON.object($0).jsonText }, "limit \(limit)")
        }
    }

    /// `sort | limit k` (`TopKStream`, which compares a row with the last kept key by key
    /// as it reads them) keeps the first k rows of the rule's order, ties by arrival.
    @Test(arguments: 0..<keyLists.count)
    func topKKeepsTheRulesFirstRows(_ which: Int) async throws {
        let keys = Self.keyLists[which]
        let rows = Self.rows(3_000)
        let rule = Self.rule(rows, keys)
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        for k in [1, 7, 100, 2_999, 5_000] {
            let stream = TopKStream(ArrayStream(rows, batch: 100), keys: keys, k: k, eval: eval, state: ExecutionState())
            var out: [JSONObject] = []
            while let batch = try await stream.next() { out += batch }
            #expect(out == Array(rule.prefix(k)), "k \(k)")
        }
    }

    @Test func noRowsAndOneRow() async throws {
        for n in [0, 1] {
            let (out, runs) = try await sorted(Self.rows(n), [Self.field("k")], limit: 1_000_000)
            #expect(out.count == n)
            #expect(runs == 0)
        }
    }
}
