@testable import MQExec
@testable import MQPlanner
import MQCore
import MQSyntax
import Testing

/// The window stage (`WindowStream`) past its memory limit gives the rows it gives in
/// memory, byte for byte; and in memory it gives what a plain reading of language.md
/// gives (each row's partition found by `=`, stably sorted), over keys of every kind.
/// (Its SQL meaning is checked against DuckDB by the differential test.)
@Suite struct WindowSpillTests {
    static let span = Span(0, 0)
    static func field(_ name: String) -> Expr { Expr(.field([name]), span) }
    static func key(_ name: String, _ descending: Bool = false) -> SortKey {
        SortKey(expr: field(name), descending: descending, span: span)
    }
    static func call(_ name: String, _ f: String, _ args: [Expr], by: [Expr], sort: [SortKey]) -> WindowCall {
        WindowCall(name: name, function: f, args: args, window: Window(by: by, sort: sort), span: span)
    }

    /// Calls over partitions of each key kind (integers with nulls, é two ways, 10 = 10.0,
    /// objects spelled two ways, a date from a function), with and without `sort`; the
    /// last of each list reads the field the one before it made.
    static let callLists: [[WindowCall]] = [
        [call("rn", "row_number", [], by: [field("k")], sort: [key("s"), key("d", true)]),
         call("sr", "sum", [field("rn")], by: [], sort: [key("rn")])],
        [call("r", "rank", [], by: [field("s")], sort: [key("k", true)]),
         call("dr", "dense_rank", [], by: [field("d")], sort: [key("k")]),
         call("c", "count", [], by: [field("p")], sort: [key("k")])],
        [call("lg", "lag", [field("o"), Expr(.int(2), span)], by: [field("p")], sort: [key("d")]),
         call("ld", "lead", [field("s"), Expr(.int(3), span)], by: [Expr(.call("date", [field("t")]), span)], sort: []),
         call("l0", "lag", [field("d"), Expr(.int(0), span)], by: [field("k")], sort: [key("s")])],
        [call("a", "avg", [field("d")], by: [field("k")], sort: []),
         call("mx", "max", [field("s")], by: [field("k")], sort: [key("d")]),
         call("mn", "min", [field("d")], by: [field("o")], sort: [key("s", true)]),
         call("n", "count", [field("t")], by: [], sort: [])],
    ]

    static func run(_ calls: [WindowCall], _ rows: [JSONObject], limit: Int) async throws -> ([String], Bool) {
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        let stream = WindowStream(ArrayStream(rows, batch: 100), calls, eval: eval, state: ExecutionState(), memoryLimit: limit)
        var out: [String] = []
        while let b = try await stream.next() { out += b.map { JSON.object($0).jsonText } }
        return (out, stream.spilled)
    }

    /// The first row where two outputs differ, both texts (not the whole of both).
    static func firstDifference(_ a: [String], _ b: [String]) -> String? {
        if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset { return "row \(i): \(a[i]) vs \(b[i])" }
        return a.count == b.count ? nil : "\(a.count) rows vs \(b.count)"
    }

    @Test(arguments: 0..<callLists.count)
    func spilledWindowsGiveTheInMemoryRows(_ which: Int) async throws {
        let rows = GroupSpillTests.rows(3_000)
        let (inMemory, none) = try await Self.run(Self.callLists[which], rows, limit: .max)
        #expect(!none)
        #expect(inMemory.count == rows.count)
        for limit in [40_000, 200_000] {
            let (spilled, did) = try await Self.run(Self.callLists[which], rows, limit: limit)
            #expect(did, "limit \(limit) did not spill")
            #expect(Self.firstDifference(spilled, inMemory) == nil, "limit \(limit)")
        }
    }

    /// Each row's value found the slow way: its partition is every row whose key is `=`
    /// to its own, sorted stably by the call's keys.
    static func naive(_ call: WindowCall, _ rows: [JSONObject], _ eval: Evaluator) throws -> [Value] {
        let keys = rows.map { r in call.window.by.map { KeyValue(eval.eval($0, r)) } }
        let sorts = rows.map { r in call.window.sort.map { eval.eval($0.expr, r) } }
        let args = rows.map { r in call.args.first.map { eval.eval($0, r) } ?? .null }
        let sort = call.window.sort
        func before(_ a: Int, _ b: Int) -> Bool { Executor.precedes(sorts[a], sorts[b], sort) }
        return try rows.indices.map { i in
            let partition = rows.indices.filter { keys[$0] == keys[i] }.enumerated()
                .sorted { before($0.element, $1.element) || (!before($1.element, $0.element) && $0.offset < $1.offset) }
                .map(\.element)
            let at = partition.firstIndex(of: i)!
            let peersAndBefore = partition.filter { !before(i, $0) }
            switch call.function {
            case "row_number": return .int(at + 1)
            case "rank": return .int(partition.filter { before($0, i) }.count + 1)
            case "dense_rank":
                // The peer classes wholly before the row, plus its own.
                return .int(partition.filter { before($0, i) }.reduce(into: [Int]()) { c, j in
                    if c.isEmpty || before(c.last!, j) { c.append(j) }
                }.count + 1)
            case "lag", "lead":
                let k = call.args.count > 1 ? try WindowPartition.offset(eval.eval(call.args[1], JSONObject()), call.function) : 1
                let m = at + (call.function == "lag" ? -k : k)
                return partition.indices.contains(m) ? args[partition[m]] : .null
            default:
                let kind = try #require(Accumulator.Kind(rawValue: call.function))
                let frame = sort.isEmpty ? partition : peersAndBefore
                if call.args.isEmpty { return .int(frame.count) }
                var a = Accumulator(kind)
                for j in frame where !args[j].isNull { a.add(args[j]) }
                return a.result()
            }
        }
    }

    @Test(arguments: 0..<callLists.count)
    func windowsMatchAPlainReading(_ which: Int) async throws {
        let rows = GroupSpillTests.rows(400)
        let eval = Evaluator(now: Instant(year: 2026, month: 11, day: 15))
        var expected: [JSONObject] = rows
        for c in Self.callLists[which] {
            let values = try Self.naive(c, expected, eval)
            for i in expected.indices { expected[i][c.name] = values[i].json }
        }
        let (got, _) = try await Self.run(Self.callLists[which], rows, limit: .max)
        #expect(Self.firstDifference(got, expected.map { JSON.object($0).jsonText }) == nil)
    }

    @Test func anOffsetThatIsNotAWholeNumberIsAnError() throws {
        #expect(throws: ExecError.self) { try WindowPartition.offset(.double(1.5), "lag") }
        #expect(throws: ExecError.self) { try WindowPartition.offset(.null, "lead") }
        #expect(try WindowPartition.offset(.double(1e300), "lag") == 1 << 40)
        #expect(try WindowPartition.offset(.int(.min), "lag") == -(1 << 40))
    }
}
