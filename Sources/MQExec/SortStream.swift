#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore
import MQSyntax

/// `sort` over every row: rows are packed as they arrive (`PackedRows`, well under a
/// `JSONObject`'s size) with their keys evaluated once, a column per key; at the end the
/// row numbers are sorted (`SortColumns`) and the rows unpacked in order, a batch at a
/// time.
///
/// Past `memoryLimit` bytes (`--memory-limit`), the rows so far are sorted and written to
/// a temporary file as one run, with their keys, and the next rows start a new run; at
/// the end the runs are merged, ties going to the earlier run, so the order is the one
/// sorting in memory gives, byte for byte. The files are made 0600 in `$TMPDIR` and
/// unlinked at once: they vanish when mq exits or the statement ends, whatever ends it.
final class SortStream: RowStream {
    let upstream: RowStream
    let keys: [SortKey]
    let eval: Evaluator
    let state: ExecutionState
    let memoryLimit: Int
    private var output: SortedOutput?
    /// Runs written to temporary files (0 when the sort fitted in memory).
    private(set) var runsWritten = 0
    /// The shapes of objects inside key values (`sort agent`), for reading runs back.
    private var keyShapes = RowShapes()

    init(_ upstream: RowStream, keys: [SortKey], eval: Evaluator, state: ExecutionState, memoryLimit: Int) {
        self.upstream = upstream
        self.keys = keys
        self.eval = eval
        self.state = state
        self.memoryLimit = memoryLimit
    }

    func next() async throws -> [JSONObject]? {
        if output == nil { output = try await collect() }
        if Task.isCancelled { throw CancellationError() }
        return try output!.next(1024)
    }

    private func collect() async throws -> SortedOutput {
        // Held rows and keys stay under three quarters of the limit: the last quarter is
        // for sorting a run (its key columns and order, about a fifth of the rows' size)
        // and writing it out.
        let hold = memoryLimit / 4 * 3
        var rows = PackedRows()
        var reserved = false
        var values: [[Value]] = keys.map { _ in [] }
        var rowsPerRun = 0
        var keyBytes = 0
        var runs: [SortRun] = []
        while let batch = try await upstream.next() {
            for row in batch {
                for (k, key) in keys.enumerated() {
                    let v = eval.eval(key.expr, row)
                    keyBytes += SortStream.footprint(of: v)
                    values[k].append(v)
                }
                rows.append(row)
            }
            try eval.check()
            // A large sort takes room for the rows it may hold at once, up to 512 MB, rather
            // than let the buffer double past the limit.
            if !reserved, rows.footprint > 8 << 20 {
                rows.reserve(bytes: Swift.min(hold, 512 << 20))
                reserved = true
            }
            let held = rows.footprint + keyBytes + values.reduce(0) { $0 + $1.capacity * MemoryLayout<Value>.stride }
            if held > hold {
                runs.append(try SortRun.write(rows, values, keys, &keyShapes))
                runsWritten += 1
                rowsPerRun = Swift.max(rowsPerRun, rows.count)
                rows.removeAll()
                // The next run's key columns at the size this one reached, not doubling past it.
                values = keys.map { _ in
                    var column: [Value] = []
                    column.reserveCapacity(rowsPerRun)
                    return column
                }
                keyBytes = 0
            }
        }
        try state.checkComplete("sort")
        if runs.isEmpty {
            let order = try SortColumns(values, descending: keys.map(\.descending)).order()
            return .memory(rows, order, 0)
        }
        if !rows.isEmpty {
            runs.append(try SortRun.write(rows, values, keys, &keyShapes))
            runsWritten += 1
        }
        return .merge(try RunMerge(runs, keys: keys, shapes: rows.shapes, keyShapes: keyShapes, memoryLimit: memoryLimit))
    }

    /// What a key value holds beside its place in the column: a long string's storage.
    static func footprint(of v: Value) -> Int {
        if case .string(let s) = v, s.utf8.count > 15 { return 32 + s.utf8.count }
        return 0
    }
}

private enum SortedOutput {
    case memory(PackedRows, [Int], Int)
    case merge(RunMerge)

    mutating func next(_ max: Int) throws -> [JSONObject]? {
        switch self {
        case .memory(let rows, let order, let at):
            guard at < order.count else { return nil }
            let end = Swift.min(order.count, at + max)
            let batch = order[at..<end].map { rows.row($0) }
            self = .memory(rows, order, end)
            return batch
        case .merge(let m):
            return try m.next(max)
        }
    }
}

/// One sorted run in its temporary file: per row, its keys and its packed bytes.
struct SortRun {
    let fd: Int32

    /// Sorts `rows` by `values` and writes them out in that order.
    static func write(_ rows: PackedRows, _ values: [[Value]], _ keys: [SortKey], _ shapes: inout RowShapes) throws -> SortRun {
        let order = try SortColumns(values, descending: keys.map(\.descending)).order()
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

    init() throws {
        fd = try TemporaryFile.open()
        out.reserveCapacity(1 << 20)
    }

    deinit { if !finished { closeDescriptor(fd) } }

    func piece(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try piece($0) }
    }

    func piece(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        PackedRows.varint(bytes.count, &out)
        out.append(contentsOf: bytes)
        if out.count >= 1 << 20 {
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
    private let keys: [SortKey]
    private let shapes: RowShapes

    init(_ runs: [SortRun], keys: [SortKey], shapes: RowShapes, keyShapes: RowShapes, memoryLimit: Int) throws {
        self.keys = keys
        self.shapes = shapes
        readers = []
        let size = RunReader.bufferSize(memoryLimit: memoryLimit, runs: runs.count)
        for run in runs {
            let r = RunReader(fd: run.fd, keyCount: keys.count, keyShapes: keyShapes, bufferSize: size)
            try r.advance()
            readers.append(r)
        }
    }

    deinit { for r in readers { r.close() } }

    func next(_ max: Int) throws -> [JSONObject]? {
        var out: [JSONObject] = []
        while out.count < max {
            var best = -1
            for (i, r) in readers.enumerated() where r.head != nil {
                if best < 0 || Executor.precedes(r.head!.keys, readers[best].head!.keys, keys) { best = i }
            }
            guard best >= 0 else { break }
            out.append(readers[best].head!.row(shapes))
            try readers[best].advance()
        }
        return out.isEmpty ? nil : out
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
