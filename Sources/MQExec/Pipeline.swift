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
}

/// What the statement's streams share: a source that fails mid-way records its error here
/// and ends cleanly, so the rows already through make a partial result.
final class ExecutionState: Sendable {
    /// Counted by the sources; nil when nobody watches.
    let progress: QueryProgress?
    init(progress: QueryProgress? = nil) { self.progress = progress }
    private let failure = Mutex<(any Error)?>(nil)
    var partialError: (any Error)? { failure.withLock { $0 } }
    func fail(_ e: any Error) { failure.withLock { if $0 == nil { $0 = e } } }
}

/// Something went wrong that is not the API's or a file's fault.
public struct ExecError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var hints: [String] = []
    public init(_ message: String, hints: [String] = []) {
        self.message = message
        self.hints = hints
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
    init(_ source: any PageSource, state: ExecutionState) {
        self.source = source
        self.state = state
    }
    func next() async throws -> [JSONObject]? {
        do throws(APIError) {
            guard let page = try await source.next() else { return nil }
            state.progress?.page(rows: page.rows.count)
            return page.rows.compactMap(\.objectValue)
        } catch {
            state.fail(error)
            return nil
        }
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
    init(_ upstream: RowStream, _ expr: Expr, _ eval: Evaluator) {
        self.upstream = upstream
        self.expr = expr
        self.eval = eval
    }
    func next() async throws -> [JSONObject]? {
        while let batch = try await upstream.next() {
            let kept = batch.filter { eval.eval(expr, $0).truthy }
            if !kept.isEmpty { return kept }
        }
        return nil
    }
}

final class MapStream: RowStream {
    let upstream: RowStream, transform: (JSONObject) -> JSONObject
    init(_ upstream: RowStream, _ transform: @escaping (JSONObject) -> JSONObject) {
        self.upstream = upstream
        self.transform = transform
    }
    func next() async throws -> [JSONObject]? { try await upstream.next()?.map(transform) }
}

final class FlattenStream: RowStream {
    let upstream: RowStream, path: [String]
    init(_ upstream: RowStream, _ path: [String]) {
        self.upstream = upstream
        self.path = path
    }
    func next() async throws -> [JSONObject]? {
        while let batch = try await upstream.next() {
            var out: [JSONObject] = []
            for row in batch {
                guard case .array(let items) = Evaluator.lookup(path, in: row) else {
                    out.append(row)
                    continue
                }
                for item in items {
                    var r = row
                    if path.count == 1, case .object(let o) = item {
                        // `flatten usage`: an object element's fields become the row's.
                        r[path[0]] = nil
                        for (k, v) in o { r[k] = v }
                    } else {
                        r[path.joined(separator: ".")] = item
                    }
                    out.append(r)
                }
            }
            if !out.isEmpty { return out }
        }
        return nil
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
    let transform: ([JSONObject]) async throws -> [JSONObject]
    private var output: ArrayStream?
    init(_ upstream: RowStream, _ transform: @escaping ([JSONObject]) async throws -> [JSONObject]) {
        self.upstream = upstream
        self.transform = transform
    }
    func next() async throws -> [JSONObject]? {
        if output == nil {
            var all: [JSONObject] = []
            while let batch = try await upstream.next() { all += batch }
            output = ArrayStream(try await transform(all))
        }
        return try await output!.next()
    }
}

/// A join with a file, a variable or a subquery: the right side is indexed once, on the
/// first pull, and the left side's batches stream through it in order, so the left rows
/// are never all held at once and a `limit` after the join stops the reading.
final class JoinStream: RowStream {
    let upstream: RowStream
    let build: () async throws -> JoinIndex
    private var index: JoinIndex?
    init(_ upstream: RowStream, _ build: @escaping () async throws -> JoinIndex) {
        self.upstream = upstream
        self.build = build
    }
    func next() async throws -> [JSONObject]? {
        if index == nil { index = try await build() }
        while let batch = try await upstream.next() {
            let out = index!.join(batch)
            if !out.isEmpty { return out }
        }
        return nil
    }
}

/// The right rows of a join by key (as text: a CSV's number joins a JSON number).
struct JoinIndex {
    let join: Join
    let eval: Evaluator
    let index: [String: [JSONObject]]
    /// For a left join's unmatched rows: the right side's columns, as nulls.
    let rightColumns: [String]

    func join(_ rows: [JSONObject]) -> [JSONObject] {
        var out: [JSONObject] = []
        out.reserveCapacity(rows.count)
        for row in rows {
            let k = eval.eval(join.on, row)
            let matches = k.isNull ? [] : index[Executor.key(k)] ?? []
            if matches.isEmpty {
                if join.left {
                    var r = row
                    for c in rightColumns where r[c] == nil { r[c] = .null }
                    out.append(r)
                }
                continue
            }
            for m in matches { out.append(Executor.merge(row, m)) }
        }
        return out
    }
}

/// Folds every batch into a `GroupFold` as it arrives, then emits the groups.
final class FoldStream: RowStream {
    let upstream: RowStream
    let fold: GroupFold
    let finish: (GroupFold) -> [JSONObject]
    private var output: ArrayStream?
    init(_ upstream: RowStream, _ fold: GroupFold, _ finish: @escaping (GroupFold) -> [JSONObject]) {
        self.upstream = upstream
        self.fold = fold
        self.finish = finish
    }
    func next() async throws -> [JSONObject]? {
        if output == nil {
            while let batch = try await upstream.next() { fold.add(batch) }
            output = ArrayStream(finish(fold))
        }
        return try await output!.next()
    }
}

/// `sort … | limit k`: keeps only the k first rows of the order while rows stream by,
/// instead of sorting them all.
final class TopKStream: RowStream {
    let upstream: RowStream
    let keys: [SortKey]
    let k: Int
    let eval: Evaluator
    private var output: ArrayStream?
    init(_ upstream: RowStream, keys: [SortKey], k: Int, eval: Evaluator) {
        self.upstream = upstream
        self.keys = keys
        self.k = k
        self.eval = eval
    }
    func next() async throws -> [JSONObject]? {
        if output == nil {
            // Kept sorted; a row enters only if it sorts before the last kept one. Ties keep
            // arrival order (stable), as the full sort does.
            var kept: [(row: JSONObject, key: [Value])] = []
            while let batch = try await upstream.next() {
                for row in batch {
                    let key = keys.map { eval.eval($0.expr, row) }
                    if kept.count == k, let last = kept.last, !Executor.precedes(key, last.key, keys) { continue }
                    var lo = 0, hi = kept.count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if Executor.precedes(key, kept[mid].key, keys) { hi = mid } else { lo = mid + 1 }
                    }
                    kept.insert((row, key), at: lo)
                    if kept.count > k { kept.removeLast() }
                }
            }
            output = ArrayStream(kept.map(\.row))
        }
        return try await output!.next()
    }
}
