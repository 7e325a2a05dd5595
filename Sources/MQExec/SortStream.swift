#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore
import MQSyntax

/// `sort` over every row: the rows and their keys go into an `ExternalSort` as they
/// arrive, and come out in order a batch at a time.
final class SortStream: RowStream {
    let upstream: RowStream
    let keys: [SortKey]
    let eval: Evaluator
    let state: ExecutionState
    private let sorter: ExternalSort
    private var output: SortedRecords?
    /// Runs written to temporary files (0 when the sort fitted in memory).
    var runsWritten: Int { sorter.runsWritten }

    init(_ upstream: RowStream, keys: [SortKey], eval: Evaluator, state: ExecutionState, memoryLimit: Int) {
        self.upstream = upstream
        self.keys = keys
        self.eval = eval
        self.state = state
        sorter = ExternalSort(descending: keys.map(\.descending), memoryLimit: memoryLimit)
    }

    func next() async throws -> [JSONObject]? {
        try await nextBatch()?.objects
    }

    func nextBatch() async throws -> RowBatch? {
        if output == nil {
            while let batch = try await upstream.next() {
                for row in batch { sorter.add(row, keys.map { eval.eval($0.expr, row) }) }
                try eval.check()
                try sorter.spillIfFull()
            }
            try state.checkComplete("sort")
            output = try sorter.finish()
        }
        if Task.isCancelled { throw CancellationError() }
        return try output!.nextBatch(4096)
    }
}

/// Records (a row and its key values) in the order of their keys, ties in the order they
/// were added. They are packed as they arrive (`PackedRows`, well under a `JSONObject`'s
/// size) with their keys in columns; at the end the record numbers are sorted
/// (`SortColumns`) and the records read in order, a batch at a time. With no keys the
/// records come back as they were added (a row store that spills).
///
/// Past `memoryLimit` bytes (`--memory-limit`), the records so far are sorted and written
/// to a temporary file as one run, with their keys, and the next records start a new
/// run; at the end the runs are merged, ties going to the earlier run, so the order is
/// the one sorting in memory gives, byte for byte. The files are made 0600 in `$TMPDIR`
/// and unlinked at once: they vanish when mq exits or the statement ends, whatever ends it.
final class ExternalSort {
    let descending: [Bool]
    let memoryLimit: Int
    private var rows = PackedRows()
    private var values: [[Value]]
    private var keyBytes = 0
    private var reserved = false
    private var rowsPerRun = 0
    /// The runs so far, each with its level: a run of level n+1 is `mergeWidth` runs of
    /// level n merged (tiered, so each record is rewritten once a level).
    private var runs: [(run: SortRun, level: Int)] = []
    /// Runs merged at once, so that a merge reads from a few dozen files at most (a run
    /// each quarter of the limit would otherwise be thousands of files, and as many heads
    /// compared for every record).
    static let mergeWidth = 16
    /// Runs written to temporary files (0 when the records fitted in memory).
    private(set) var runsWritten = 0
    /// The shapes of objects inside key values (`sort agent`), for reading runs back.
    private var keyShapes = RowShapes()

    init(descending: [Bool], memoryLimit: Int) {
        self.descending = descending
        self.memoryLimit = memoryLimit
        values = descending.map { _ in [] }
    }

    /// Adds a record: `keys` holds one value per key.
    func add(_ row: JSONObject, _ keys: [Value]) {
        for (k, v) in keys.enumerated() {
            keyBytes += ExternalSort.footprint(of: v)
            values[k].append(v)
        }
        rows.append(row)
    }

    /// The bytes held now: the packed rows and their key columns.
    var held: Int { rows.footprint + keyBytes + values.reduce(0) { $0 + $1.capacity * MemoryLayout<Value>.stride } }

    /// Writes the records so far as a run when they pass three quarters of the limit: the
    /// last quarter is for sorting a run (its key columns and order, about a fifth of the
    /// rows' size) and writing it out. Called after each batch.
    func spillIfFull() throws {
        let hold = memoryLimit / 4 * 3
        // A large sort takes room for the rows it may hold at once, up to 512 MB, rather
        // than let the buffer double past the limit.
        if !reserved, rows.footprint > 8 << 20 {
            rows.reserve(bytes: Swift.min(hold, 512 << 20))
            reserved = true
        }
        guard held > hold else { return }
        try addRun(try SortRun.write(rows, values, order: try order(), &keyShapes))
        rowsPerRun = Swift.max(rowsPerRun, rows.count)
        rows.removeAll()
        // The next run's key columns at the size this one reached, not doubling past it.
        values = descending.map { _ in
            var column: [Value] = []
            column.reserveCapacity(rowsPerRun)
            return column
        }
        keyBytes = 0
    }

    private func order() throws -> [Int] {
        values.isEmpty ? Array(0..<rows.count) : try SortColumns(values, descending: descending).order()
    }

    /// The records in order; the sorter is not used after.
    func finish() throws -> SortedRecords {
        if runs.isEmpty { return .memory(rows, values, try order(), 0) }
        if !rows.isEmpty {
            try addRun(try SortRun.write(rows, values, order: try order(), &keyShapes))
        }
        let shapes = rows.shapes
        rows = PackedRows()
        values = []
        return .merge(try RunMerge(runs.map(\.run), descending: descending, shapes: shapes, keyShapes: keyShapes, memoryLimit: memoryLimit))
    }

    private func addRun(_ run: SortRun) throws {
        runs.append((run, 0))
        runsWritten += 1
        while runs.count >= ExternalSort.mergeWidth {
            let last = runs.suffix(ExternalSort.mergeWidth)
            guard let level = last.first?.level, last.allSatisfy({ $0.level == level }) else { break }
            runs.removeLast(ExternalSort.mergeWidth)
            // Consecutive runs, merged ties-to-the-earlier, stay in their place in the order.
            let merge = try RunMerge(last.map(\.run), descending: descending, shapes: rows.shapes, keyShapes: keyShapes, memoryLimit: memoryLimit)
            let file = try RunWriter()
            var record: [UInt8] = []
            var n = 0
            while let head = try merge.nextHead() {
                // Sixteen runs can be a gigabyte: Ctrl-C is looked at as it goes.
                n += 1
                if n & 4095 == 0 { try Task.checkCancellation() }
                record.removeAll(keepingCapacity: true)
                for v in head.keys { SortRun.pack(v, &record, &keyShapes) }
                try file.piece(record)
                try file.piece(head.bytes)
            }
            runs.append((SortRun(fd: try file.finish()), level + 1))
        }
    }

    /// What a key value holds beside its place in the column: a long string's storage.
    static func footprint(of v: Value) -> Int {
        if case .string(let s) = v, s.utf8.count > 15 { return 32 + s.utf8.count }
        return 0
    }
}

/// An `ExternalSort`'s records in order.
enum SortedRecords {
    case memory(PackedRows, [[Value]], [Int], Int)
    case merge(RunMerge)

    /// Up to `max` rows; nil at the end. Sorted in memory, they stay packed.
    mutating func nextBatch(_ max: Int) throws -> RowBatch? {
        switch self {
        case .memory(let rows, let values, let order, let at):
            guard at < order.count else { return nil }
            let end = Swift.min(order.count, at + max)
            self = .memory(rows, values, order, end)
            return .packed(rows, order[at..<end])
        case .merge(let m):
            return try m.next(max).map(RowBatch.objects)
        }
    }

    /// The next record's keys and row; nil at the end.
    mutating func nextRecord() throws -> (keys: [Value], row: JSONObject)? {
        switch self {
        case .memory(let rows, let values, let order, let at):
            guard at < order.count else { return nil }
            let i = order[at]
            self = .memory(rows, values, order, at + 1)
            return (values.map { $0[i] }, rows.row(i))
        case .merge(let m):
            return try m.nextRecord()
        }
    }
}

/// One sorted run in its temporary file: per record, its keys and its packed row.
struct SortRun {
    let fd: Int32

    /// Writes `rows` with their key `values` out in `order`.
    static func write(_ rows: PackedRows, _ values: [[Value]], order: [Int], _ shapes: inout RowShapes) throws -> SortRun {
        let file = try RunWriter()
        var record: [UInt8] = []
        for i in order {
            try Task.checkCancellation()
            record.removeAll(keepingCapacity: true)
            for k in values.indices { SortRun.pack(values[k][i], &record, &shapes) }
            try file.piece(record)
            try rows.withRowBytes(i) { try file.piece($0) }
        }
        return SortRun(fd: try file.finish())
    }

    /// A key value: JSON's tags, and 8 for a date (its milliseconds), which JSON has not.
    static func pack(_ v: Value, _ out: inout [UInt8], _ shapes: inout RowShapes) {
        if case .date(let i) = v {
            out.append(8)
            PackedRows.fixed(UInt64(bitPattern: Int64(i.milliseconds)), &out)
        } else {
            PackedRows.pack(v.json, into: &out, shapes: &shapes)
        }
    }

    static func unpack(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int, _ shapes: RowShapes) -> Value {
        if b[at] == 8 {
            at += 1
            return .date(Instant(milliseconds: Int(Int64(bitPattern: PackedRows.readFixed(b, &at)))))
        }
        return Value(PackedRows.unpack(b, &at, shapes))
    }
}

/// A run file as it is written: length-prefixed pieces (`RunReader` reads them back),
/// gathered and written a megabyte at a time. Dropped unfinished (a failed write, a
/// Ctrl-C), it closes its file, which is then gone.
final class RunWriter {
    private let fd: Int32
    private var out: [UInt8] = []
    private var finished = false
    /// Bytes gathered before a write.
    private let flushAt: Int

    init(flushAt: Int = 1 << 20) throws {
        fd = try TemporaryFile.open()
        self.flushAt = flushAt
        out.reserveCapacity(flushAt)
    }

    deinit { if !finished { closeDescriptor(fd) } }

    func piece(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try piece($0) }
    }

    func piece(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        PackedRows.varint(bytes.count, &out)
        out.append(contentsOf: bytes)
        if out.count >= flushAt {
            try TemporaryFile.write(fd, out)
            out.removeAll(keepingCapacity: true)
        }
    }

    /// The file, written out and back at its start for reading.
    func finish() throws -> Int32 {
        try TemporaryFile.write(fd, out)
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw TemporaryFile.failure(errno, reading: true) }
        finished = true
        return fd
    }
}

/// The k-way merge of sorted runs: each run read through a buffer, the least head taken
/// each time (ties to the earlier run, which holds the earlier rows).
final class RunMerge {
    private var readers: [RunReader]
    private let descending: [Bool]
    private let shapes: RowShapes

    init(_ runs: [SortRun], descending: [Bool], shapes: RowShapes, keyShapes: RowShapes, memoryLimit: Int) throws {
        self.descending = descending
        self.shapes = shapes
        readers = []
        let size = RunReader.bufferSize(memoryLimit: memoryLimit, runs: runs.count)
        for run in runs {
            let r = RunReader(fd: run.fd, keyCount: descending.count, keyShapes: keyShapes, bufferSize: size)
            try r.advance()
            readers.append(r)
        }
    }

    deinit { for r in readers { r.close() } }

    func next(_ max: Int) throws -> [JSONObject]? {
        var out: [JSONObject] = []
        while out.count < max, let r = try nextRecord() { out.append(r.row) }
        return out.isEmpty ? nil : out
    }

    func nextRecord() throws -> (keys: [Value], row: JSONObject)? {
        guard let head = try nextHead() else { return nil }
        return (head.keys, head.row(shapes))
    }

    /// The least head, as read: its keys and its packed row.
    func nextHead() throws -> RunReader.Head? {
        var best = -1
        for (i, r) in readers.enumerated() where r.head != nil {
            if best < 0 || Executor.precedes(r.head!.keys, readers[best].head!.keys, descending: descending) { best = i }
        }
        guard best >= 0 else { return nil }
        let head = readers[best].head!
        try readers[best].advance()
        return head
    }
}

/// Reads one run's records in order through a buffer of its own (`bufferSize`, grown
/// only for a record larger than it).
final class RunReader {
    struct Head {
        var keys: [Value]
        var bytes: [UInt8]
        func row(_ shapes: RowShapes) -> JSONObject {
            bytes.withUnsafeBufferPointer { b in
                var at = 0
                return PackedRows.unpackObject(b, &at, shapes)
            }
        }
    }

    private var fd: Int32
    private let keyCount: Int
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    /// Unread bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    private var atEnd = false
    private(set) var head: Head?
    private let keyShapes: RowShapes

    /// Each run's read buffer in a merge: a share of the memory limit, from 16 KB to 1 MB.
    static func bufferSize(memoryLimit: Int, runs: Int) -> Int {
        Swift.min(Swift.max(memoryLimit / Swift.max(2 * runs, 1), 16 << 10), 1 << 20)
    }

    init(fd: Int32, keyCount: Int, keyShapes: RowShapes, bufferSize: Int) {
        self.fd = fd
        self.keyCount = keyCount
        self.keyShapes = keyShapes
        buffer = .allocate(capacity: Swift.max(bufferSize, 64))
    }

    deinit {
        close()
        buffer.deallocate()
    }

    func close() {
        if fd >= 0 { closeDescriptor(fd) }
        fd = -1
    }

    /// Reads the next record into `head` (nil at the run's end).
    func advance() throws {
        guard let keyBytes = try chunk(), let rowBytes = try chunk() else {
            head = nil
            close()
            return
        }
        let keys = keyBytes.withUnsafeBufferPointer { b -> [Value] in
            var at = 0
            return (0..<keyCount).map { _ in SortRun.unpack(b, &at, keyShapes) }
        }
        head = Head(keys: keys, bytes: rowBytes)
    }

    /// One length-prefixed piece; nil at the end of the file.
    private func chunk() throws -> [UInt8]? {
        var length = 0
        var shift = 0
        while true {
            try fill(1)
            guard start < end else { return nil }
            let byte = buffer[start]
            start += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        try fill(length)
        guard end - start >= length else { throw TemporaryFile.truncated }
        defer { start += length }
        return Array(UnsafeBufferPointer(rebasing: buffer[start..<(start + length)]))
    }

    /// Makes `n` bytes available from `start`, unless the file ends first.
    private func fill(_ n: Int) throws {
        if end - start >= n || atEnd { return }
        if start > 0 {
            if end > start { buffer.baseAddress!.update(from: buffer.baseAddress! + start, count: end - start) }
            end -= start
            start = 0
        }
        if n > buffer.count {
            let bigger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
            bigger.baseAddress!.update(from: buffer.baseAddress!, count: end)
            buffer.deallocate()
            buffer = bigger
        }
        while end < n && !atEnd {
            let got = read(fd, buffer.baseAddress! + end, buffer.count - end)
            if got < 0 {
                if errno == EINTR { continue }
                throw TemporaryFile.failure(errno, reading: true)
            }
            if got == 0 { atEnd = true }
            end += got
        }
    }
}

/// A sort's temporary files: made with mkstemp (mode 0600) in `$TMPDIR` (else /tmp) and
/// unlinked at once, so nothing is left behind by an exit, a Ctrl-C or a crash.
enum TemporaryFile {
    static func open() throws -> Int32 {
        let directory = ProcessEnvironment.value("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/mq-sort-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(errno, directory) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBufferPointer { writeDescriptor(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            done += n
        }
    }

    static func failure(_ code: Int32, _ directory: String? = nil, reading: Bool = false) -> ExecError {
        let where_ = directory ?? ProcessEnvironment.value("TMPDIR") ?? "/tmp"
        return ExecError("the statement needs more memory than --memory-limit and could not \(reading ? "read back" : "write") its temporary file in \(where_): "
            + String(cString: strerror(code)),
            hints: ["set TMPDIR to a folder with room, or raise --memory-limit"])
    }

    static var truncated: ExecError {
        ExecError("`sort` read back a temporary file shorter than it wrote", hints: [])
    }
}

/// close(2) and write(2), out of reach of the methods named like them.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
private func writeDescriptor(_ fd: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int { write(fd, p, n) }
