import MQCore
import MQSyntax

/// What the planner needs to know besides the query.
public struct PlannerContext: Sendable {
    public enum Variable: Sendable {
        /// `let n = 5`, `--set n=5`, `$1`
        case value(JSON)
        /// `let vips = customers | …`: a result, with its columns when known, and its one
        /// value when it is one row of one column (`let id = customers | limit 1 | select id`),
        /// which may then stand where a value does (`customer $id`); and how many rows it
        /// has, when known, to say why it is not a value.
        case result(columns: [String], single: JSON? = nil, rows: Int? = nil)
    }

    /// Push filters and limits to the API (`.pushdown off` / `--no-pushdown` clears it).
    public var pushdown = true
    /// "Now", for `today`, `-7d`, `days_since`.
    public var now: Instant
    /// A file's columns as its first rows show them (relative paths as the statement
    /// writes them), for bare words on files; nil when unreadable.
    public var fileColumns: (@Sendable (String) -> [String]?)? = nil
    public var variables: [String: Variable] = [:]
    /// Evaluates a resolved expression that reads no row (`month(today) - 1mo` in
    /// `since`), with the executor's evaluator, which this module cannot see (MQExec
    /// depends on it, not the reverse): the session sets it. Nil: such a `since` or
    /// `until` is refused (E036).
    public var evaluate: (@Sendable (Expr) -> JSON)? = nil

    public init(now: Instant) { self.now = now }
}

/// Turns a query into a plan: what goes to the API, what runs locally, and why.
public struct Planner {
    let context: PlannerContext

    public init(_ context: PlannerContext) { self.context = context }

    /// The physical plan of a query: what goes to the API, and the operators that run.
    public func plan(_ q: Query) throws(Diagnostic) -> Plan {
        var p = try logical(q)
        finish(&p, downstream: nil)
        return p
    }

    /// The plan as the query writes it, before `finish` makes it physical.
    func logical(_ q: Query) throws(Diagnostic) -> Plan {
        var notes: [String] = []
        var warnings: [Diagnostic] = []
        var entry: CatalogEntry? = nil
        if case .api(let name, _) = q.source.kind { entry = Catalog.entry(named: name) }
        var known: [String]? = entry?.fieldNames
        // What kind each field is, where the catalog says (for warnings only).
        var kinds: [String: FieldKind] = [:]
        for f in entry?.fields ?? [] { kinds[f.name] = FieldKind(catalogType: f.type) }
        // What the rows hold where `known` is nil, for bare words.
        let scope = BareWordScope()
        var operators: [Operator] = []
        var format: String? = nil
        var save: String? = nil

        // The source.
        var source: PlannedSource
        switch q.source.kind {
        case .api(let name, let id):
            guard let entry else { throw Diagnostic.unknownSource(name, at: q.source.span, suggestion: nil) }
            source = .remote(try remoteCall(entry, contact: id))
        case .file(let path):
            source = .file(path)
            scope.files.append(path)
        case .variable(let v):
            switch context.variables[v] {
            case nil: throw unknownVariable(v, at: q.source.span)
            case .value(let j)?:
                source = .value(j)
                known = ["value"]
            case .result(let columns, _, _)?:
                source = .variable(v)
                known = columns.isEmpty ? nil : columns
                scope.unknown = columns.isEmpty
            }
        case .subquery(let inner):
            source = .subquery(try logical(inner))
            known = nil
            scope.unknown = true
        }

        // Clauses.
        var pendingLimit: (Int, Span)? = nil
        var window: (since: (at: Instant, wire: String, span: Span)?, until: (at: Instant, wire: String, span: Span)?) = (nil, nil)
        var localFilterBeforeLimit: String? = nil
        for c in q.clauses {
            let name: String = switch c.kind {
            case .where: "where"
            case .since: "since"
            case .until: "until"
            case .search: "search"
            case .limit: "limit"
            }
            if let entry, !entry.clauses.contains(name) { throw Diagnostic.clauseNotTaken(name, by: entry, at: c.span) }
            if entry == nil && name != "where" && name != "limit" { throw Diagnostic.clauseNotTaken(name, by: nil, at: c.span) }
            switch c.kind {
            case .since(let e), .until(let e):
                let wire = try dateParam(e, end: name == "until")
                if let at = Instant.parseISO8601(wire)?.instant {
                    if name == "since" { window.since = (at, wire, c.span) } else { window.until = (at, wire, c.span) }
                }
                if case .remote(var rc) = source, let param = name == "since" ? rc.entry.since : rc.entry.until {
                    rc.query[param] = wire
                    source = .remote(rc)
                }
            case .search(let e):
                let text = try constantString(e, what: "`search`")
                if context.pushdown, case .remote(var rc) = source, let search = rc.entry.search {
                    rc.query[search.param] = text
                    source = .remote(rc)
                } else {
                    // The fields the API searches, searched here.
                    let s = Expr(.string(text), e.span)
                    func contains(_ f: String) -> Expr { Expr(.binary("~", Expr(.field([f]), e.span), s), e.span) }
                    let fields = entry?.search?.fields ?? []
                    let test = fields.dropFirst().reduce(contains(fields[0])) { Expr(.binary("or", $0, contains($1)), e.span) }
                    operators.append(.filter(test))
                    notes.append("search \"\(text)\" runs locally (\(Planner.either(fields)) contains it): pushdown is off")
                    localFilterBeforeLimit = "search"
                }
            case .where(let e):
                let resolved = try resolve(e, known: known, kinds: kinds, scope: scope)
                warnings += Planner.kindWarnings(resolved, kinds)
                let (_, local) = push(resolved, into: &source, notes: &notes, warnings: &warnings)
                if let local {
                    operators.append(.filter(local))
                    localFilterBeforeLimit = "where"
                }
            case .limit(let e):
                pendingLimit = (try count(e, what: "limit"), c.span)
            }
        }
        // An empty window is a mistake, said before any request: the API would answer 400,
        // and an empty count would look like an answer.
        if let since = window.since, let until = window.until, until.at <= since.at {
            throw Diagnostic.emptyWindow(since: since.wire, until: until.wire, at: since.span.to(until.span))
        }
        if let (n, _) = pendingLimit {
            pushLimit(n, blocker: localFilterBeforeLimit.map { "the local `\($0)` before it can drop rows" },
                      source: &source, notes: &notes)
            operators.append(.slice(skip: 0, count: n))
        }

        // Stages. A `where` is pushed while only filters (and sorts, which a filter commutes
        // with) ran locally before it; a `limit` while nothing local before it can drop, add
        // or reorder rows (a `select`, a `derive` or another limit cannot). Each blocker is
        // the reason a note gives.
        var filterBlocker: String? = pendingLimit == nil ? nil : "the `limit` before it keeps only the first rows"
        var limitBlocker: String? = localFilterBeforeLimit.map { "the local `\($0)` before it can drop rows" }
        // The fields that still hold the source's values (no `select` or `derive` made
        // another of the name): a filter on one is a filter the API could have answered.
        var original = Set(entry?.fieldNames ?? [])
        // The nearest stage that blocks is the reason given.
        func blockBoth(_ reason: String) {
            filterBlocker = reason
            limitBlocker = reason
            original = []
        }
        for s in q.stages {
            switch s.kind {
            case .where(let e):
                let resolved = try resolve(e, known: known, kinds: kinds, scope: scope)
                warnings += Planner.kindWarnings(resolved, kinds)
                if let filterBlocker {
                    keptLocal(resolved, filterBlocker, source: source, original: original, notes: &notes, warnings: &warnings)
                    operators.append(.filter(resolved))
                    limitBlocker = "the local `where` before it can drop rows"
                } else {
                    let (_, local) = push(resolved, into: &source, notes: &notes, warnings: &warnings)
                    if let local {
                        operators.append(.filter(local))
                        limitBlocker = "the local `where` before it can drop rows"
                    }
                }
            case .select(let ps):
                let resolved = try ps.map { (p) throws(Diagnostic) -> Projection in
                    Projection(name: p.name ?? Planner.columnName(p.expr),
                               expr: try resolve(p.expr, known: known, kinds: kinds, windows: true, scope: scope), span: p.span)
                }
                // Window calls are worked out first, from the input rows, into fields the
                // select then reads (and leaves out).
                var calls: [WindowCall] = []
                let rs = resolved.map { Projection(name: $0.name, expr: Planner.extractWindows($0.expr, into: &calls), span: $0.span) }
                if !calls.isEmpty {
                    operators.append(.window(calls))
                    blockBoth("the window function before it needs every row")
                }
                operators.append(.select(rs))
                known = rs.map { $0.name! }
                var kept: [String: FieldKind] = [:]
                for p in rs { if case .field(let path) = p.expr.kind, path.count == 1, let k = kinds[path[0]] { kept[p.name!] = k } }
                kinds = kept
                original = original.intersection(rs.compactMap { p in
                    if case .field(let path) = p.expr.kind, path == [p.name!] { p.name } else { nil }
                })
                filterBlocker = "`select` before it names the columns anew"
            case .derive(let ps):
                // Each new field can be used by the ones after it (`derive a = 1, b = a + 1`),
                // as the executor computes them in order.
                var rs: [Projection] = []
                var plain: [Projection] = []
                var windowed = false
                for p in ps {
                    let r = Projection(name: p.name, expr: try resolve(p.expr, known: known, kinds: kinds, windows: true, scope: scope),
                                       span: p.span)
                    rs.append(r)
                    if let n = p.name, let k = known, !k.contains(n) { known = k + [n] }
                    if let n = p.name { scope.names.insert(n) }
                    guard Planner.hasWindow(r.expr) else {
                        plain.append(r)
                        continue
                    }
                    // A window call sees the fields made before it, so the derive splits there.
                    if !plain.isEmpty { operators.append(.derive(plain)) }
                    plain = []
                    windowed = true
                    if case .window(let f, let args, let w) = r.expr.kind, let n = r.name {
                        operators.append(.window([WindowCall(name: n, function: f, args: args, window: w, span: r.expr.span)]))
                    } else {
                        var calls: [WindowCall] = []
                        let e = Planner.extractWindows(r.expr, into: &calls)
                        operators.append(.window(calls))
                        operators.append(.derive([Projection(name: r.name, expr: e, span: r.span)]))
                        operators.append(.exclude(calls.map(\.name)))
                    }
                }
                if !plain.isEmpty { operators.append(.derive(plain)) }
                if windowed { blockBoth("the window function before it needs every row") }
                for p in rs {
                    kinds[p.name ?? Planner.columnName(p.expr)] = nil
                    original.remove(p.name ?? Planner.columnName(p.expr))
                }
                filterBlocker = "`derive` before it may change the fields"
            case .sort(let keys):
                let rs = try keys.map { (k) throws(Diagnostic) -> SortKey in
                    SortKey(expr: try resolve(k.expr, known: known, kinds: kinds, scope: scope), descending: k.descending, span: k.span)
                }
                operators.append(.sort(rs))
                limitBlocker = "`sort` before it reorders rows, so every row is needed first"
            case .limit(let e):
                let n = try count(e, what: "limit")
                pushLimit(n, blocker: limitBlocker, source: &source, notes: &notes)
                operators.append(.slice(skip: 0, count: n))
                filterBlocker = "the `limit` before it keeps only the first rows"
            case .offset(let e):
                operators.append(.slice(skip: try count(e, what: "offset"), count: nil))
                blockBoth("`offset` before it skips rows")
            case .summarize(let aggs, let by):
                let rb = try groupKeys(by, known: &known, kinds: kinds, operators: &operators, scope: scope)
                // An expression over aggregates (`round(avg(csat), 2)`, `100 * avg(x = y)`) is
                // computed after the fold: its aggregates are folded under their own names,
                // then a `select` computes the expression and keeps the columns asked for.
                var folded: [Projection] = []
                var outputs: [Projection] = []
                var nested = false
                for a in aggs {
                    let resolved = try resolve(a.expr, known: known, kinds: kinds, aggregates: true, scope: scope)
                    warnings += Planner.aggregateWarnings(resolved, kinds)
                    let name = a.name ?? Planner.columnName(a.expr)
                    if case .call(let f, _) = resolved.kind, Planner.aggregates.contains(f) {
                        folded.append(Projection(name: name, expr: resolved, span: a.span))
                        outputs.append(Projection(name: name, expr: Expr(.field([name]), a.span), span: a.span))
                        continue
                    }
                    var helpers: [Projection] = []
                    let outer = Planner.extractAggregates(resolved, into: &helpers)
                    guard !helpers.isEmpty else { throw Diagnostic.notAnAggregate(at: a.expr.span) }
                    for h in helpers where !folded.contains(where: { $0.name == h.name }) { folded.append(h) }
                    outputs.append(Projection(name: name, expr: outer, span: a.span))
                    nested = true
                }
                operators.append(.summarize(folded, by: rb))
                kinds = [:]
                if nested {
                    let keys = rb.map { Projection(name: Planner.columnName($0), expr: Expr(.field([Planner.columnName($0)]), $0.span), span: $0.span) }
                    operators.append(.select(keys + outputs))
                }
                known = rb.map(Planner.columnName) + outputs.map { $0.name! }
                blockBoth("`summarize` before it")
            case .count(let by):
                let rb = try groupKeys(by, known: &known, kinds: kinds, operators: &operators, scope: scope)
                operators.append(.count(by: rb))
                kinds = [:]
                known = rb.map(Planner.columnName) + ["count"]
                blockBoth("`count` before it")
            case .distinct(let es):
                let rs = try es.map { (e) throws(Diagnostic) -> Expr in try resolve(e, known: known, kinds: kinds, scope: scope) }
                operators.append(.distinct(rs))
                kinds = [:]
                known = rs.map(Planner.columnName)
                blockBoth("`distinct` before it")
            case .join(var j):
                j.on = try resolve(j.on, known: known, kinds: kinds, scope: scope)
                var right: Plan? = nil
                switch j.target {
                case .customer:
                    known = known.map { $0 + Catalog.detailOnlyFields }
                    scope.names.formUnion(Catalog.contactDetail.fieldNames)
                case .file(let path):
                    right = Plan(source: .file(path), operators: [], text: "from \"\(path)\"")
                    if let k = known { scope.names.formUnion(k) }
                    scope.files.append(path)
                    known = nil
                case .variable(let v):
                    guard context.variables[v] != nil else { throw unknownVariable(v, at: s.span) }
                    right = Plan(source: .variable(v), operators: [], text: "$\(v)")
                    if let k = known { scope.names.formUnion(k) }
                    if case .result(let columns, _, _)? = context.variables[v], !columns.isEmpty {
                        scope.names.formUnion(columns)
                    } else {
                        scope.unknown = true
                    }
                    known = nil
                case .subquery(let inner):
                    right = try logical(inner)
                    known = nil
                    scope.unknown = true
                }
                operators.append(.join(JoinPlan(join: j, right: right)))
                if right != nil { kinds = [:] }
                blockBoth("`join` before it")
            case .flatten(let e, let alias):
                guard case .field(let path) = e.kind else { throw Diagnostic.flattenNeedsField(at: e.span) }
                let name = alias ?? path.last!
                scope.names.insert(name)
                if let known, path.count > 1 || alias != nil, name != path[0], known.contains(name) {
                    throw Diagnostic.flattenNameTaken(name, at: e.span)
                }
                operators.append(.flatten(try resolve(e, known: known, kinds: kinds, scope: scope), name: name))
                kinds = [:]
                // The element goes into one field; it never merges into the row.
                known = known.map { k in (path.count == 1 ? k.filter { $0 != path[0] } : k).filter { $0 != name } + [name] }
                blockBoth("`flatten` before it changes the row count")
            case .top(let n, let e):
                let r = try resolve(e, known: known, kinds: kinds, scope: scope)
                operators.append(.top(try count(n, what: "top"), r))
                kinds = [:]
                known = [Planner.columnName(r), "count"]
                blockBoth("`top` before it")
            case .pivot(let k, let v):
                let rk = try resolve(k, known: known, kinds: kinds, scope: scope)
                let rv = try resolve(v, known: known, kinds: kinds, scope: scope)
                operators.append(.pivot(rk, rv))
                // The columns are the key's values: only the data can tell.
                known = nil
                scope.unknown = true
                kinds = [:]
                blockBoth("`pivot` before it")
            case .describe:
                operators.append(.describe)
                known = Planner.describeColumns
                kinds = [:]
                blockBoth("`describe` before it")
            case .format(let f):
                format = f
            case .save(let path):
                save = path
            case .chart(let es):
                operators.append(.chart(try es.map { (e) throws(Diagnostic) -> Expr in try resolve(e, known: known, kinds: kinds, scope: scope) }))
                blockBoth("`chart` before it")
            case .spark(let e):
                operators.append(.spark(try resolve(e, known: known, kinds: kinds, scope: scope)))
                blockBoth("`spark` before it")
            }
        }
        // Parameters go out in the entry's order, whichever order the clauses came in.
        if case .remote(var rc) = source {
            rc.query = rc.query.ordered(by: rc.entry.params)
            source = .remote(rc)
        }
        var plan = Plan(source: source, operators: operators, notes: notes, format: format, save: save, text: Printer.query(q))
        plan.warnings = warnings
        return plan
    }

    static let aggregates = FunctionSpec.aggregateSet

    /// The columns of `describe`'s rows (DuckDB's SUMMARIZE, in language.md's words).
    public static let describeColumns = ["field", "kind", "count", "nulls", "distinct", "min", "max", "avg"]

    /// `sum, avg and median take numbers; count, min, max and distinct take any kind`
    static var aggregateKinds: String {
        let specs = FunctionSpec.all.filter(\.isAggregate)
        return either(specs.filter { $0.args.first == .number }.map(\.name), "and") + " take numbers; "
            + either(specs.filter { $0.args.first == .any }.map(\.name), "and") + " take any kind"
    }

    /// The column a projection without a name produces: `agent.name`, `avg_csat`, `count`.
    public static func columnName(_ e: Expr) -> String {
        switch e.kind {
        case .field(let path): return path.joined(separator: ".")
        case .bareWord(let w): return w
        case .call(let f, let args):
            if args.isEmpty { return f }
            return f + "_" + args.map(columnName).joined(separator: "_")
        default: return Printer.expr(e)
        }
    }

    // MARK: pushdown

    /// Splits `a and b and c` into its conjuncts.
    static func conjuncts(_ e: Expr) -> [Expr] {
        if case .binary("and", let l, let r) = e.kind { return conjuncts(l) + conjuncts(r) }
        return [e]
    }

    /// Pushes what the API answers; returns the pushed conjuncts and the local rest.
    func push(_ e: Expr, into source: inout PlannedSource, notes: inout [String], warnings: inout [Diagnostic])
        -> (pushed: [Expr], local: Expr?)
    {
        guard case .remote(var rc) = source else { return ([], e) }
        let entry = rc.entry
        var pushed: [Expr] = []
        var local: [Expr] = []
        for c in Planner.conjuncts(e) {
            if case .binary("=", let l, let r) = c.kind, case .field(let path) = l.kind, path.count == 1,
               let filter = entry.filters[path[0]], case .string(let value) = r.kind
            {
                let field = path[0]
                let already = rc.query[filter.param]
                if let w = Planner.unknownValue(value, filter, field: field, at: r.span) {
                    warnings.append(w)
                    notes.append("\(Printer.expr(c)) runs locally: `\(value)` is not one of the API's values, which it would reject")
                } else if !context.pushdown {
                    notes.append("\(Printer.expr(c)) runs locally: pushdown is off")
                } else if already == nil {
                    rc.query[filter.param] = value
                    pushed.append(c)
                    continue
                } else {
                    notes.append("\(Printer.expr(c)) runs locally: the API takes one `\(field)`, already \(already!)")
                }
            } else {
                notes.append("\(Printer.expr(c)) runs locally: " + Planner.whyNotPushable(c, entry: entry))
            }
            local.append(c)
        }
        source = .remote(rc)
        let rest = local.dropFirst().reduce(local.first) { acc, x in
            Expr(.binary("and", acc!, x), acc!.span.to(x.span))
        }
        return (pushed, rest)
    }

    static func whyNotPushable(_ c: Expr, entry: CatalogEntry) -> String {
        if entry.filters.isEmpty { return "`\(entry.name)` has no filter parameters" }
        let params = entry.filters.keys.sorted().map { "`\($0) = value`" }.joined(separator: " and ")
        return "the API filters only by \(params)"
    }

    /// A filter kept local because of `reason`: a note for each conjunct the API could have
    /// answered at the source, and W001 for a value the API does not know (no row has it).
    /// A field stands for the source's only while it is in `original`.
    func keptLocal(_ e: Expr, _ reason: String, source: PlannedSource, original: Set<String>, notes: inout [String],
                   warnings: inout [Diagnostic])
    {
        guard case .remote(let rc) = source else { return }
        for c in Planner.conjuncts(e) {
            guard case .binary("=", let l, let r) = c.kind, case .field(let path) = l.kind, path.count == 1,
                  original.contains(path[0]), let filter = rc.entry.filters[path[0]], case .string(let value) = r.kind
            else { continue }
            if let w = Planner.unknownValue(value, filter, field: path[0], at: r.span) { warnings.append(w) }
            notes.append("\(Printer.expr(c)) runs locally: \(reason)")
        }
    }

    /// W001 for a value outside the API's list for a filter.
    static func unknownValue(_ value: String, _ filter: CatalogEntry.Filter, field: String, at span: Span) -> Diagnostic? {
        guard !filter.values.isEmpty, !filter.values.contains(value) else { return nil }
        return Diagnostic.unknownValue(value, field: field, suggestion: Hints.closest(value, in: filter.values),
                                       known: filter.values, at: span)
    }

    func pushLimit(_ n: Int, blocker: String?, source: inout PlannedSource, notes: inout [String]) {
        guard case .remote(var rc) = source else { return }
        guard rc.entry.limitParam != nil else {
            notes.append("limit \(n) is not pushed: `\(rc.entry.name)` has no limit parameter")
            return
        }
        if let blocker {
            notes.append("limit \(n) is not pushed: \(blocker)")
            return
        }
        guard context.pushdown else {
            notes.append("limit \(n) is not pushed: pushdown is off (paging still stops once \(n) rows are through)")
            return
        }
        rc.query.rowLimit = min(rc.query.rowLimit ?? .max, n)
        source = .remote(rc)
    }

    /// `a, b or c`
    static func either(_ words: [String], _ conjunction: String = "or") -> String {
        words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " \(conjunction) " + words.last!
    }

    // MARK: resolving expressions

    /// A value with no row to read from (`let n = 5`): variables substituted, bare words
    /// are text, and a field name is an error.
    public func resolveConstant(_ e: Expr) throws(Diagnostic) -> Expr { try resolve(Parser.bare(e), known: []) }

    /// Whether an expression holds a window call.
    static func hasWindow(_ e: Expr) -> Bool {
        var calls: [WindowCall] = []
        _ = extractWindows(e, into: &calls)
        return !calls.isEmpty
    }

    /// Replaces each window call in an expression by a field named after it (its text in
    /// parentheses, which no field of a source has), and collects the calls.
    static func extractWindows(_ e: Expr, into calls: inout [WindowCall]) -> Expr {
        func x(_ e: Expr) -> Expr { extractWindows(e, into: &calls) }
        switch e.kind {
        case .window(let f, let args, let w):
            let name = "(" + Printer.expr(e) + ")"
            if !calls.contains(where: { $0.name == name }) {
                calls.append(WindowCall(name: name, function: f, args: args, window: w, span: e.span))
            }
            return Expr(.field([name]), e.span)
        case .call(let f, let args): return Expr(.call(f, args.map(x)), e.span)
        case .unary(let op, let a): return Expr(.unary(op, x(a)), e.span)
        case .binary(let op, let a, let b): return Expr(.binary(op, x(a), x(b)), e.span)
        case .list(let items): return Expr(.list(items.map(x)), e.span)
        case .isNull(let a, let negated): return Expr(.isNull(x(a), negated: negated), e.span)
        default: return e
        }
    }

    /// Replaces each aggregate call in an expression by a field named after it, and
    /// collects those calls (to be folded first) into `helpers`.
    static func extractAggregates(_ e: Expr, into helpers: inout [Projection]) -> Expr {
        switch e.kind {
        case .call(let f, _) where aggregates.contains(f):
            let name = "(" + columnName(e) + ")"
            if !helpers.contains(where: { $0.name == name }) { helpers.append(Projection(name: name, expr: e, span: e.span)) }
            return Expr(.field([name]), e.span)
        case .call(let f, let args): return Expr(.call(f, args.map { extractAggregates($0, into: &helpers) }), e.span)
        case .unary(let op, let x): return Expr(.unary(op, extractAggregates(x, into: &helpers)), e.span)
        case .binary(let op, let a, let b):
            return Expr(.binary(op, extractAggregates(a, into: &helpers), extractAggregates(b, into: &helpers)), e.span)
        case .list(let xs): return Expr(.list(xs.map { extractAggregates($0, into: &helpers) }), e.span)
        case .isNull(let x, let negated): return Expr(.isNull(extractAggregates(x, into: &helpers), negated: negated), e.span)
        default: return e
        }
    }

    /// Group keys: a named key (`by agent = agent.name`) becomes a derived column first,
    /// then the rows are grouped by that name, so the result's column is called `agent`.
    func groupKeys(_ by: [Projection], known: inout [String]?, kinds: [String: FieldKind] = [:], operators: inout [Operator],
                   scope: BareWordScope? = nil) throws(Diagnostic) -> [Expr]
    {
        var derived: [Projection] = []
        var keys: [Expr] = []
        for b in by {
            let e = try resolve(b.expr, known: known, kinds: kinds, scope: scope)
            if let name = b.name, name != Planner.columnName(e) {
                derived.append(Projection(name: name, expr: e, span: b.span))
                keys.append(Expr(.field([name]), b.span))
            } else {
                keys.append(e)
            }
        }
        if !derived.isEmpty {
            operators.append(.derive(derived))
            known = known.map { $0 + derived.map { $0.name! } }
        }
        return keys
    }

    /// Bare words become fields when the source has such a field (else strings); `$vars`
    /// holding values become literals; fields the source does not have are errors. An
    /// aggregate call is an error outside `summarize` (`aggregates`): elsewhere it has
    /// no rows to fold and would quietly be null.
    func resolve(_ e: Expr, known: [String]?, kinds: [String: FieldKind] = [:], aggregates: Bool = false, windows: Bool = false,
                 scope: BareWordScope? = nil) throws(Diagnostic) -> Expr
    {
        func r(_ x: Expr) throws(Diagnostic) -> Expr {
            try resolve(x, known: known, kinds: kinds, aggregates: aggregates, windows: windows, scope: scope)
        }
        // Inside a window call: no further window, no aggregate of rows.
        func inner(_ x: Expr) throws(Diagnostic) -> Expr { try resolve(x, known: known, kinds: kinds, scope: scope) }
        switch e.kind {
        case .bareWord(let w):
            guard let known else {
                // A file's columns, read from its first rows: the word is a field for every
                // row or for none (decided row by row, `s = g` compared the rows lacking
                // `g` with the text "g"). Unknowable (a subquery): left to each row.
                guard let has = scope?.has(w, context.fileColumns) else { return e }
                return has ? Expr(.field([w]), e.span) : Expr(.string(w), e.span)
            }
            return known.contains(w) ? Expr(.field([w]), e.span) : Expr(.string(w), e.span)
        case .field(let path):
            if let known, !known.contains(path[0]), !known.contains(path.joined(separator: ".")) {
                throw Diagnostic.unknownField(path, known: known, at: e.span)
            }
            return e
        case .variable(let v):
            guard let variable = context.variables[v] else { throw unknownVariable(v, at: e.span) }
            if case .result(_, let single?, _) = variable { return Expr(Planner.literal(single), e.span) }
            guard case .value(let j) = variable else { throw notAValue(v, at: e.span) }
            return Expr(Planner.literal(j), e.span)
        case .list(let items): return Expr(.list(try items.map(r)), e.span)
        case .months(_, let text):
            // Only where it moves a date (below); elsewhere it would have to be seconds.
            throw Diagnostic.monthNotSeconds(text, at: e.span)
        case .unary("-", let x) where Planner.isMonths(x):
            return e  // `-1mo`: a month before now
        case .unary(let op, let x): return Expr(.unary(op, try r(x)), e.span)
        case .binary(let op, let a, let b):
            // `date + 1mo`, `date - 1mo`, `1mo + date`: what the evaluator moves by months.
            let monthsRight = (op == "+" || op == "-") && Planner.isMonths(b)
            let monthsLeft = op == "+" && Planner.isMonths(a) && !monthsRight
            let rb = try monthsRight ? b : r(b)
            if op == "=~", case .string(let pattern) = rb.kind, !Regex.isValid(pattern) {
                throw Diagnostic.invalidRegex(pattern, at: b.span)
            }
            return Expr(.binary(op, try monthsLeft ? a : r(a), rb), e.span)
        case .window(let f, let args, let w):
            guard windows else { throw Diagnostic.overNotAllowed(f, at: e.span, reason: "only `derive` and `select` take window functions") }
            guard let spec = FunctionSpec.named(f), spec.takesOver else {
                throw Diagnostic.overNotAllowed(f, at: e.span, reason: "`\(f)` gives one row's value; window functions: "
                    + (FunctionSpec.windowNames + ["sum", "avg", "min", "max", "count"]).joined(separator: " "))
            }
            if spec.needsSort && w.sort.isEmpty { throw Diagnostic.windowNeedsSort(spec, at: e.span) }
            let resolved = try args.map(inner)
            try Planner.checkArguments(spec, resolved, kinds)
            let window = Window(by: try w.by.map(inner),
                                sort: try w.sort.map { (k) throws(Diagnostic) -> SortKey in
                                    SortKey(expr: try inner(k.expr), descending: k.descending, span: k.span)
                                })
            return Expr(.window(f, resolved, window), e.span)
        case .call(let f, let args):
            if let spec = FunctionSpec.named(f), spec.kind == .window { throw Diagnostic.windowWithoutOver(spec, at: e.span) }
            if !aggregates, Planner.aggregates.contains(f) { throw Diagnostic.aggregateOutsideSummarize(f, at: e.span) }
            let resolved = try args.map(r)
            if let spec = FunctionSpec.named(f) { try Planner.checkArguments(spec, resolved, kinds) }
            return Expr(.call(f, resolved), e.span)
        case .isNull(let x, let negated): return Expr(.isNull(try r(x), negated: negated), e.span)
        default: return e
        }
    }

    static func literal(_ j: JSON) -> Expr.Kind {
        switch j {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .double(let d): return .double(d)
        case .string(let s):
            // A kept date (`let since = 2026-04`) stays a date.
            if Instant.parseISO8601(s) != nil, s.first?.isNumber == true { return .date(s) }
            return .string(s)
        default: return .string(j.jsonText)
        }
    }

    /// A kept result where a value must stand (`customer $id`): how big it is, and how to
    /// make it one value (a search that matched two contacts is the usual case).
    func notAValue(_ v: String, at span: Span) -> Diagnostic {
        guard case .result(let columns, _, let rows)? = context.variables[v] else { return unknownVariable(v, at: span) }
        var size = ""
        if let rows { size = " of \(rows) row\(rows == 1 ? "" : "s")" + (columns.isEmpty ? "" : " and \(columns.count) column\(columns.count == 1 ? "" : "s")") }
        let column = columns.count == 1 || !columns.contains("id") ? columns.first ?? "id" : "id"
        var hints: [String] = []
        if let rows, rows == 1 {
            hints.append("keep one column: `let \(v) = (… | select \(column))`")
        } else {
            hints.append("keep one row and one column: `let \(v) = (… | limit 1 | select \(column))`"
                + (rows.map { $0 > 1 ? "; `$\(v)` shows the \($0)" : "" } ?? ""))
        }
        hints.append("as rows, it is a source (`$\(v) | …`) or a join (`join ($\(v)) on id`)")
        return Diagnostic(.notAValue, "`$\(v)` is a result\(size), not a value", at: span, hints: hints)
    }

    func unknownVariable(_ v: String, at span: Span) -> Diagnostic {
        if case .result? = context.variables[v] { return notAValue(v, at: span) }
        let names = context.variables.keys.sorted()
        return Diagnostic(.unknownVariable, "unknown variable `$\(v)`", at: span,
                          hints: Hints.didYouMean(Hints.closest(v, in: names).map { "$" + $0 })
                              + (v.allSatisfy(\.isNumber) ? ["script arguments: mq FILE.mq ARG1 ARG2 …"] : ["set it with `let \(v) = …` or --set \(v)=…"]))
    }

    /// The call of an API source, with the contact it names: a uuid (as the lexer reads
    /// one) is the id; any other text, a phone, an email or a name, is searched for first
    /// (`ContactLookup`), and the id the search finds goes into the detail request.
    func remoteCall(_ entry: CatalogEntry, contact e: Expr?) throws(Diagnostic) -> RemoteCall {
        var call = RemoteCall(entry: entry)
        guard let e else { return call }
        let text = try constantString(e, what: "a contact id")
        if Lexer.isUUID(text.utf8) {
            call.contact = text
        } else {
            // An empty search matches every contact: it names none.
            guard text.contains(where: { !$0.isWhitespace }) else { throw Diagnostic.emptyContact(entry.name, at: e.span) }
            call.lookup = ContactLookup(text: text)
        }
        return call
    }

    /// A variable's value: a kept value, or a kept result of one row and one column.
    func scalar(_ v: String) -> JSON? {
        switch context.variables[v] {
        case .value(let j)?: return j
        case .result(_, let single?, _)?: return single
        default: return nil
        }
    }

    func constantString(_ e: Expr, what: String) throws(Diagnostic) -> String {
        switch e.kind {
        case .string(let s), .bareWord(let s): return s
        case .date(let d): return d
        case .int(let n): return String(n)
        case .variable(let v):
            guard let j = scalar(v) else { throw unknownVariable(v, at: e.span) }
            if case .string(let s) = j { return s }
            return j.jsonText
        default:
            throw Diagnostic.notText(what, at: e.span)
        }
    }

    func count(_ e: Expr, what: String) throws(Diagnostic) -> Int {
        switch e.kind {
        case .int(let n) where n >= 0: return n
        case .variable(let v):
            guard let j = scalar(v) else { throw unknownVariable(v, at: e.span) }
            if case .int(let n) = j, n >= 0 { return n }
            if case .string(let s) = j, let n = Int(s), n >= 0 { return n }
            throw Diagnostic.variableNotACount(what, variable: v, holds: j, at: e.span)
        default:
            throw Diagnostic.notACount(what, at: e.span)
        }
    }

    static func isMonths(_ e: Expr) -> Bool {
        if case .months = e.kind { return true }
        return false
    }

    /// A `since`/`until` value as the API takes it. A month, a day or a period word
    /// means its whole span: `until 2026-04` is before 2026-05-01, `until last_month`
    /// before the first of this month. Any other expression (`month(today) - 1mo`) is
    /// evaluated (`PlannerContext.evaluate`) to the one instant it names.
    func dateParam(_ e: Expr, end: Bool) throws(Diagnostic) -> String {
        switch e.kind {
        case .date(let text), .string(let text):
            guard let (instant, precision) = Instant.parseISO8601(text) else {
                throw Diagnostic.notADate(text, at: e.span)
            }
            switch precision {
            case .dateTime: return instant.iso8601
            case .day: return (end ? instant.adding(days: 1) : instant).dateString
            case .month: return (end ? instant.startOfNextMonth : instant).dateString
            case .year:
                let c = instant.civil
                return (end ? Instant(year: c.year + 1, month: 1, day: 1) : instant).dateString
            }
        case .day(let word):
            // The parser makes `.day` of `Period`'s words only.
            guard let period = Period(rawValue: word) else { break }
            let bounds = period.bounds(at: context.now)
            return (end ? bounds.end : bounds.start).dateString
        case .unary("-", let inner):
            // `-7d`, `-1mo`: that long before now.
            if case .duration(let seconds, _) = inner.kind { return context.now.adding(seconds: -seconds).iso8601 }
            if case .months(let n, _) = inner.kind {
                guard let at = context.now.adding(months: -n) else { throw Diagnostic.notADate(Printer.expr(e), at: e.span) }
                return at.iso8601
            }
            return try evaluatedDate(e)
        case .variable(let v):
            guard let j = scalar(v) else { throw unknownVariable(v, at: e.span) }
            guard case .string(let s) = j else { break }
            return try dateParam(Expr(.string(s), e.span), end: end)
        case .binary, .call, .unary:
            return try evaluatedDate(e)
        default: break
        }
        throw Diagnostic.notADate(nil, at: e.span)
    }

    /// The instant a `since`/`until` expression gives, which it means exactly (no
    /// widening to a whole month or day: `until month(today)` ends where this month
    /// starts). A date-time or an ISO-8601 text, else E036.
    func evaluatedDate(_ e: Expr) throws(Diagnostic) -> String {
        // There is no row: a field in a clause is a mistake to show where it stands.
        if let field = Planner.firstField(e) { throw Diagnostic.notADate(nil, at: field.span) }
        let resolved = try resolveConstant(e)
        guard let evaluate = context.evaluate, case .string(let s) = evaluate(resolved),
              let (instant, _) = Instant.parseISO8601(s)
        else { throw Diagnostic.notADate(Printer.expr(e), at: e.span) }
        return instant.iso8601
    }

    /// The first field an expression reads, if any.
    static func firstField(_ e: Expr) -> Expr? {
        switch e.kind {
        case .field: return e
        case .unary(_, let x), .isNull(let x, _): return firstField(x)
        case .binary(_, let a, let b): return firstField(a) ?? firstField(b)
        case .call(_, let args), .list(let args): return args.lazy.compactMap(firstField).first
        default: return nil
        }
    }
}


// MARK: warnings for filters that cannot match

/// What kind a field's values are, as far as the catalog says.
enum FieldKind: Equatable {
    case number, text, date, array, object, boolean

    init?(catalogType t: String) {
        let base = t.hasSuffix("?") ? String(t.dropLast()) : t
        switch base {
        case "int", "double": self = .number
        case "string": self = .text
        case "date-time", "date": self = .date
        case "object": self = .object
        case "bool", "boolean": self = .boolean
        default:
            if base.hasPrefix("array") { self = .array } else { return nil }
        }
    }

    var phrase: String {
        switch self {
        case .number: "a number"
        case .text: "text"
        case .date: "a date-time"
        case .array: "a list"
        case .object: "an object"
        case .boolean: "a boolean"
        }
    }
}

extension Planner {
    /// Comparisons of a field of a known kind with a literal of another, which no row can
    /// satisfy: `csat > "high"`, `phone = 447700900123`.
    static func kindWarnings(_ e: Expr, _ kinds: [String: FieldKind]) -> [Diagnostic] {
        guard !kinds.isEmpty else { return [] }
        var out: [Diagnostic] = []
        func walk(_ e: Expr) {
            switch e.kind {
            case .binary(let op, let l, let r) where ["=", "!=", "<", "<=", ">", ">="].contains(op):
                if let d = mismatch(op, l, r, kinds, whole: e) ?? mismatch(op, r, l, kinds, whole: e) { out.append(d) }
            case .binary(_, let l, let r): walk(l); walk(r)
            case .unary(_, let x): walk(x)
            default: break
            }
        }
        walk(e)
        return out
    }

    private static func mismatch(_ op: String, _ field: Expr, _ literal: Expr, _ kinds: [String: FieldKind], whole: Expr) -> Diagnostic? {
        guard case .field(let path) = field.kind, path.count == 1, let kind = kinds[path[0]] else { return nil }
        let literalKind: FieldKind
        switch literal.kind {
        case .int, .double: literalKind = .number
        case .bool: literalKind = .boolean
        case .date, .day: literalKind = .date
        // `-7d`, `-1mo`: that long before now.
        case .unary("-", let x) where { if case .duration = x.kind { true } else { Planner.isMonths(x) } }(): literalKind = .date
        case .string(let s): literalKind = kind == .date && Instant.parseISO8601(s) != nil ? .date : .text
        default: return nil
        }
        guard literalKind != kind else { return nil }
        // A date field against text that is a date compares as instants (handled above).
        let name = path[0]
        let never = op == "!=" ? "always true (the kinds never match)" : "never true"
        var hints: [String] = []
        switch kind {
        case .number: hints.append("compare `\(name)` with a number, e.g. `\(name) > 3`")
        case .text: hints.append("text takes quotes: `\(name) = \"…\"`")
        case .date: hints.append("compare `\(name)` with a date: 2026-04, 2026-04-15, -7d, today")
        case .array: hints.append("`\(name)` is a list: `\(name) has \"…\"` tests for an element")
        case .object: hints.append("compare a member: `\(name).FIELD`")
        case .boolean: hints.append("compare `\(name)` with true or false")
        }
        return Diagnostic(.kindMismatch, "`\(name)` is \(kind.phrase) and \(Printer.expr(literal)) is \(literalKind.phrase): `\(Printer.expr(whole))` is \(never)",
                          at: whole.span, hints: hints)
    }

    /// `avg(name)`, `sum(createdAt)`: aggregates of numbers over a field of another kind.
    static func aggregateWarnings(_ e: Expr, _ kinds: [String: FieldKind]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func walk(_ e: Expr) {
            switch e.kind {
            case .call(let f, let args):
                if FunctionSpec.named(f)?.args.first == .number, FunctionSpec.named(f)?.isAggregate == true, let a = args.first, case .field(let path) = a.kind, path.count == 1,
                   let kind = kinds[path[0]], kind != .number, kind != .boolean
                {
                    out.append(Diagnostic.aggregateOfWrongKind(f, field: path[0], is: kind.phrase, at: e.span))
                }
                args.forEach(walk)
            case .binary(_, let l, let r): walk(l); walk(r)
            case .unary(_, let x): walk(x)
            default: break
            }
        }
        walk(e)
        return out
    }
}

/// What fields the rows can have where the planner's `known` is nil (a file's rows), so
/// that a bare word is a field for every row or for none. A file's columns are read only
/// when a bare word asks (`PlannerContext.fileColumns`, from the first rows).
final class BareWordScope {
    var files: [String] = [] { didSet { read = nil } }
    /// Fields added by stages (`derive`, `flatten`, a join's left side).
    var names: Set<String> = []
    /// Some rows come from where nothing can be known (a subquery): decided per row.
    var unknown = false
    private var read: Set<String>?

    func has(_ w: String, _ columns: (@Sendable (String) -> [String]?)?) -> Bool? {
        if names.contains(w) { return true }
        guard !unknown, let columns else { return nil }
        if read == nil {
            var all = Set<String>()
            for f in files {
                guard let c = columns(f) else { return nil }
                all.formUnion(c)
            }
            read = all
        }
        return read!.contains(w)
    }
}
