import MQCore
import MQPlanner
import MQSyntax

/// Folds rows into groups batch by batch, so `count` and `summarize` hold one accumulator
/// per group instead of every row.
final class GroupFold {
    let by: [Expr]
    let aggs: [Projection]
    let eval: Evaluator
    private var index: [GroupKey: Int] = [:]
    private(set) var keys: [[Value]] = []
    private(set) var counts: [Int] = []
    /// Group g's accumulator of aggregate a is `accumulators[g * aggs.count + a]`.
    private var accumulators: [Accumulator] = []
    /// Per aggregate: its kind and the argument it folds (none for count()).
    private let folded: [(kind: Accumulator.Kind, argument: Expr?)?]

    init(by: [Expr], aggs: [Projection], eval: Evaluator) {
        self.by = by
        self.aggs = aggs
        self.eval = eval
        folded = aggs.map { p in
            guard case .call(let f, let args) = p.expr.kind, let kind = Accumulator.Kind(rawValue: f) else { return nil }
            return (kind, args.first)
        }
    }

    func add(_ rows: [JSONObject]) {
        for row in rows {
            let text = GroupKey(by, row, eval)
            let g: Int
            if let i = index[text] {
                g = i
            } else {
                g = keys.count
                index[text] = g
                keys.append(by.map { eval.eval($0, row) })
                counts.append(0)
                for f in folded { accumulators.append(Accumulator(f?.kind ?? .count)) }
            }
            counts[g] += 1
            let base = g * aggs.count
            for (a, f) in folded.enumerated() {
                guard let f, let argument = f.argument else { continue }
                let v = eval.eval(argument, row)
                if !v.isNull { accumulators[base + a].add(v) }
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
            for f in folded { accumulators.append(Accumulator(f?.kind ?? .count)) }
        }
        // Arguments after the first are constants (`percentile(x, 90)`'s 90).
        let extras = aggs.map { p -> [Value] in
            guard case .call(_, let args) = p.expr.kind else { return [] }
            return args.dropFirst().map { eval.eval($0, JSONObject()) }
        }
        return orderedGroups.map { g in
            var out = JSONObject()
            for (e, v) in zip(by, keys[g]) { out[Planner.columnName(e)] = v.json }
            for (a, p) in aggs.enumerated() {
                guard case .call = p.expr.kind else { continue }
                let value: Value
                if let f = folded[a] {
                    // count() counts rows; count(x) the rows where x is not null (its fold).
                    value = f.argument == nil && f.kind == .count ? .int(counts[g]) : accumulators[g * aggs.count + a].result(extras[a])
                } else {
                    value = .null
                }
                out[p.name ?? Planner.columnName(p.expr)] = value.json
            }
            return out
        }
    }
}

/// A group's key as `=` compares it (`KeyValue`), without an array for one or two keys:
/// the two arrays a row cost (its values, then their keys) were most of `count by`'s time.
enum GroupKey: Hashable {
    case none
    case one(KeyValue)
    case two(KeyValue, KeyValue)
    case many([KeyValue])

    init(_ by: [Expr], _ row: JSONObject, _ eval: Evaluator) {
        switch by.count {
        case 0: self = .none
        case 1: self = .one(KeyValue(eval.eval(by[0], row)))
        case 2: self = .two(KeyValue(eval.eval(by[0], row)), KeyValue(eval.eval(by[1], row)))
        default: self = .many(by.map { KeyValue(eval.eval($0, row)) })
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
        return folds[f]?(values, extra) ?? .null
    }

    /// Each aggregate of `FunctionSpec.all`, by name, over a group's non-null values, through
    /// its `Accumulator`; a test checks every spec has one.
    /// `extra`: the constant arguments after the first (`percentile`'s P).
    static let folds: [String: @Sendable (_ values: [Value], _ extra: [Value]) -> Value] = Dictionary(
        uniqueKeysWithValues: Accumulator.Kind.allCases.map { kind in
            (kind.rawValue, { @Sendable values, extra in
                var a = Accumulator(kind)
                for v in values { a.add(v) }
                return a.result(extra)
            })
        })

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
