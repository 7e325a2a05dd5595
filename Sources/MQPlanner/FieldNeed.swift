import Foundation
import MQCore
import MQSyntax

/// Which fields of a source's rows a plan can ever look at, so that a file reader builds
/// only those (`RowReader(fields:)`). Worked out backwards from the end of the pipeline:
/// a stage that makes new rows (`select`, `summarize`, `count`, `distinct`, `top`) needs
/// only the fields its expressions name, whatever follows it; any other stage adds its
/// fields to what follows needs. A pipeline that ends with rows as they are needs them
/// whole (`nil`), and so does one with a chart, which the runner draws from the rows.
enum FieldNeed {
    /// The fields `operators` need of their input, given what comes after them needs.
    static func input(of operators: [Operator], downstream: Set<String>? = nil) -> Set<String>? {
        var need = downstream
        for op in operators.reversed() {
            switch op {
            case .select(let ps): need = names(ps.map(\.expr))
            case .summarize(let aggs, let by): need = names(aggs.map(\.expr) + by)
            case .count(let by): need = names(by)
            case .distinct(let es): need = names(es)
            case .top(_, let e): need = names([e])
            case .filter(let e): need = need.map { $0.union(names([e])) }
            case .derive(let ps): need = need.map { $0.union(names(ps.map(\.expr))) }
            case .window(let calls):
                // The fields it makes come from here; what it reads comes from the input.
                need = need.map { $0.subtracting(calls.map(\.name)).union(names(calls.map(\.expr))) }
            case .exclude: break
            case .sort(let keys), .topK(let keys, _): need = need.map { $0.union(names(keys.map(\.expr))) }
            case .flatten(let e, let name):
                need = need.map { n in
                    // The element's field is made here; the array comes from the input.
                    var m = n
                    if !(names([e]).contains(name)) { m.remove(name) }
                    return m.union(names([e]))
                }
            case .slice: break
            // A later `w_right` is the right side's `w`, renamed because the left has one:
            // the left must read its `w` for the join to decide so.
            case .join(let j): need = need.map { $0.union(names([j.join.on])).union(renamedBases($0)) }
            // pivot keeps every other field as the rows' keys; describe looks at them all.
            case .chart, .spark, .pivot, .describe: need = nil
            }
        }
        return need
    }

    /// What the right side of the join at `index` needs: its key, and whatever the stages
    /// after the join need (they see the right rows' fields too).
    static func rightSide(of operators: [Operator], at index: Int, downstream: Set<String>? = nil) -> Set<String>? {
        guard case .join(let plan) = operators[index] else { return nil }
        let j = plan.join
        let after = input(of: Array(operators[(index + 1)...]), downstream: downstream)
        return after.map { $0.union(names([j.equals ?? j.on])).union(renamedBases($0)) }
    }

    /// `w` for `w_right`, `w_right2` …: the names a join gives a right field whose name
    /// the left side has (`JoinNames`).
    static func renamedBases(_ names: Set<String>) -> Set<String> {
        var out = Set<String>()
        for n in names {
            guard let r = n.range(of: "_right", options: .backwards) else { continue }
            let tail = n[r.upperBound...]
            if tail.allSatisfy(\.isNumber), r.lowerBound > n.startIndex { out.insert(String(n[..<r.lowerBound])) }
        }
        return out
    }

    /// The top-level field names in expressions: a path's first part, and bare words
    /// (which a source without a catalog reads as a field when the row has one).
    static func names(_ exprs: [Expr]) -> Set<String> {
        var out = Set<String>()
        func walk(_ e: Expr) {
            switch e.kind {
            case .field(let path): if let first = path.first { out.insert(first) }
            case .bareWord(let w): out.insert(w)
            case .list(let items): items.forEach(walk)
            case .unary(_, let x): walk(x)
            case .binary(_, let l, let r): walk(l); walk(r)
            case .call(_, let args): args.forEach(walk)
            case .window(_, let args, let w):
                args.forEach(walk)
                w.by.forEach(walk)
                w.sort.forEach { walk($0.expr) }
            case .isNull(let x, _): walk(x)
            case .null, .bool, .int, .double, .string, .date, .day, .duration, .months, .variable: break
            }
        }
        exprs.forEach(walk)
        return out
    }
}
