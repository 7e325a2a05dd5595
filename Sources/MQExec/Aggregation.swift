import MQCore
import MQPlanner
import MQSyntax

/// summarize, count, distinct and top.
enum Aggregation {
    /// Groups rows by the values of `by`, in the order of those values (nulls last).
    static func groups(_ rows: [JSONObject], by: [Expr], _ eval: Evaluator) -> [(key: [Value], rows: [JSONObject])] {
        var index: [String: Int] = [:]
        var out: [(key: [Value], rows: [JSONObject])] = []
        for row in rows {
            let key = by.map { eval.eval($0, row) }
            let text = key.map { $0.json.jsonText }.joined(separator: "\u{1F}")
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

    static func summarize(_ rows: [JSONObject], _ aggs: [Projection], by: [Expr], _ eval: Evaluator) -> [JSONObject] {
        // With no `by`, one row even over no input (count 0), as SQL does.
        let gs = by.isEmpty ? [([Value](), rows)] : groups(rows, by: by, eval)
        return gs.map { key, members in
            var out = JSONObject()
            for (e, v) in zip(by, key) { out[Planner.columnName(e)] = v.json }
            for a in aggs {
                guard case .call(let f, let args) = a.expr.kind else { continue }
                out[a.name ?? Planner.columnName(a.expr)] = aggregate(f, args.first, members, eval).json
            }
            return out
        }
    }

    static func aggregate(_ f: String, _ arg: Expr?, _ rows: [JSONObject], _ eval: Evaluator) -> Value {
        if f == "count" { return .int(rows.count) }
        guard let arg else { return .null }
        let values = rows.map { eval.eval(arg, $0) }.filter { !$0.isNull }
        switch f {
        case "distinct": return .int(Set(values.map { $0.json.jsonText }).count)
        case "min": return values.min { Compare.sortOrder($0, $1) < 0 } ?? .null
        case "max": return values.max { Compare.sortOrder($0, $1) < 0 } ?? .null
        default: break
        }
        let numbers = values.compactMap(\.number)
        guard !numbers.isEmpty else { return f == "sum" ? .int(0) : .null }
        switch f {
        case "sum":
            if values.allSatisfy({ if case .int = $0 { true } else { false } }) {
                return .int(values.reduce(0) { if case .int(let n) = $1 { $0 + n } else { $0 } })
            }
            return .double(numbers.reduce(0, +))
        case "avg": return .double(numbers.reduce(0, +) / Double(numbers.count))
        case "median":
            let s = numbers.sorted()
            let m = s.count / 2
            return .double(s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2)
        default: return .null
        }
    }

    /// `count` (one row), or `count by F…`: a row per group, most frequent first.
    static func count(_ rows: [JSONObject], by: [Expr], _ eval: Evaluator) -> [JSONObject] {
        if by.isEmpty { return [JSONObject(pairs: [("count", .int(rows.count))])] }
        let gs = groups(rows, by: by, eval)
        return gs.sorted { $0.rows.count > $1.rows.count }.map { key, members in
            var out = JSONObject()
            for (e, v) in zip(by, key) { out[Planner.columnName(e)] = v.json }
            out["count"] = .int(members.count)
            return out
        }
    }

    /// Distinct combinations, in order of first appearance.
    static func distinct(_ rows: [JSONObject], _ es: [Expr], _ eval: Evaluator) -> [JSONObject] {
        var seen = Set<String>()
        var out: [JSONObject] = []
        for row in rows {
            let values = es.map { eval.eval($0, row) }
            let text = values.map { $0.json.jsonText }.joined(separator: "\u{1F}")
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
