import MQCore
import MQSyntax

/// Prints a physical plan as `explain` shows it: exactly what runs, from the plan alone.
public struct PlanPrinter {
    /// The full URL of a request, when a client can say it (base URL, org, path, query).
    public var url: ((_ path: String, _ params: [(String, String)]) -> String)?

    public init(url: ((_ path: String, _ params: [(String, String)]) -> String)? = nil) { self.url = url }

    public func print(_ plan: Plan) -> String {
        var out = "plan: \(plan.text)\n"
        switch plan.source {
        case .remote(let call):
            if let lookup = call.lookup { out += self.lookup(lookup) }
            let url = url?(call.path, call.firstParams()) ?? "/organizations/:orgId/reports\(call.path)"
            out += "remote: GET \(url)\n"
            if call.lookup != nil { out += "  :contactId: the id of the one contact that matches\n" }
            switch call.entry.shape {
            case .paged:
                switch plan.pages {
                case .rows(let n, let pages)?:
                    out += "  pages: up to \(pages), following cursors; stops once \(n) row\(n == 1 ? "" : "s") have arrived\n"
                case .untilLocal(let n)?:
                    out += "  pages: following cursors until \(n) row\(n == 1 ? " passes" : "s pass") the local stages (at most every page)\n"
                case .all(let size)?:
                    out += "  pages: every page, following cursors to the last (\(size) rows a page)\n"
                case nil: break
                }
            case .part(let member): out += "  pages: 1 (the contact's detail; its \(member) becomes rows)\n"
            case .oneRow, .list: out += "  pages: 1\n"
            }
        case .file(let path):
            out += "source: the file \"\(path)\" (no request)\n"
            if let fields = plan.fields { out += "  fields: \(PlanPrinter.fieldList(fields))\n" }
        case .variable(let v): out += "source: $\(v), kept earlier (no request)\n"
        case .value: out += "source: a kept value (no request)\n"
        case .subquery(let inner):
            out += "source: a subquery:\n"
            out += print(inner).split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
            if !out.hasSuffix("\n") { out += "\n" }
        }
        if plan.operators.isEmpty {
            out += "local: nothing\n"
        } else {
            out += "local:\n"
            for (i, op) in plan.operators.enumerated() {
                out += "  \(i + 1). \(PlanPrinter.describe(op))\n"
                if case .join(let j) = op {
                    if let right = j.right, case .file = right.source, let fields = right.fields {
                        out += "     fields of the file: \(PlanPrinter.fieldList(fields))\n"
                    }
                    out += PlanPrinter.names(j)
                }
            }
        }
        if let f = plan.format { out += "output: \(f)\n" }
        if let s = plan.save { out += "save: \"\(s)\"\n" }
        for n in plan.notes { out += "note: \(n)\n" }
        for w in plan.warnings { out += "warning: \(w.message)\n" }
        return out
    }

    /// The search that finds a contact's id before its detail request, and how it picks.
    func lookup(_ l: ContactLookup) -> String {
        let url = url?(l.path, l.params()) ?? "/organizations/:orgId/reports\(l.path)"
        return "lookup: GET \(url)\n"
            + "  pages: 1, at most \(ContactLookup.limit) contacts whose \(ContactLookup.fieldsText) contains \"\(l.text)\"\n"
            + "  picks: the only one, or the one whose phone or email (else name) is the text; else the statement stops\n"
    }

    /// What a join's names will be: the renames when both sides' columns are known
    /// before it runs (a file's from its first rows), else the rule.
    static func names(_ j: JoinPlan) -> String {
        // A detail repeats the list row's fields: which differ is known only then.
        guard j.right != nil else {
            return "     names: adds \(Catalog.detailOnlyFields.joined(separator: " and ")); a detail field that differs from the row's is added as NAME_right\n"
        }
        guard let renames = j.renames else { return "     names: a right field whose name the left rows have is added as NAME_right\n" }
        if renames.isEmpty { return "     names: no right field collides with a left one\n" }
        let shown = renames.prefix(6).map { "\($0.0) → \($0.1)" }.joined(separator: ", ")
        return "     renames: " + shown + (renames.count > 6 ? ", … (\(renames.count) in all)" : "") + "\n"
    }

    static func fieldList(_ names: Set<String>) -> String {
        names.isEmpty ? "none kept (rows are checked and counted)"
            : names.sorted().joined(separator: ", ") + " (the others are read past, not kept)"
    }

    public static func describe(_ op: Operator) -> String {
        func e(_ x: Expr) -> String { Printer.expr(x) }
        /// `name = expr`, or just `expr` when the name is the column it would get anyway.
        func projection(_ p: Projection) -> String {
            guard let n = p.name, n != Planner.columnName(p.expr) else { return e(p.expr) }
            return "\(n) = \(e(p.expr))"
        }
        func keys(_ ks: [SortKey]) -> String { ks.map { ($0.descending ? "-" : "") + e($0.expr) }.joined(separator: ", ") }
        let text: String
        switch op {
        case .filter(let x): text = "where \(e(x))"
        case .select(let ps): text = "select " + ps.map(projection).joined(separator: ", ")
        case .derive(let ps): text = "derive " + ps.map(projection).joined(separator: ", ")
        case .window(let calls):
            // A call inside an expression is named after itself: shown once.
            text = "window " + calls.map { c in c.name == "(\(e(c.expr)))" ? e(c.expr) : "\(Printer.name(c.name)) = \(e(c.expr))" }
                .joined(separator: ", ")
        case .exclude(let names): text = "drop " + names.joined(separator: ", ")
        case .sort(let ks): text = "sort " + keys(ks)
        case .topK(let ks, let k): text = "sort \(keys(ks)) | limit \(k): top-k, keeping \(k) row\(k == 1 ? "" : "s") at a time"
        case .slice(let skip, let count):
            text = [skip > 0 ? "offset \(skip)" : nil, count.map { "limit \($0)" }].compactMap { $0 }.joined(separator: " | ")
        case .summarize(let aggs, let by):
            text = "summarize " + aggs.map(projection).joined(separator: ", ") + (by.isEmpty ? "" : " by " + by.map(e).joined(separator: ", "))
        case .count(let by): text = by.isEmpty ? "count" : "count by " + by.map(e).joined(separator: ", ")
        case .distinct(let es): text = "distinct " + es.map(e).joined(separator: ", ")
        case .join(let plan):
            let j = plan.join
            let target: String = switch j.target {
            case .customer: "customer (one detail request per distinct \(e(j.on)), in parallel)"
            case .file(let p): "from \"\(p)\" (hash join)"
            case .variable(let v): "($\(v)) (hash join)"
            case .subquery: "(subquery) (hash join)"
            }
            text = "join " + (j.left ? "left " : "") + target + " on " + e(j.on) + (j.equals.map { " = " + e($0) } ?? "")
        case .flatten(let x, let name):
            // The element's field is named when it is not the array's own.
            text = "flatten \(e(x))" + (name == Planner.columnName(x) ? "" : " (each element into `\(name)`)")
        case .top(let n, let x): text = "top \(n) \(e(x))"
        case .pivot(let k, let v): text = "pivot \(e(k)), \(e(v))"
        case .describe: text = "describe"
        case .chart(let es): text = "chart " + es.map(e).joined(separator: " ")
        case .spark(let x): text = "spark \(e(x))"
        }
        // Charts draw from every row too, but were never marked; `join customer` is
        // marked by its own words.
        switch op {
        case .chart, .spark, .join: return text
        default: return op.isBlocking ? text + " (blocking)" : text
        }
    }
}
