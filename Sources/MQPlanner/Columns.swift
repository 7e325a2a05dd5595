import MQCore
import MQSyntax

extension Planner {
    /// The one answer to "which columns will these rows have" before they run: for a
    /// join's names (at run time and in `explain`) and the csv header. A file's are the
    /// keys of its first rows when the context can read them (`fileColumns`), else
    /// unknown; with `before`, the rows that reach the operator at that index.
    public func columns(of plan: Plan, before index: Int? = nil) -> [String]? {
        let start: [String]?
        switch plan.source {
        case .file(let path): start = context.fileColumns?(path)
        case .variable(let v):
            if case .result(let c, _, _)? = context.variables[v] { start = c } else { start = nil }
        case .value: start = ["value"]
        case .subquery(let inner): start = columns(of: inner)
        case .remote(let call): start = call.entry.fieldNames
        }
        return Planner.outputColumns(plan.operators[..<(index ?? plan.operators.count)], start: start)
    }

    /// The columns after `operators`, given the columns before them (nil: unknown): what
    /// the last stage that makes rows names (`select`, `summarize`, `count`, `distinct`,
    /// `top`), then `derive` and `flatten` and the stages that keep the columns. A join
    /// makes them unknown (only the data can tell).
    public static func outputColumns(_ operators: ArraySlice<Operator>, start: [String]?) -> [String]? {
        var columns: [String]? = start
        for op in operators {
            switch op {
            case .select(let ps): columns = ps.map { $0.name ?? Planner.columnName($0.expr) }
            case .summarize(let aggs, let by): columns = by.map(Planner.columnName) + aggs.map { $0.name ?? Planner.columnName($0.expr) }
            case .count(let by): columns = by.map(Planner.columnName) + ["count"]
            case .distinct(let es): columns = es.map(Planner.columnName)
            case .top(_, let e): columns = [Planner.columnName(e), "count"]
            case .derive(let ps):
                columns = columns.map { c in c + ps.map { $0.name ?? Planner.columnName($0.expr) }.filter { !c.contains($0) } }
            case .flatten(let e, let name):
                // The array's column goes (a nested array's object stays a column); the
                // element's comes last, as the stream adds it.
                let path = Planner.columnName(e)
                columns = columns.map { c in c.filter { $0 != path && $0 != name } + [name] }
            case .window(let calls): columns = columns.map { c in c + calls.map(\.name).filter { !c.contains($0) } }
            case .exclude(let names): columns = columns.map { c in c.filter { !names.contains($0) } }
            case .join(let j):
                // A hash join whose sides are both known: the left's columns, then the right's
                // under the names the join gives them, so a later join decides its own names
                // from these and not from which fields the first rows happen to have.
                if let left = columns, j.right != nil, let right = j.rightColumns {
                    let added = right.filter { $0 != j.sharedKey }
                    let names = JoinPlan.names(left: Set(left), right: added)
                    columns = left + added.map { names[$0] ?? $0 }
                } else {
                    columns = nil
                }
            case .pivot: columns = nil
            case .describe: columns = Planner.describeColumns
            case .filter, .sort, .topK, .slice, .chart, .spark: break
            }
        }
        return columns.map { c in
            var seen = Set<String>()
            return c.filter { seen.insert($0).inserted }
        }
    }

    // MARK: the physical plan

    /// Turns the operators as the query wrote them into the ones that run: `sort | limit`
    /// into a top-k, `offset | limit` into one slice; then works out, from the end back,
    /// the fields each file source builds, and each join's known columns. `downstream`:
    /// what the plan this one feeds needs of its rows (nil: every field).
    func finish(_ plan: inout Plan, downstream: Set<String>?) {
        plan.operators = Planner.physical(plan.operators)
        let need = context.pushdown ? FieldNeed.input(of: plan.operators, downstream: downstream) : nil
        switch plan.source {
        case .file: plan.fields = need
        case .subquery(var inner):
            finish(&inner, downstream: need)
            plan.source = .subquery(inner)
        default: break
        }
        for i in plan.operators.indices {
            guard case .join(var j) = plan.operators[i] else { continue }
            if var right = j.right {
                let rightNeed = context.pushdown ? FieldNeed.rightSide(of: plan.operators, at: i, downstream: downstream) : nil
                finish(&right, downstream: rightNeed)
                j.right = right
                j.rightColumns = columns(of: right)
                j.leftColumns = columns(of: plan, before: i)
            }
            plan.operators[i] = .join(j)
        }
    }

    /// `sort K | limit N` → top-k; `offset N | limit M` → one slice.
    static func physical(_ ops: [Operator]) -> [Operator] {
        var out: [Operator] = []
        var i = 0
        while i < ops.count {
            let next: Operator? = i + 1 < ops.count ? ops[i + 1] : nil
            switch (ops[i], next) {
            case (.sort(let keys), .slice(0, let k?)?):
                out.append(.topK(keys, k))
                i += 2
            case (.slice(let skip, nil), .slice(0, let m?)?):
                out.append(.slice(skip: skip, count: m))
                i += 2
            default:
                out.append(ops[i])
                i += 1
            }
        }
        return out
    }
}
