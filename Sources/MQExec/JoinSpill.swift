import MQCore
import MQSyntax

/// A join whose right side passes three quarters of `--memory-limit`, done as a
/// partitioned (grace) hash join: the right rows are written to `fanOut` temporary files
/// by the hash of their key, then the left rows to as many by the same hash, each with
/// its row number; each pair of files is then joined in memory, one at a time. A right
/// file still too large is split again with another hash, up to `maxLevel` times (past
/// that, one key holds it, and it is read whole).
///
/// The joined pairs come out partition by partition, so they go through an
/// `ExternalSort` by left row number (stable: a row's matches keep the right side's
/// order) and are named in that order by `JoinNames`, as the join in memory names them:
/// the rows are the same, byte for byte, and so are the warnings.
final class JoinPartitions {
    static let fanOut = 32
    static let maxLevel = 3

    let level: Int
    let memoryLimit: Int
    let shapes: SpoolShapes
    private var right: [RowSpool]
    private var rightBytes: [Int]
    private var left: [RowSpool]

    init(memoryLimit: Int, level: Int = 0, shapes: SpoolShapes = SpoolShapes()) throws {
        self.memoryLimit = memoryLimit
        self.level = level
        self.shapes = shapes
        let flushAt = Swift.max(16 << 10, Swift.min(1 << 20, memoryLimit / (16 * JoinPartitions.fanOut)))
        right = try (0..<JoinPartitions.fanOut).map { _ in try RowSpool(flushAt: flushAt) }
        left = try (0..<JoinPartitions.fanOut).map { _ in try RowSpool(flushAt: flushAt) }
        rightBytes = Array(repeating: 0, count: JoinPartitions.fanOut)
    }

    private func partition(_ key: KeyValue) -> Int {
        var h = Hasher()
        h.combine(level)
        h.combine(key)
        return Int(UInt(bitPattern: h.finalize()) % UInt(JoinPartitions.fanOut))
    }

    func addRight(_ key: KeyValue, _ row: JSONObject) throws {
        let p = partition(key)
        rightBytes[p] += JoinPartitions.bytes(of: row)
        try right[p].append(row, seq: nil, shapes)
    }

    func addLeft(_ key: KeyValue, seq: Int, _ row: JSONObject) throws {
        try left[partition(key)].append(row, seq: seq, shapes)
    }

    /// Joins the files pair by pair: each match (the left row's number, the left row, the
    /// right row) and, for a left join, each left row without one (right nil) to `emit`.
    func join(_ join: Join, rightKey: Expr, _ eval: Evaluator, _ emit: (Int, JSONObject, JSONObject?) throws -> Void) throws {
        for p in 0..<JoinPartitions.fanOut {
            var rights = try right[p].reader(shapes)
            var lefts = try left[p].reader(shapes)
            if rightBytes[p] > memoryLimit / 4 * 3, level < JoinPartitions.maxLevel {
                let sub = try JoinPartitions(memoryLimit: memoryLimit, level: level + 1, shapes: shapes)
                var n = 0
                while let r = try rights.next() {
                    try sub.addRight(KeyValue(eval.eval(rightKey, r.row)), r.row)
                    n += 1
                    if n & 4095 == 0 { try eval.check() }
                }
                while let l = try lefts.next() {
                    try sub.addLeft(KeyValue(eval.eval(join.on, l.row)), seq: l.seq, l.row)
                    n += 1
                    if n & 4095 == 0 { try eval.check() }
                }
                try sub.join(join, rightKey: rightKey, eval, emit)
                continue
            }
            var index: [KeyValue: [JSONObject]] = [:]
            var n = 0
            while let r = try rights.next() {
                index[KeyValue(eval.eval(rightKey, r.row)), default: []].append(r.row)
                n += 1
                if n & 4095 == 0 { try eval.check() }
            }
            while let l = try lefts.next() {
                let matches = index[KeyValue(eval.eval(join.on, l.row))] ?? []
                if matches.isEmpty {
                    if join.left { try emit(l.seq, l.row, nil) }
                } else {
                    for m in matches { try emit(l.seq, l.row, m) }
                }
                n += 1
                if n & 1023 == 0 { try eval.check() }
            }
            try eval.check()
        }
    }

    /// A right row's bytes in the in-memory index, as estimated: its values and their
    /// storage (a long string's bytes, an array's or object's buffers), its place in the
    /// key's list and a share of the key's entry.
    static func bytes(of row: JSONObject) -> Int {
        64 + row.count * 32 + row.reduce(0) { $0 + bytes(of: $1.1) }
    }

    static func bytes(of v: JSON) -> Int {
        switch v {
        case .string(let s): return s.utf8.count > 15 ? 32 + s.utf8.count : 0
        case .array(let a): return 32 + a.count * 16 + a.reduce(0) { $0 + bytes(of: $1) }
        case .object(let o): return bytes(of: o)
        default: return 0
        }
    }
}

/// The object shapes of a spilled join's files, shared by all of them.
final class SpoolShapes {
    var shapes = RowShapes()
}

/// Rows appended to a temporary file (each with its row number, when it has one) and
/// read back once, in order.
final class RowSpool {
    private var writer: RunWriter?
    private var record: [UInt8] = []
    private var hasSeq: Bool?

    init(flushAt: Int) throws { writer = try RunWriter(flushAt: flushAt) }

    func append(_ row: JSONObject, seq: Int?, _ shapes: SpoolShapes) throws {
        hasSeq = seq != nil
        record.removeAll(keepingCapacity: true)
        if let seq { SortRun.pack(.int(seq), &record, &shapes.shapes) }
        try writer!.piece(record)
        record.removeAll(keepingCapacity: true)
        PackedRows.pack(row, into: &record, shapes: &shapes.shapes)
        try writer!.piece(record)
    }

    /// The rows in the order they were appended; the spool is not written after.
    func reader(_ shapes: SpoolShapes) throws -> Reader {
        let fd = try writer!.finish()
        writer = nil
        return Reader(run: RunReader(fd: fd, keyCount: hasSeq == true ? 1 : 0, keyShapes: shapes.shapes, bufferSize: 256 << 10),
                      shapes: shapes)
    }

    struct Reader {
        let run: RunReader
        let shapes: SpoolShapes

        mutating func next() throws -> (seq: Int, row: JSONObject)? {
            try run.advance()
            guard let h = run.head else { return nil }
            var seq = 0
            if case .int(let n)? = h.keys.first { seq = n }
            return (seq, h.row(shapes.shapes))
        }
    }
}
