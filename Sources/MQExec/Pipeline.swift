import MQCore
import MQFiles
import MQPlanner
import MQSyntax
import Synchronization

/// Rows flow in batches (a page at a time) through a chain of streams, each pulling from
/// the one before. Streaming operators pass batches on as they come, so a satisfied
/// `limit` stops pulling and no further page is requested; blocking ones (sort, summarize…)
/// pull everything first.
protocol RowStream: AnyObject {
    func next() async throws -> [JSONObject]?
    /// The next rows as the stream holds them; what the output reads, so that rows kept
    /// packed (a full sort's) can be written without being made objects first.
    func nextBatch() async throws -> RowBatch?
}

extension RowStream {
    func nextBatch() async throws -> RowBatch? { try await next().map(RowBatch.objects) }
}

/// Rows on their way out: objects, or some of a `PackedRows`' rows in this order.
enum RowBatch {
    case objects([JSONObject])
    case packed(PackedRows, ArraySlice<Int>)

    /// The rows as objects (made from their bytes when packed).
    var objects: [JSONObject] {
        switch self {
        case .objects(let rows): rows
        case .packed(let rows, let order): order.map { rows.row($0) }
        }
    }
}

/// What the statement's streams share: a source that fails mid-way records its error here
/// and ends cleanly, so the rows already through make a partial result.
final class ExecutionState: Sendable {
    /// Counted by the sources; nil when nobody watches.
    let progress: QueryProgress?
    /// Whether the statement's own source keeps the rows it reads (up to `keepLimit`), so
    /// that a blocking pipeline cut short by a failure still leaves them for `.last`.
    let keepsSourceRows: Bool
    let keepLimit: Int
    /// ... and of at most this many bytes, packed.
    let keepBytes: Int
    init(progress: QueryProgress? = nil, keepsSourceRows: Bool = false, keepLimit: Int = 100_000, keepBytes: Int = .max) {
        self.progress = progress
        self.keepsSourceRows = keepsSourceRows
        self.keepLimit = keepLimit
        self.keepBytes = keepBytes
        // Reserved at once, as a page counts only once written: grown by doubling, the
        // 8 MB a scan keeps took a 12.8 MB buffer (heaptrack, `customers | count`).
        if keepsSourceRows, keepBytes <= 1 << 30 { kept.withLock { $0.reserve(bytes: keepBytes + (64 << 10)) } }
    }
    /// Packed (`PackedRows`): a sort of a million rows kept 100,000 of them as objects
    /// beside its own, 80 MB that `--memory-limit` did not see.
    private let kept = Mutex(PackedRows())
    private let read = Atomic<Int>(0)
    /// The source rows read so far (all of them counted, the first `keepLimit` kept).
    var sourceRows: [JSONObject] { kept.withLock { k in (0..<k.count).map { k.row($0) } } }
    var sourceRowsRead: Int { read.load(ordering: .relaxed) }
    func sourceRead(_ rows: [JSONObject]) {
        read.add(rows.count, ordering: .relaxed)
        guard keepsSourceRows else { return }
        kept.withLock { k in
            for row in rows.prefix(Swift.max(keepLimit - k.count, 0)) {
                guard k.footprint < keepBytes else { break }
                k.append(row)
            }
        }
    }
    /// A blocking stage has drained its input: if the source was cut short, the result
    /// would be computed over part of it, so there is none (language.md v2).
    func checkComplete(_ stage: String) throws {
        if let e = partialError { throw IncompleteInput(underlying: e, stage: stage, rowsRead: sourceRowsRead) }
    }
    private let failure = Mutex<(any Error)?>(nil)
    var partialError: (any Error)? { failure.withLock { $0 } }
    func fail(_ e: any Error) { failure.withLock { if $0 == nil { $0 = e } } }
    /// Warnings an operator found while running (a join's late collision, details that
    /// answered 404), said on stderr after the result.
    private let said = Mutex<[String]>([])
    var warnings: [String] { said.withLock { $0 } }
    func warn(_ w: String) { said.withLock { $0.append(w) } }
    /// Warnings about a place in the statement, rendered with a caret.
    private let placed = Mutex<[Diagnostic]>([])
    var diagnostics: [Diagnostic] { placed.withLock { $0 } }
    func warn(_ d: Diagnostic) { placed.withLock { $0.append(d) } }
}

/// A blocking stage's input was cut short (an API error, Ctrl-C): it gives no result.
struct IncompleteInput: Error {
    let underlying: any Error
    /// The stage that needed every row: `count`, `sort`, `join customer`…
    let stage: String
    let rowsRead: Int
}

/// Something went wrong that is not the API's or a file's fault.
public struct ExecError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// Lines shown under the message, before the hints (the contacts a lookup found).
    public var details: [String] = []
    public var hints: [String] = []
    /// cli.md's exit status: 1 for a query error, 2 for a usage error (no credentials).
    public var status: Int32 = 1
    public init(_ message: String, details: [String] = [], hints: [String] = [], status: Int32 = 1) {
        self.message = message
        self.details = details
        self.hints = hints
        self.status = status
    }
    public var description: String { message }
}

// MARK: sources

final class ArrayStream: RowStream {
    private var rows: [JSONObject]?
    private let batch: Int
    private var offset = 0
    init(_ rows: [JSONObject], batch: Int = 1024) {
        self.rows = rows
        self.batch = batch
    }
    func next() async throws -> [JSONObject]? {
        guard let rows, offset < rows.count || (offset == 0 && rows.isEmpty) else { return nil }
        if rows.isEmpty {
            self.rows = nil
            return nil
        }
        let end = min(rows.count, offset + batch)
        defer { offset = end }
        return Array(rows[offset..<end])
    }
}

/// Pages of the customers list.
final class PageStream: RowStream {
    let source: any PageSource
    let state: ExecutionState
    /// Whether this is the statement's own source (not a join's or subquery's).
    let isStatementSource: Bool
    init(_ source: any PageSource, state: ExecutionState, isStatementSource: Bool = false) {
        self.source = source
        self.state = state
        self.isStatementSource = isStatementSource
    }
    private var repeated = 0
    func next() async throws -> [JSONObject]? {
        do throws(APIError) {
            guard let page = try await source.next() else {
                sayRepeated()
                return nil
            }
            repeated += page.repeatedRows
            state.progress?.page(rows: page.rows.count)
            let rows = page.rows.compactMap(\.objectValue)
            if isStatementSource { state.sourceRead(rows) }
            return rows
        } catch {
            sayRepeated()
            state.fail(error)
            return nil
        }
    }

    private func sayRepeated() {
        guard repeated > 0 else { return }
        state.warn("the API sent \(repeated) row\(repeated == 1 ? "" : "s") again that this scan already had (same id); "
            + "each was kept once")
        repeated = 0
    }
}

/// One call that yields all its rows at once (summary, billing, messaging, a detail).
final class OnceStream: RowStream {
    private var fetch: (() async throws -> [JSONObject])?
    init(_ fetch: @escaping () async throws -> [JSONObject]) { self.fetch = fetch }
    func next() async throws -> [JSONObject]? {
        guard let f = fetch else { return nil }
        fetch = nil
        return try await f()
    }
}

final class FileStream: RowStream {
    let reader: RowReader
    /// The file name as the statement wrote it, for errors.
    let shownAs: String
    let progress: QueryProgress?
    init(_ reader: RowReader, shownAs: String, progress: QueryProgress?) {
        self.reader = reader
        self.shownAs = shownAs
        self.progress = progress
    }
    func next() async throws -> [JSONObject]? {
        // Ctrl-C stops a long file read between batches.
        if Task.isCancelled { throw CancellationError() }
        do {
            let rows = try reader.next(max: 2048)
            if let rows { progress?.rows.add(rows.count, ordering: .relaxed) }
            return rows
        } catch {
            var e = error
            e.path = shownAs
            throw e
        }
    }
}

// MARK: streaming operators

final class FilterStream: RowStream {
    let upstream: RowStream, expr: Expr, eval: Evaluator
    let state: ExecutionState?
    private var probes: [ValueProbe]
    private var passed = 0
    init(_ upstream: RowStream, _ expr: Expr, _ eval: Evaluator, state: ExecutionState? = nil) {
        self.upstream = upstream
        self.expr = expr
        self.eval = eval
        self.state = state
        probes = state == nil ? [] : ValueProbe.probes(in: expr)
    }
    func next() async throws -> [JSONObject]? {
        while let batch = try await upstream.next() {
            if !probes.isEmpty, passed == 0 {
                for i in probes.indices where !probes[i].matched { probes[i].look(at: batch) }
                probes.removeAll { $0.matched }
            }
            let kept = batch.filter { eval.eval(expr, $0).truthy }
            try eval.check()
            passed += kept.count
            if !kept.isEmpty { return kept }
        }
        if passed == 0, let state {
            for p in probes { if let d = p.warning { state.warn(d) } }
            probes = []
        }
        return nil
    }
}

/// A condition `FIELD has "text"` or `FIELD = "text"` that every row must meet: when no
/// row has the text exactly but some have it in another case (`labels has "VIP"`, and
/// the data says `vip`), the filter matched nothing for a reason worth a warning.
struct ValueProbe {
    let path: [String]
    let text: String
    let op: String
    let span: Span
    private(set) var matched = false
    private(set) var nearMiss: String?

    /// The conjuncts of `e` (the conditions joined by `and`) that can be probed.
    static func probes(in e: Expr) -> [ValueProbe] {
        var out: [ValueProbe] = []
        func walk(_ e: Expr) {
            guard case .binary(let op, let l, let r) = e.kind else { return }
            if op == "and" {
                walk(l)
                walk(r)
            } else if op == "has" || op == "=", case .field(let path) = l.kind, case .string(let s) = r.kind, !s.isEmpty {
                out.append(ValueProbe(path: path, text: s, op: op, span: e.span))
            }
        }
        walk(e)
        return out
    }

    mutating func look(at rows: [JSONObject]) {
        let lower = text.lowercased()
        let n = text.utf8.count
        func check(_ s: String) {
            if s == text {
                matched = true
            } else if nearMiss == nil, s.utf8.count == n || s.count == text.count, s.lowercased() == lower {
                nearMiss = s
            }
        }
        for row in rows {
            switch Evaluator.lookup(path, in: row) {
            case .string(let s): check(s)
            case .array(let items) where op == "has":
                for case .string(let s) in items { check(s) }
            default: break
            }
            if matched { return }
        }
    }

    var warning: Diagnostic? {
        guard !matched, let nearMiss else { return nil }
        let field = path.joined(separator: ".")
        return Diagnostic.caseMismatch(field: field, op: op, text: text, nearMiss: nearMiss, at: span)
    }
}

final class MapStream: RowStream {
    let upstream: RowStream, transform: (JSONObject) -> JSONObject
    let eval: Evaluator?
    init(_ upstream: RowStream, eval: Evaluator? = nil, _ transform: @escaping (JSONObject) -> JSONObject) {
        self.upstream = upstream
        self.eval = eval
        self.transform = transform
    }
    func next() async throws -> [JSONObject]? {
        guard let batch = try await upstream.next() else { return nil }
        let out = batch.map(transform)
        try eval?.check()
        return out
    }
}

/// `flatten PATH [as NAME]`: a row per element of the array at PATH, the element in the
/// field NAME. The array leaves the row (a nested one leaves its object, whose other
/// members stay), and the element never merges into the row, so no field of the row is
/// replaced by an element's. A row whose array is empty, null or missing gives no row, as
/// SQL's UNNEST; a value there that is not an array is one element.
final class FlattenStream: RowStream {
    let upstream: RowStream, path: [String], name: String
    init(_ upstream: RowStream, _ path: [String], into name: String) {
        self.upstream = upstream
        self.path = path
        self.name = name
    }
    func next() async throws -> [JSONObject]? {
        while let batch = try await upstream.next() {
            var out: [JSONObject] = []
            for row in batch {
                let items: [JSON]
                switch Evaluator.lookup(path, in: row) {
                case .array(let a): items = a
                case .null: continue
                case let v: items = [v]
                }
                guard !items.isEmpty else { continue }
                let base = FlattenStream.removing(path, from: row)
                for item in items {
                    var r = base
                    r[name] = item
                    out.append(r)
                }
            }
            if !out.isEmpty { return out }
        }
        return nil
    }

    /// The row without the array: a column named with the dotted path (after a `select`),
    /// or the member at the path's end inside its parent object.
    static func removing(_ path: [String], from row: JSONObject) -> JSONObject {
        var r = row
        if path.count > 1, r[path.joined(separator: ".")] != nil {
            r[path.joined(separator: ".")] = nil
            return r
        }
        func drop(_ v: JSON, _ rest: ArraySlice<String>) -> JSON {
            guard case .object(var o) = v, let key = rest.first else { return v }
            if rest.count == 1 {
                o[key] = nil
            } else if let child = o[key] {
                o[key] = drop(child, rest.dropFirst())
            }
            return .object(o)
        }
        if path.count == 1 {
            r[path[0]] = nil
        } else if let top = r[path[0]] {
            r[path[0]] = drop(top, path.dropFirst())
        }
        return r
    }
}

/// Passes `count` rows after skipping `skip`, then stops pulling.
final class LimitStream: RowStream {
    let upstream: RowStream
    var skip: Int
    var remaining: Int
    init(_ upstream: RowStream, skip: Int, count: Int) {
        self.upstream = upstream
        self.skip = skip
        remaining = count
    }
    func next() async throws -> [JSONObject]? {
        while remaining > 0, var batch = try await upstream.next() {
            if skip > 0 {
                let drop = min(skip, batch.count)
                batch.removeFirst(drop)
                skip -= drop
                if batch.isEmpty { continue }
            }
            if batch.count > remaining { batch.removeLast(batch.count - remaining) }
            remaining -= batch.count
            return batch
        }
        return nil
    }
}

/// Collects every row, transforms the whole set, then emits it.
final class BlockingStream: RowStream {
    let upstream: RowStream
    let state: ExecutionState
    let stage: String
    let transform: ([JSONObject]) async throws -> [JSONObject]
    private var output: ArrayStream?
    init(_ upstream: RowStream, state: ExecutionState, stage: String, _ transform: @escaping ([JSONObject]) async throws -> [JSONObject]) {
        self.upstream = upstream
        self.state = state
        self.stage = stage
        self.transform = transform
    }
    func next() async throws -> [JSONObject]? {
        if output == nil {
            var all: [JSONObject] = []
            while let batch = try await upstream.next() {
                all += batch
                if Task.isCancelled { throw CancellationError() }
            }
            try state.checkComplete(stage)
            output = ArrayStream(try await transform(all))
        }
        return try await output!.next()
    }
}

/// A join with a file, a variable or a subquery: the right side is indexed once, on the
/// first pull, and the left side's batches stream through it in order, so the left rows
/// are never all held at once and a `limit` after the join stops the reading. A right
/// side past the memory limit is joined by partitions instead (`JoinPartitions`), after
/// the whole left side is read.
final class JoinStream: RowStream {
    let upstream: RowStream
    let build: () async throws -> JoinIndex
    let state: ExecutionState
    private var index: JoinIndex?
    private var spilled: SortedRecords?
    init(_ upstream: RowStream, state: ExecutionState, _ build: @escaping () async throws -> JoinIndex) {
        self.upstream = upstream
        self.state = state
        self.build = build
    }
    func next() async throws -> [JSONObject]? {
        if index == nil { index = try await build() }
        if let partitions = index!.partitions {
            if spilled == nil { spilled = try await joinPartitions(partitions) }
            var out: [JSONObject] = []
            while out.count < 1024, let r = try spilled!.nextRecord() { out.append(index!.named(r.row)) }
            try index!.eval.check()
            if !out.isEmpty { return out }
        } else {
            while let batch = try await upstream.next() {
                let out = index!.join(batch)
                try index!.eval.check()
                if !out.isEmpty { return out }
            }
        }
        if let w = index!.names.lateWarning { state.warn(w) }
        return nil
    }

    /// Writes the left rows to their partitions (a left row with a null key has no match
    /// and goes straight to the output), joins the partitions, and orders the pairs by
    /// left row number.
    private func joinPartitions(_ partitions: JoinPartitions) async throws -> SortedRecords {
        let join = index!.join
        let eval = index!.eval
        let pairs = ExternalSort(descending: [false], memoryLimit: partitions.memoryLimit / 4)
        var seq = 0
        while let batch = try await upstream.next() {
            index!.decideNames(batch)
            for row in batch {
                let k = eval.eval(join.on, row)
                if !k.isNull {
                    try partitions.addLeft(KeyValue(k), seq: seq, row)
                } else if join.left {
                    pairs.add(JoinIndex.pair(row, nil), [.int(seq)])
                }
                seq += 1
            }
            try eval.check()
            try pairs.spillIfFull()
        }
        var n = 0
        try partitions.join(join, rightKey: join.equals ?? join.on, eval) { seq, left, right in
            pairs.add(JoinIndex.pair(left, right), [.int(seq)])
            n += 1
            if n & 1023 == 0 { try pairs.spillIfFull() }
        }
        return try pairs.finish()
    }
}

/// How a joined row is named: the left row's fields, then the right row's, where a right
/// field whose name the left side has is added as `NAME_right` (`NAME_right2` …) rather
/// than dropped (language.md v2: names never collide silently). With `on F` the right
/// side's F equals the left's and is not added again.
///
/// Which names collide is decided once, from the left side's columns as the plan knows
/// them (a file's from its first rows, `knownLeft`) and the first batch's (a stream
/// cannot see its later rows), so a column means the same side in every row. A left row
/// further on that brings a field neither showed keeps it; the right value of that name
/// goes to `NAME_right` in that row, and the join warns once at the end.
struct JoinNames {
    /// Right columns in first-seen order, the shared key left out.
    let rightColumns: [String]
    /// Right name → the name it gets in the joined row; decided at the first left batch.
    private(set) var output: [String: String] = [:]
    private(set) var decided = false
    /// The left side's columns as the plan knows them, added to the first batch's.
    var knownLeft: Set<String> = []
    private var late: [String: Int] = [:]
    private var rowsSeen = 0

    init(rightColumns: [String]) { self.rightColumns = rightColumns }

    /// Decides the names against the left columns (the first batch's, or all of them).
    mutating func decide(leftColumns seen: Set<String>) {
        guard !decided else { return }
        decided = true
        output = JoinPlan.names(left: seen.union(knownLeft), right: rightColumns)
    }

    /// The renames made, for `explain`-like reports: `w → w_right`.
    var renames: [(String, String)] { rightColumns.compactMap { c in output[c].flatMap { $0 == c ? nil : (c, $0) } } }

    mutating func merge(_ left: JSONObject, _ right: JSONObject, skipping key: String?) -> JSONObject {
        rowsSeen += 1
        var r = left
        for (k, v) in right where k != key {
            var name = output[k] ?? k
            if name == k, left[k] != nil {
                // A left field the first rows did not have: the left keeps its name.
                if late[k] == nil { late[k] = rowsSeen }
                name = k + "_right"
            }
            r[name] = v
        }
        return r
    }

    /// The right side's columns as nulls, for a left join's row without a match.
    func nulls(into row: inout JSONObject) {
        for c in rightColumns {
            let name = output[c] ?? c
            if row[name] == nil { row[name] = .null }
        }
    }

    var lateWarning: String? {
        guard !late.isEmpty else { return nil }
        let list = late.sorted { $0.value < $1.value }.map { "`\($0.key)` (first at joined row \($0.value))" }.joined(separator: ", ")
        return "join: the left side has \(list) only in rows after the first batch; in those rows the right side's value is in `NAME_right`"
    }
}

/// The right rows of a join by key, under `=`'s equality (`KeyValue`): `10` meets `10.0`,
/// and `1`, `"1"` and `true` meet nothing but their own kind.
struct JoinIndex {
    let join: Join
    let eval: Evaluator
    let index: [KeyValue: [JSONObject]]
    var names: JoinNames
    /// The right side's key field when it has the left's name (`on phone`): not added twice.
    let sharedKey: String?

    /// The right side in partition files, when it did not fit in memory (`index` is empty).
    var partitions: JoinPartitions?
    /// The left key, read row after row (made at the first batch).
    var leftKey: RowReading?

    /// Decides the names from the first left batch's columns.
    mutating func decideNames(_ rows: [JSONObject]) {
        if !names.decided {
            var left = Set<String>()
            for r in rows { for k in r.keys { left.insert(k) } }
            names.decide(leftColumns: left)
        }
    }

    /// A spilled join's pair as it waits in the sort by left row number.
    static func pair(_ left: JSONObject, _ right: JSONObject?) -> JSONObject {
        JSONObject(uncheckedKeys: ["l", "r"], values: [.object(left), right.map(JSON.object) ?? .null])
    }

    /// A pair's joined row, named as `join` names it.
    mutating func named(_ pair: JSONObject) -> JSONObject {
        guard case .object(let left)? = pair["l"] else { preconditionFailure("a join pair without its left row") }
        if case .object(let right)? = pair["r"] { return names.merge(left, right, skipping: sharedKey) }
        var row = left
        names.nulls(into: &row)
        return row
    }

    mutating func join(_ rows: [JSONObject]) -> [JSONObject] {
        decideNames(rows)
        var out: [JSONObject] = []
        out.reserveCapacity(rows.count)
        var leftKey = self.leftKey ?? RowReading(join.on)
        defer { self.leftKey = leftKey }
        for row in rows {
            let k = leftKey.value(row, eval)
            let matches = k.isNull ? [] : index[KeyValue(k)] ?? []
            if matches.isEmpty {
                if join.left {
                    var r = row
                    names.nulls(into: &r)
                    out.append(r)
                }
                continue
            }
            for m in matches { out.append(names.merge(row, m, skipping: sharedKey)) }
        }
        return out
    }
}

/// Folds every batch into a `GroupFold` as it arrives, then emits the groups.
final class FoldStream: RowStream {
    let upstream: RowStream
    let fold: GroupFold
    let state: ExecutionState
    let stage: String
    let finish: (GroupFold) throws -> RowStream
    private var output: RowStream?
    init(_ upstream: RowStream, _ fold: GroupFold, state: ExecutionState, stage: String, _ finish: @escaping (GroupFold) throws -> RowStream) {
        self.upstream = upstream
        self.fold = fold
        self.state = state
        self.stage = stage
        self.finish = finish
    }
    func next() async throws -> [JSONObject]? {
        if output == nil {
            while let batch = try await upstream.next() {
                fold.add(batch)
                try fold.eval.check()
                try fold.spillIfFull()
            }
            try state.checkComplete(stage)
            output = try finish(fold)
        }
        return try await output!.next()
    }
}

/// `sort … | limit k`: keeps only the k first rows of the order while rows stream by,
/// instead of sorting them all.
final class TopKStream: RowStream {
    /// Past this many rows a full sort is cheaper than insertion into the kept ones
    /// (`sort | limit 10000000` took 163 s on a million rows, a full sort 9).
    static let largestK = 10_000

    /// The first k rows by `keys`: kept by insertion up to `largestK`; past it, keeping
    /// many rows sorted costs k a row, so all are sorted (and may spill) and cut.
    static func first(_ k: Int, of upstream: RowStream, by keys: [SortKey], eval: Evaluator, state: ExecutionState,
                      memoryLimit: Int) -> RowStream {
        k <= largestK ? TopKStream(upstream, keys: keys, k: k, eval: eval, state: state)
            : LimitStream(SortStream(upstream, keys: keys, eval: eval, state: state, memoryLimit: memoryLimit), skip: 0, count: k)
    }
    let upstream: RowStream
    let keys: [SortKey]
    let k: Int
    let eval: Evaluator
    let state: ExecutionState
    private var output: ArrayStream?
    init(_ upstream: RowStream, keys: [SortKey], k: Int, eval: Evaluator, state: ExecutionState) {
        self.upstream = upstream
        self.keys = keys
        self.k = k
        self.eval = eval
        self.state = state
    }
    func next() async throws -> [JSONObject]? {
        if output == nil {
            // Kept sorted; a row enters only if it sorts before the last kept one. Ties keep
            // arrival order (stable), as the full sort does.
            var kept: [(row: JSONObject, key: [Value])] = []
            var readings = keys.map { RowReading($0.expr) }
            while let batch = try await upstream.next() {
                try eval.check()
                for row in batch {
                    // Once k rows are kept, most rows lose to the last on the first key:
                    // compared key by key as they are read (`Executor.precedes`), with
                    // no array made for them.
                    if kept.count == k, let last = kept.last {
                        var enters = false
                        for i in keys.indices {
                            let x = readings[i].value(row, eval), y = last.key[i]
                            if x.isNull != y.isNull {
                                enters = !x.isNull
                                break
                            }
                            let o = Compare.sortOrder(x, y)
                            if o != 0 {
                                enters = keys[i].descending ? o > 0 : o < 0
                                break
                            }
                        }
                        if !enters { continue }
                    }
                    let key = readings.indices.map { readings[$0].value(row, eval) }
                    var lo = 0, hi = kept.count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if Executor.precedes(key, kept[mid].key, keys) { hi = mid } else { lo = mid + 1 }
                    }
                    kept.insert((row, key), at: lo)
                    if kept.count > k { kept.removeLast() }
                }
            }
            try state.checkComplete("sort")
            output = ArrayStream(kept.map(\.row))
        }
        return try await output!.next()
    }
}
