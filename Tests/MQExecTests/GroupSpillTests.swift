@testable import MQExec
import MQCore
import MQSyntax
import Testing

/// `GroupFold` past its memory limit: the groups are written out in runs and merged. For
/// `summarize` (every aggregate), `count by`, `top` and `distinct`, the rows are the ones
/// the fold gives in memory, byte for byte, whatever the limit. (The in-memory fold is
/// checked against DuckDB by the differential test.)
@Suite struct GroupSpillTests {
    static let span = Span(0, 0)
    static func field(_ name: String) -> Expr { Expr(.field([name]), span) }
    static func call(_ f: String, _ args: Expr...) -> Expr { Expr(.call(f, args), span) }

    /// Keys of each kind a run stores: integers with nulls, text that is equal only byte
    /// for byte (é two ways), numbers where 10 = 10.0, objects, dates from a function.
    static let keyLists: [[Expr]] = [
        [field("i")],
        [field("k"), field("s")],
        [field("d")],
        [field("o"), field("k")],
        [call("date", field("t")), field("s")],
        [field("p"), field("k")],
    ]

    /// `SortStreamTests.rows`, with `p`: an object that is one key spelled several ways
    /// (members in either order, 3 or 3.0), as rows from different sources may have it.
    static func rows(_ n: Int) -> [JSONObject] {
        var r = SplitMix64(seed: 11)
        return SortStreamTests.rows(n).map { row in
            var o = row
            let x = r.below(40)
            let a: JSON = r.below(2) == 0 ? .int(x) : .double(Double(x))
            let b: JSON = .string(["x", "y", "z"][r.below(3)])
            o["p"] = .object(JSONObject(pairs: r.below(2) == 0 ? [("a", a), ("b", b)] : [("b", b), ("a", a)]))
            return o
        }
    }

    /// Every aggregate, over values whose sums are exact in binary (eighths).
    static let aggregates: [Projection] = [
        Projection(name: "n", expr: call("count"), span: span),
        Projection(name: "nt", expr: call("count", field("t")), span: span),
        Projection(name: "ci", expr: call("count_if", field("b")), span: span),
        Projection(name: "sd", expr: call("sum", field("d")), span: span),
        Projection(name: "ad", expr: call("avg", field("d")), span: span),
        Projection(name: "mi", expr: call("min", field("s")), span: span),
        Projection(name: "ma", expr: call("max", field("d")), span: span),
        Projection(name: "md", expr: call("min", field("d")), span: span),
        Projection(name: "fd", expr: call("first", field("d")), span: span),
        Projection(name: "ld", expr: call("last", field("d")), span: span),
        Projection(name: "me", expr: call("median", field("d")), span: span),
        Projection(name: "p9", expr: call("percentile", field("d"), Expr(.int(90), span)), span: span),
        Projection(name: "ds", expr: call("distinct", field("s")), span: span),
        Projection(name: "fs", expr: call("first", field("s")), span: span),
        Projection(name: "lo", expr: call("last", field("o")), span: span),
        Projection(name: "sb", expr: call("sum", field("b")), span: span),
    ]

    enum Stage: CaseIterable { case summarize, count, top, distinct }

    /// The stage's rows and the runs its fold wrote.
    func run(_ stage: Stage, _ rows: [JSONObject], by: [Expr], limit: Int) async throws -> ([JSONObject], Int) {
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        let state = ExecutionState()
        let fold = GroupFold(by: by, aggs: stage == .summarize ? Self.aggregates : [], eval: eval, memoryLimit: limit)
        let stream = FoldStream(ArrayStream(rows, batch: 100), fold, state: state, stage: "test") { f in
            switch stage {
            case .summarize: return try FoldOutput.summarize(f)
            case .count: return try FoldOutput.count(f, state)
            case .top: return try FoldOutput.top(f, 25, state)
            case .distinct: return try FoldOutput.distinct(f, state)
            }
        }
        var out: [JSONObject] = []
        while let b = try await stream.next() { out += b }
        return (out, fold.runs.files.count)
    }

    @Test(arguments: Stage.allCases, 0..<keyLists.count)
    func spilledGroupsGiveTheInMemoryRows(_ stage: Stage, _ which: Int) async throws {
        let rows = Self.rows(4_000)
        let by = Self.keyLists[which]
        let (inMemory, none) = try await run(stage, rows, by: by, limit: .max)
        #expect(none == 0)
        #expect(!inMemory.isEmpty)
        for limit in [6_000, 40_000] {
            let (spilled, runs) = try await run(stage, rows, by: by, limit: limit)
            #expect(runs > 1, "limit \(limit): \(runs) runs")
            #expect(spilled.map { JSON.object($0).jsonText } == inMemory.map { JSON.object($0).jsonText }, "limit \(limit)")
        }
    }

    /// min and max keep the first of equal values (1 before 1.0) in memory, and so across
    /// spilled runs: the runs hold each group's value as 1 in the first and 1.0 in the
    /// next, and a merge that let the later run win a tie would print 1.0.
    @Test func tiesKeepTheFirstValueAcrossRuns() async throws {
        let rows = (0..<3_000).map { i in
            JSONObject(pairs: [("g", .int(i % 300)), ("x", (i / 300) % 2 == 0 ? .int(1) : .double(1.0))])
        }
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        func fold(_ limit: Int) async throws -> ([String], Int) {
            let aggs = [Projection(name: "mi", expr: Self.call("min", Self.field("x")), span: Self.span),
                        Projection(name: "ma", expr: Self.call("max", Self.field("x")), span: Self.span)]
            let fold = GroupFold(by: [Self.field("g")], aggs: aggs, eval: eval, memoryLimit: limit)
            let stream = FoldStream(ArrayStream(rows, batch: 100), fold, state: ExecutionState(), stage: "test") { try FoldOutput.summarize($0) }
            var out: [String] = []
            while let b = try await stream.next() { out += b.map { "\($0["mi"]!.jsonText) \($0["ma"]!.jsonText)" } }
            return (out, fold.runs.files.count)
        }
        let (inMemory, _) = try await fold(.max)
        #expect(inMemory == Array(repeating: "1 1", count: 300))
        let (spilled, runs) = try await fold(20_000)
        #expect(runs > 1, "\(runs) runs")
        #expect(spilled.count == inMemory.count)
        let differing = zip(spilled, inMemory).filter { $0 != $1 }
        #expect(differing.isEmpty, "\(differing.count) groups differ, as \(differing.first.map { "\($0.0) (spilled) against \($0.1)" } ?? "")")
    }

    /// A sum of non-integers is added up in two parts once it spills, so it may round
    /// differently in its last digit, and no more.
    @Test func aSpilledSumOfFractionsIsWithinRounding() async throws {
        var r = SplitMix64(seed: 3)
        let rows = (0..<5_000).map { i in
            JSONObject(pairs: [("g", .int(i % 700)), ("x", .double(Double(r.below(1_000_000)) / 7))])
        }
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        func sums(_ limit: Int) async throws -> ([Double], Int) {
            let fold = GroupFold(by: [Self.field("g")], aggs: [Projection(name: "s", expr: Self.call("sum", Self.field("x")), span: Self.span)],
                                 eval: eval, memoryLimit: limit)
            let stream = FoldStream(ArrayStream(rows, batch: 100), fold, state: ExecutionState(), stage: "test") { try FoldOutput.summarize($0) }
            var out: [Double] = []
            while let b = try await stream.next() { out += b.map { $0["s"]!.doubleValue! } }
            return (out, fold.runs.files.count)
        }
        let (exact, _) = try await sums(.max)
        let (spilled, runs) = try await sums(8_000)
        #expect(runs > 1)
        #expect(spilled.count == exact.count)
        for (a, b) in zip(spilled, exact) { #expect(abs(a - b) <= abs(b) * 1e-12, "\(a) vs \(b)") }
    }
}
