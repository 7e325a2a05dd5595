import MQCore
import MQPlanner
import MQSyntax

/// Window functions over collected rows: each call's value for each row, from its
/// partition (`by`) in its order (`sort`, ties in input order), written into the row's
/// field `name`. The rows keep their order.
enum WindowFunctions {
    /// The functions of `FunctionSpec` that need `over`; the aggregates with `over` go
    /// through `Accumulator` (a test checks both against the table).
    static let names: Set<String> = ["row_number", "rank", "dense_rank", "lag", "lead"]

    static func apply(_ calls: [WindowCall], to rows: [JSONObject], _ eval: Evaluator) throws -> [JSONObject] {
        var out = rows
        for call in calls {
            let values = try compute(call, out, eval)
            for i in out.indices { out[i][call.name] = values[i].json }
            try eval.check()
        }
        return out
    }

    /// One call's value for every row, in row order.
    static func compute(_ call: WindowCall, _ rows: [JSONObject], _ eval: Evaluator) throws -> [Value] {
        // Partitions in first-seen order; each keeps its rows' indices.
        var partitions: [[Int]] = []
        var index: [[KeyValue]: Int] = [:]
        for (i, row) in rows.enumerated() {
            let key = call.window.by.map { KeyValue(eval.eval($0, row)) }
            if let p = index[key] { partitions[p].append(i) } else {
                index[key] = partitions.count
                partitions.append([i])
            }
        }
        let keys = call.window.sort
        let sortValues = rows.map { row in keys.map { eval.eval($0.expr, row) } }
        var result = [Value](repeating: .null, count: rows.count)
        var comparisons = 0
        for var p in partitions {
            if !keys.isEmpty {
                // Stable: ties keep their input order.
                p = try p.enumerated().sorted { a, b in
                    comparisons &+= 1
                    if comparisons & 0xFFFF == 0, Task.isCancelled { throw CancellationError() }
                    if Executor.precedes(sortValues[a.element], sortValues[b.element], keys) { return true }
                    if Executor.precedes(sortValues[b.element], sortValues[a.element], keys) { return false }
                    return a.offset < b.offset
                }.map(\.element)
            }
            // Rows tied on every sort key are peers: one rank, one running total.
            func peers(_ a: Int, _ b: Int) -> Bool {
                !Executor.precedes(sortValues[a], sortValues[b], keys) && !Executor.precedes(sortValues[b], sortValues[a], keys)
            }
            switch call.function {
            case "row_number":
                for (n, i) in p.enumerated() { result[i] = .int(n + 1) }
            case "rank", "dense_rank":
                var rank = 0
                var dense = 0
                for (n, i) in p.enumerated() {
                    if n == 0 || !peers(p[n - 1], i) {
                        rank = n + 1
                        dense += 1
                    }
                    result[i] = .int(call.function == "rank" ? rank : dense)
                }
            case "lag", "lead":
                let k = call.args.count > 1 ? Int(eval.eval(call.args[1], JSONObject()).number ?? 1) : 1
                let step = call.function == "lag" ? -k : k
                for (n, i) in p.enumerated() {
                    let m = n + step
                    result[i] = m >= 0 && m < p.count ? eval.eval(call.args[0], rows[p[m]]) : .null
                }
            default:
                // An aggregate: of the whole partition, or (with `sort`) running from its first
                // row to the current one and its peers, as SQL's default frame.
                // One pass: the partition's values go into the accumulator in order, and each
                // peer group reads its running result (linear, not a refold per group).
                let argument = call.args.first
                let kind = Accumulator.Kind(rawValue: call.function)
                var accumulator = Accumulator(kind ?? .count)
                let extra = call.args.dropFirst().map { eval.eval($0, JSONObject()) }
                func value(_ rowsSoFar: Int) -> Value {
                    guard kind != nil else { return .null }
                    return argument == nil && kind == .count ? .int(rowsSoFar) : accumulator.result(extra)
                }
                var start = 0
                while start < p.count {
                    var end = start + 1
                    while end < p.count && (keys.isEmpty || peers(p[start], p[end])) { end += 1 }
                    if let argument {
                        for i in p[start..<end] {
                            let v = eval.eval(argument, rows[i])
                            if !v.isNull { accumulator.add(v) }
                        }
                    }
                    let v = value(end)
                    for i in p[start..<end] { result[i] = v }
                    start = end
                }
            }
        }
        return result
    }
}
