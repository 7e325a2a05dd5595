import MQCore
import MQPlanner
import MQSyntax

/// Folds rows into groups batch by batch, so `count` and `summarize` hold one accumulator
/// per group instead of every row.
final class GroupFold {
    let by: [Expr]
    let aggs: [Projection]
    let eval: Evaluator
    private var index: [[KeyValue]: Int] = [:]
    private(set) var keys: [[Value]] = []
    private(set) var counts: [Int] = []
    /// Per group, per aggregate: the non-null argument values (min/max/median/distinct
    /// need them; count needs none).
    private var values: [[[Value]]] = []

    init(by: [Expr], aggs: [Projection], eval: Evaluator) {
        self.by = by
        self.aggs = aggs
        self.eval = eval
    }

    func add(_ rows: [JSONObject]) {
        for row in rows {
            let key = by.map { eval.eval($0, row) }
            let text = key.map(KeyValue.init)
            let g: Int
            if let i = index[text] {
                g = i
            } else {
                g = keys.count
                index[text] = g
                keys.append(key)
                counts.append(0)
                values.append(Array(repeating: [], count: aggs.count))
            }
            counts[g] += 1
            for (a, p) in aggs.enumerated() {
                guard case .call(_, let args) = p.expr.kind, let arg = args.first else { continue }
                let v = eval.eval(arg, row)
                if !v.isNull { values[g][a].append(v) }
            }
        }
    }

    /// Groups in the order of their key values (nulls last).
    var orderedGroups: [Int] {
        Array(keys.indices).sorted { a, b in
            for (x, y) in zip(keys[a], keys[b]) {
                let o = Compare.sortOrder(x, y)
                if o != 0 { return o < 0 }
            }
            return false
        }
    }

    func summarized() -> [JSONObject] {
        // With no `by`, one row even over no input (count 0), as SQL does.
        if by.isEmpty && keys.isEmpty {
            keys.append([])
            counts.append(0)
            values.append(Array(repeating: [], count: aggs.count))
        }
        return orderedGroups.map { g in
            var out = JSONObject()
            for (e, v) in zip(by, keys[g]) { out[Planner.columnName(e)] = v.json }
            for (a, p) in aggs.enumerated() {
                guard case .call(let f, let args) = p.expr.kind else { continue }
                // Arguments after the first are constants (`percentile(x, 90)`'s 90).
                let extra = args.dropFirst().map { eval.eval($0, JSONObject()) }
                out[p.name ?? Planner.columnName(p.expr)] =
                    Aggregation.aggregate(f, values[g][a], count: counts[g], hasArgument: !args.isEmpty, extra: extra).json
            }
            return out
        }
    }
}

/// summarize, count, distinct and top.
enum Aggregation {
    /// Groups rows by the values of `by`, in the order of those values (nulls last).
    static func groups(_ rows: [JSONObject], by: [Expr], _ eval: Evaluator) -> [(key: [Value], rows: [JSONObject])] {
        var index: [[KeyValue]: Int] = [:]
        var out: [(key: [Value], rows: [JSONObject])] = []
        for row in rows {
            let key = by.map { eval.eval($0, row) }
            let text = key.map(KeyValue.init)
            if let i = index[text] {
                out[i].rows.append(row)
            } else {
                index[text] = out.count
                out.append((key, [row]))
            }
        }
        return out.sorted { a, b in
            for (x, y) in zip(a.key, b.key) {
                let o = Compare.sortOrder(x, y)
                if o != 0 { return o < 0 }
            }
            return false
        }
    }

    /// One aggregate over a group's non-null argument values.
    static func aggregate(_ f: String, _ values: [Value], count: Int, hasArgument: Bool = false, extra: [Value] = []) -> Value {
        // count() counts rows; count(x) the rows where x is not null (its fold).
        if f == "count", !hasArgument { return .int(count) }
        // Conditions add up: sum(x = y) counts the rows where it holds, avg(x = y) is their share.
        if FunctionSpec.named(f)?.args.first == .number, !values.isEmpty,
           values.allSatisfy({ if case .bool = $0 { true } else { false } })
        {
            return aggregate(f, values.map { if case .bool(let b) = $0 { .int(b ? 1 : 0) } else { $0 } }, count: count, extra: extra)
        }
        return folds[f]?(values, extra) ?? .null
    }

    /// The implementation of each aggregate of `FunctionSpec.all`, by name, over a group's
    /// non-null values; a test checks every spec has one.
    /// `extra`: the constant arguments after the first (`percentile`'s P).
    static let folds: [String: @Sendable (_ values: [Value], _ extra: [Value]) -> Value] = [
        "count": { v, _ in .int(v.count) },
        "count_if": { v, _ in .int(v.filter(\.truthy).count) },
        "distinct": { v, _ in .int(Set(v.map(KeyValue.init)).count) },
        "min": { v, _ in v.min { Compare.sortOrder($0, $1) < 0 } ?? .null },
        "max": { v, _ in v.max { Compare.sortOrder($0, $1) < 0 } ?? .null },
        "first": { v, _ in v.first ?? .null },
        "last": { v, _ in v.last ?? .null },
        // Linear interpolation between the two nearest ranks, as DuckDB's quantile_cont.
        "percentile": { v, extra in
            let s = v.compactMap(\.number).sorted()
            guard !s.isEmpty, let p = extra.first?.number, p >= 0, p <= 100 else { return .null }
            let position = p / 100 * Double(s.count - 1)
            let lo = Int(position.rounded(.down))
            let hi = min(lo + 1, s.count - 1)
            return .double(s[lo] + (s[hi] - s[lo]) * (position - Double(lo)))
        },
        // No number to add: null, as SQL's SUM is (and as avg already was).
        "sum": { values, _ in
            let numbers = values.compactMap(\.number)
            guard !numbers.isEmpty else { return .null }
            if values.allSatisfy({ if case .int = $0 { true } else { false } }) {
                // Integers stay integers, overflowing into a double as `+` does. The sum
                // wraps and counts its overflows, so an intermediate one that later
                // comes back (Int.max, 1, -2) still gives the exact integer.
                var total = 0
                var carries = 0
                for case .int(let n) in values {
                    let (r, overflow) = total.addingReportingOverflow(n)
                    if overflow { carries += n > 0 ? 1 : -1 }
                    total = r
                }
                if carries == 0 { return .int(total) }
            }
            return .double(numbers.reduce(0, +))
        },
        "avg": { values, _ in
            let numbers = values.compactMap(\.number)
            return numbers.isEmpty ? .null : .double(numbers.reduce(0, +) / Double(numbers.count))
        },
        "median": { values, _ in
            let s = values.compactMap(\.number).sorted()
            guard !s.isEmpty else { return .null }
            let m = s.count / 2
            return .double(s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2)
        },
    ]

    /// `count` (one row), or `count by F…`: a row per group, most frequent first.
    static func counted(_ fold: GroupFold) -> [JSONObject] {
        if fold.by.isEmpty { return [JSONObject(pairs: [("count", .int(fold.counts.first ?? 0))])] }
        let order = fold.orderedGroups.enumerated().sorted { a, b in
            fold.counts[a.element] != fold.counts[b.element] ? fold.counts[a.element] > fold.counts[b.element] : a.offset < b.offset
        }.map(\.element)
        return order.map { g in
            var out = JSONObject()
            for (e, v) in zip(fold.by, fold.keys[g]) { out[Planner.columnName(e)] = v.json }
            out["count"] = .int(fold.counts[g])
            return out
        }
    }

    static func count(_ rows: [JSONObject], by: [Expr], _ eval: Evaluator) -> [JSONObject] {
        let fold = GroupFold(by: by, aggs: [], eval: eval)
        fold.add(rows)
        return counted(fold)
    }

    /// Distinct combinations, in order of first appearance.
    static func distinct(_ rows: [JSONObject], _ es: [Expr], _ eval: Evaluator) -> [JSONObject] {
        var seen = Set<[KeyValue]>()
        var out: [JSONObject] = []
        for row in rows {
            let values = es.map { eval.eval($0, row) }
            let text = values.map(KeyValue.init)
            guard seen.insert(text).inserted else { continue }
            out.append(JSONObject(pairs: zip(es, values).map { (Planner.columnName($0), $1.json) }))
        }
        return out
    }

    /// The `n` most frequent values with their counts (ties by value).
    static func top(_ rows: [JSONObject], _ n: Int, _ e: Expr, _ eval: Evaluator) -> [JSONObject] {
        let gs = groups(rows, by: [e], eval)
        let ranked = gs.enumerated().sorted { a, b in
            a.element.rows.count != b.element.rows.count ? a.element.rows.count > b.element.rows.count : a.offset < b.offset
        }
        return ranked.prefix(n).map { _, g in
            JSONObject(pairs: [(Planner.columnName(e), g.key[0].json), ("count", .int(g.rows.count))])
        }
    }
}
