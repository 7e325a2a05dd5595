import MQCore
import MQFiles
import MQPlanner
import MQSyntax

/// Builds a plan's stream chain and runs it.
struct Executor {
    let api: (any ReportsAPI)?
    let statement: CallContext
    let variables: [String: StoredValue]
    let eval: Evaluator
    let state: ExecutionState
    let maxRequests: Int
    /// Bytes a sort may hold before it spills to temporary files (`--memory-limit`).
    var memoryLimit = ByteSize.defaultMemoryLimit
    let baseDirectory: String

    /// The stream of a plan's rows: one stream per operator, in order.
    func stream(_ plan: Plan, isStatement: Bool = false) throws -> RowStream {
        var s = try source(plan, isStatement: isStatement)
        for op in plan.operators {
            switch op {
            case .filter(let e): s = FilterStream(s, e, eval, state: state)
            case .select(let ps):
                let ev = eval
                s = MapStream(s, eval: ev) { row in
                    var out = JSONObject()
                    for p in ps { out[p.name ?? Planner.columnName(p.expr)] = ev.eval(p.expr, row).json }
                    return out
                }
            case .derive(let ps):
                let ev = eval
                s = MapStream(s, eval: ev) { row in
                    var out = row
                    for p in ps { out[p.name ?? Planner.columnName(p.expr)] = ev.eval(p.expr, out).json }
                    return out
                }
            case .slice(let skip, let count): s = LimitStream(s, skip: skip, count: count ?? .max)
            case .window(let calls):
                s = WindowStream(s, calls, eval: eval, state: state, memoryLimit: memoryLimit)
            case .pivot(let key, let value):
                let ev = eval
                let st = state
                s = BlockingStream(s, state: state, stage: "pivot") { rows in Reshape.pivot(rows, key: key, value: value, ev) { st.warn($0) } }
            case .describe:
                s = BlockingStream(s, state: state, stage: "describe") { rows in Reshape.describe(rows) }
            case .exclude(let names):
                s = MapStream(s, eval: eval) { row in
                    var out = row
                    for n in names { out[n] = nil }
                    return out
                }
            case .flatten(let e, let name):
                guard case .field(let path) = e.kind else { throw ExecError("`flatten` takes a field, e.g. `flatten labels`") }
                s = FlattenStream(s, path, into: name)
            case .topK(let keys, let k):
                s = TopKStream.first(k, of: s, by: keys, eval: eval, state: state, memoryLimit: memoryLimit)
            case .sort(let keys):
                s = SortStream(s, keys: keys, eval: eval, state: state, memoryLimit: memoryLimit)
            case .summarize(let aggs, let by):
                s = FoldStream(s, GroupFold(by: by, aggs: aggs, eval: eval, memoryLimit: memoryLimit), state: state, stage: "summarize") {
                    try FoldOutput.summarize($0)
                }
            case .count(let by):
                let st = state
                s = FoldStream(s, GroupFold(by: by, aggs: [], eval: eval, memoryLimit: memoryLimit), state: state, stage: "count") {
                    try FoldOutput.count($0, st)
                }
            case .distinct(let es):
                let st = state
                s = FoldStream(s, GroupFold(by: es, aggs: [], eval: eval, memoryLimit: memoryLimit), state: state, stage: "distinct") {
                    try FoldOutput.distinct($0, st)
                }
            case .top(let n, let e):
                let st = state
                s = FoldStream(s, GroupFold(by: [e], aggs: [], eval: eval, memoryLimit: memoryLimit), state: state, stage: "top") {
                    try FoldOutput.top($0, n, st)
                }
            case .join(let j):
                let me = self
                if let right = j.right {
                    s = JoinStream(s, state: state) {
                        var index = try await me.joinIndex(j, right)
                        // The left side's columns as the plan knows them (a file's from its
                        // first rows), so names are decided by the source's columns, not by
                        // which fields the first rows through a filter happen to have.
                        if let left = j.leftColumns { index.names.knownLeft = Set(left) }
                        return index
                    }
                } else {
                    s = CustomerJoinStream(s, j, me)
                }
            case .chart, .spark:
                break  // drawn by the runner from the rows
            }
        }
        return s
    }

    func source(_ plan: Plan, isStatement: Bool = false) throws -> RowStream {
        switch plan.source {
        case .remote(let call):
            guard let api else {
                throw ExecError("no credentials: this statement calls the Mosend API",
                                hints: ["set MOSEND_API_KEY (or --api-key) and MOSEND_ORG (or --org); try `mq --demo` for demo data"],
                                status: 2)
            }
            let st = statement
            let path = call.entry.path
            let me = self
            switch call.entry.shape {
            case .paged:
                return PageStream(api.customerPages(call.query, st), state: state, isStatementSource: isStatement)
            case .oneRow:
                return OnceStream {
                    let contact = try await me.contactId(call, api)
                    return try await [api.object(path, contact: contact, st).objectValue ?? JSONObject()]
                }
            case .list:
                let params = call.query.wireParams
                return OnceStream { try await api.list(path, params, st).compactMap(\.objectValue) }
            case .part(let member):
                return OnceStream {
                    let contact = try await me.contactId(call, api)
                    let answer = try await api.object(path, contact: contact, st)
                    return (answer[member]?.arrayValue ?? []).compactMap(\.objectValue)
                }
            }
        case .file(let path):
            do {
                let reader = try RowReader(path: resolvePath(path), fields: plan.fields.map(FieldSet.init))
                return FileStream(reader, shownAs: path, progress: state.progress)
            } catch {
                var e = error
                e.path = path  // as the user wrote it
                throw e
            }
        case .variable(let v):
            guard let stored = variables[v] else { throw ExecError("unknown variable $\(v)") }
            switch stored {
            case .rows(let rows, _): return ArrayStream(rows)
            case .value(let j): return ArrayStream([JSONObject(pairs: [("value", j)])])
            }
        case .value(let j):
            return ArrayStream([JSONObject(pairs: [("value", j)])])
        case .subquery(let inner):
            return try stream(inner, isStatement: isStatement)
        }
    }

    func resolvePath(_ path: String) -> String { Executor.resolvePath(path, baseDirectory: baseDirectory) }

    /// A file name as a statement wrote it, as the reader opens it: `~/` is home, a
    /// relative name starts at the session's directory.
    static func resolvePath(_ path: String, baseDirectory: String) -> String {
        path.hasPrefix("/") || path.hasPrefix("~") ? (path.hasPrefix("~/") ? Executor.home + path.dropFirst() : path)
            : baseDirectory + "/" + path
    }

    static var home: String { ProcessEnvironment.value("HOME") ?? "" }

    /// All rows of a plan.
    func collect(_ plan: Plan) async throws -> [JSONObject] {
        let s = try stream(plan)
        var all: [JSONObject] = []
        while let b = try await s.next() { all += b }
        if let e = state.partialError { throw e }
        return all
    }

    // MARK: sort

    /// Whether key values `a` sort strictly before `b`: nulls last whichever the direction.
    static func precedes(_ a: [Value], _ b: [Value], _ keys: [SortKey]) -> Bool {
        for (i, k) in keys.enumerated() {
            let (x, y) = (a[i], b[i])
            if x.isNull != y.isNull { return !x.isNull }
            let o = Compare.sortOrder(x, y)
            if o != 0 { return k.descending ? o > 0 : o < 0 }
        }
        return false
    }

    static func precedes(_ a: [Value], _ b: [Value], descending: [Bool]) -> Bool {
        for (i, down) in descending.enumerated() {
            let (x, y) = (a[i], b[i])
            if x.isNull != y.isNull { return !x.isNull }
            let o = Compare.sortOrder(x, y)
            if o != 0 { return down ? o > 0 : o < 0 }
        }
        return false
    }

    // MARK: joins

    /// The right side of a join, read whole and indexed by its key; the left side then
    /// streams through it (`JoinStream`).
    func joinIndex(_ plan: JoinPlan, _ right: Plan) async throws -> JoinIndex {
        let j = plan.join
        let rightKey = j.equals ?? j.on
        let rows = try stream(right)
        var index: [KeyValue: [JSONObject]] = [:]
        var partitions: JoinPartitions?
        var held = 0
        var seen = Set<String>()
        var columns: [String] = []
        var any = false
        while let batch = try await rows.next() {
            any = any || !batch.isEmpty
            for r in batch {
                for k in r.keys where seen.insert(k).inserted { columns.append(k) }
                let k = eval.eval(rightKey, r)
                guard !k.isNull else { continue }
                if let partitions {
                    try partitions.addRight(KeyValue(k), r)
                } else {
                    index[KeyValue(k), default: []].append(r)
                    held += JoinPartitions.bytes(of: r)
                }
            }
            try eval.check()
            if partitions == nil, held > memoryLimit / 4 * 3 {
                // Past the limit: the rows so far go to the partition files, each key's in
                // its order, and the rest follow them there.
                let p = try JoinPartitions(memoryLimit: memoryLimit)
                for (key, list) in index { for r in list { try p.addRight(key, r) } }
                index = [:]
                partitions = p
            }
        }
        if let e = state.partialError { throw e }
        let shared = plan.sharedKey
        // With no right row the columns come from what the plan says (a file's first
        // rows, a kept result's columns), so that a left join still adds them as nulls
        // and the names of a later join do not shift with the data.
        let names = any ? columns : (plan.rightColumns ?? [])
        var result = JoinIndex(join: j, eval: eval, index: index, names: JoinNames(rightColumns: names.filter { $0 != shared }),
                               sharedKey: shared)
        result.partitions = partitions
        return result
    }
}

/// A value kept with `let`.
public enum StoredValue: Sendable {
    case value(JSON)
    case rows([JSONObject], columns: [String])
}

enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
