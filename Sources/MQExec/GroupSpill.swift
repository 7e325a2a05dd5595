import MQCore
import MQSyntax

/// A `GroupFold`'s spilled tables: each a temporary file (`TemporaryFile`: 0600, unlinked
/// at once) holding its groups in key order, a record each in `SortRun`'s framing (the
/// key as it is ordered, `GroupFold.canonical`; then the key as its first row gave it,
/// the first row's number, the count and each accumulator's state), so `RunReader`
/// reads them back.
struct GroupRuns {
    private(set) var files: [Int32] = []
    /// The shapes of objects inside keys and distinct() values.
    private(set) var shapes = RowShapes()

    /// The fold's groups in `order`, each ordered by its `canonical` key.
    mutating func write(_ fold: GroupFold, canonical: [[Value]], order: [Int]) throws {
        let file = try RunWriter()
        let n = fold.aggs.count
        var record: [UInt8] = []
        for g in order {
            try Task.checkCancellation()
            record.removeAll(keepingCapacity: true)
            for v in canonical[g] { SortRun.pack(v, &record, &shapes) }
            try file.piece(record)
            record.removeAll(keepingCapacity: true)
            for v in fold.keys[g] { SortRun.pack(v, &record, &shapes) }
            PackedRows.varint(fold.firstRows[g], &record)
            PackedRows.varint(fold.counts[g], &record)
            for a in 0..<n { fold.accumulators[g * n + a].pack(&record, &shapes) }
            try file.piece(record)
        }
        files.append(try file.finish())
    }
}

/// One group as the merge hands it on.
struct FoldedGroup {
    var key: [Value]
    var first: Int
    var count: Int
    var accumulators: [Accumulator]

    /// Folds in the same key's group from a later run.
    mutating func merge(_ later: FoldedGroup) {
        count += later.count
        for i in accumulators.indices { accumulators[i].merge(later.accumulators[i]) }
    }
}

/// The k-way merge of a fold's runs: groups in key order, as `GroupFold.orderedGroups`
/// gives them in memory. The keys that sort as equal are taken from every run together;
/// those that are one key (`=`) have their states folded run by run (the order their rows
/// came), and the class is put in the order of each group's first row.
final class GroupMerge {
    private var readers: [RunReader]
    private let kinds: [Accumulator.Kind]
    private let shapes: RowShapes
    private let keyCount: Int
    private var pending: [FoldedGroup] = []
    private var at = 0

    init(_ runs: GroupRuns, kinds: [Accumulator.Kind], keyCount: Int, memoryLimit: Int) throws {
        self.kinds = kinds
        self.keyCount = keyCount
        shapes = runs.shapes
        readers = []
        let size = RunReader.bufferSize(memoryLimit: memoryLimit, runs: runs.files.count)
        for fd in runs.files {
            let r = RunReader(fd: fd, keyCount: keyCount, keyShapes: runs.shapes, bufferSize: size)
            try r.advance()
            readers.append(r)
        }
    }

    deinit { for r in readers { r.close() } }

    func next() throws -> FoldedGroup? {
        if at < pending.count {
            defer { at += 1 }
            return pending[at]
        }
        var best = -1
        for (i, r) in readers.enumerated() where r.head != nil {
            if best < 0 || GroupFold.keyOrder(r.head!.keys, readers[best].head!.keys) < 0 { best = i }
        }
        guard best >= 0 else { return nil }
        let least = readers[best].head!.keys
        var combined: [FoldedGroup] = []
        var place: [[KeyValue]: Int] = [:]
        for r in readers {
            while let h = r.head, GroupFold.keyOrder(h.keys, least) == 0 {
                let g = decode(h)
                let key = g.key.map(KeyValue.init)
                if let i = place[key] {
                    combined[i].merge(g)
                } else {
                    place[key] = combined.count
                    combined.append(g)
                }
                try r.advance()
            }
        }
        combined.sort { $0.first < $1.first }
        pending = combined
        at = 1
        return pending[0]
    }

    private func decode(_ h: RunReader.Head) -> FoldedGroup {
        h.bytes.withUnsafeBufferPointer { b in
            var i = 0
            let key = (0..<keyCount).map { _ in SortRun.unpack(b, &i, shapes) }
            let first = PackedRows.readVarint(b, &i)
            let count = PackedRows.readVarint(b, &i)
            let accumulators = kinds.map { Accumulator.unpack($0, b, &i, shapes) }
            return FoldedGroup(key: key, first: first, count: count, accumulators: accumulators)
        }
    }
}

/// Rows made from their numbers as they are pulled, a batch at a time, so a result of a
/// million groups is not all built before the first is used.
final class IndexedRowStream: RowStream {
    private let count: Int
    private let row: (Int) -> JSONObject
    private var at = 0

    init(_ count: Int, _ row: @escaping (Int) -> JSONObject) {
        self.count = count
        self.row = row
    }

    func next() async throws -> [JSONObject]? {
        guard at < count else { return nil }
        if Task.isCancelled { throw CancellationError() }
        let end = Swift.min(count, at + 1024)
        defer { at = end }
        return (at..<end).map(row)
    }
}

/// A spilled fold's result rows, a batch at a time from the merge.
final class MergedGroupStream: RowStream {
    private let merge: GroupMerge
    private let row: (FoldedGroup) -> JSONObject

    init(_ merge: GroupMerge, _ row: @escaping (FoldedGroup) -> JSONObject) {
        self.merge = merge
        self.row = row
    }

    func next() async throws -> [JSONObject]? {
        if Task.isCancelled { throw CancellationError() }
        var out: [JSONObject] = []
        while out.count < 1024, let g = try merge.next() { out.append(row(g)) }
        return out.isEmpty ? nil : out
    }
}

/// What `summarize`, `count`, `top` and `distinct` give from a fold: its rows in memory,
/// or, once it has spilled, the merged groups (re-sorted through `SortStream`, which
/// spills too, where the order is not the keys').
enum FoldOutput {
    static func summarize(_ fold: GroupFold) throws -> RowStream {
        guard fold.spilled else { return try fold.summarized() }
        let extras = fold.extras
        return MergedGroupStream(try fold.merged()) { g in
            fold.summaryRow(g.key, g.count, g.accumulators[...], extras)
        }
    }

    static func count(_ fold: GroupFold, _ state: ExecutionState) throws -> RowStream {
        guard fold.spilled else {
            if fold.by.isEmpty { return ArrayStream(try Aggregation.counted(fold)) }
            let order = try Aggregation.countOrder(fold)
            return IndexedRowStream(order.count) { fold.countRow(fold.keys[order[$0]], fold.counts[order[$0]]) }
        }
        let merged = MergedGroupStream(try fold.merged()) { g in fold.countRow(g.key, g.count) }
        return SortStream(merged, keys: [countKey], eval: fold.eval, state: state, memoryLimit: fold.memoryLimit)
    }

    /// Most frequent first; the sorts keep the merge's key order among equal counts.
    static let countKey = SortKey(expr: Expr(.field(["count"]), Span(0, 0)), descending: true, span: Span(0, 0))

    static func top(_ fold: GroupFold, _ n: Int, _ state: ExecutionState) throws -> RowStream {
        guard fold.spilled else { return ArrayStream(try Aggregation.top(fold, n)) }
        // The merged groups by count, most frequent first: the first n, as `sort … | limit n`.
        let merged = MergedGroupStream(try fold.merged()) { g in fold.countRow(g.key, g.count) }
        return TopKStream.first(n, of: merged, by: [countKey], eval: fold.eval, state: state, memoryLimit: fold.memoryLimit)
    }

    /// The field that carries a spilled distinct row's first appearance through the sort;
    /// no statement can name it (a field name cannot hold U+0000).
    static let firstField = "\u{0}first"

    static func distinct(_ fold: GroupFold, _ state: ExecutionState) throws -> RowStream {
        guard fold.spilled else { return IndexedRowStream(fold.keys.count) { fold.distinctRow(fold.keys[$0]) } }
        // In order of first appearance, as in memory.
        let merged = MergedGroupStream(try fold.merged()) { g in
            var row = fold.distinctRow(g.key)
            row[firstField] = .int(g.first)
            return row
        }
        let key = SortKey(expr: Expr(.field([firstField]), Span(0, 0)), descending: false, span: Span(0, 0))
        let sorted = SortStream(merged, keys: [key], eval: fold.eval, state: state, memoryLimit: fold.memoryLimit)
        return MapStream(sorted) { row in
            var out = row
            out[firstField] = nil
            return out
        }
    }
}
