#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore

/// A file parsed on worker threads (`NDJSONChunks`, `JSONArrayChunks`, a CSV's pieces
/// `CSVCutChunks`; or a CSV decoded on one, `CSVChunks`): parsing is most of what a local query costs, and one core did all
/// of it while the other waited.
///
/// The file is cut into chunks of whole records (`ChunkFormat.cut`: NDJSON's end at a
/// newline, so a line is never split). Each worker
/// takes the next chunk under the lock, parses it on its own, and files the rows under
/// the chunk's number; `read` hands the chunks out in file order, so rows keep their order
/// and an error keeps its place: the rows before a bad line come first, then the error,
/// with the line counted from the start of the file. At most `ahead` chunks wait parsed,
/// which bounds memory. Dropping the decoder (a `limit` reached, Ctrl-C, the statement's
/// end) stops the workers after their current chunk and waits for them.
final class ParallelDecoder: RowDecoder {
    private let shared: Chunks
    private var rows: [JSONObject] = []
    private var position = 0
    /// Lines before the current chunk, and its error (its line counted within the chunk).
    private var linesBefore = 0
    private var pendingError: FileError?
    private var chunkLines = 0
    private var nextChunk = 0
    private var finished = false

    /// The worker threads; with none, `read` parses each chunk itself.
    private var threads: [pthread_t] = []
    private var threaded: Bool { !threads.isEmpty }

    init(input: FileInput, format: any ChunkFormat, workers: Int, chunkBytes: Int) {
        shared = Chunks(input: input, format: format, chunkBytes: chunkBytes, ahead: workers * 2)
        for _ in 0..<workers {
            if let t = startThread({ [shared] in shared.work() }) { threads.append(t) }
        }
    }

    /// Stops the workers and waits for them: each ends after the chunk it is parsing (a
    /// few milliseconds), so no thread outlives the reader, nor holds the file open, nor
    /// allocates after it is gone (the files fuzzer's leak check saw one that did).
    deinit {
        shared.stop()
        for t in threads { pthread_join(t, nil) }
    }

    /// `body` on the format, with the workers' lock held.
    func withFormat<T>(_ body: (any ChunkFormat) -> T) -> T { shared.locked(body) }

    func read(max: Int, into out: inout [JSONObject]) throws(FileError) -> Bool {
        while out.count < max {
            if position < rows.count {
                let n = Swift.min(max - out.count, rows.count - position)
                out.append(contentsOf: rows[position..<(position + n)])
                position += n
                continue
            }
            if var error = pendingError {
                pendingError = nil
                finished = true
                error.line = error.line.map { $0 + linesBefore }
                shared.stop()
                throw error
            }
            if finished { return false }
            linesBefore += chunkLines
            if !threaded { _ = shared.step() }
            guard let chunk = shared.take(nextChunk) else {
                finished = true
                shared.stop()
                return false
            }
            nextChunk += 1
            rows = chunk.rows
            position = 0
            chunkLines = chunk.lines
            pendingError = chunk.error
        }
        return true
    }
}

/// What the workers share: the input (read under the lock, a chunk at a time) and the
/// parsed chunks waiting for the reader. The lock and its condition are pthread's, as the
/// waiting must block a worker thread; hence `@unchecked Sendable`, every field being
/// read or written only with `lock` held.
private final class Chunks: @unchecked Sendable {
    private let input: FileInput
    private let format: any ChunkFormat
    private let chunkBytes: Int
    private let ahead: Int
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var readNext = 0
    private var endAt: Int?
    private var parsed: [Int: ParsedChunk] = [:]
    private var stopped = false
    private var delivered = 0

    init(input: FileInput, format: any ChunkFormat, chunkBytes: Int, ahead: Int) {
        self.input = input
        self.format = format
        self.chunkBytes = chunkBytes
        self.ahead = Swift.max(ahead, 2)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        changed.deallocate()
    }

    /// `body` with the lock held, so that it sees the format as the last `cut` left it.
    func locked<T>(_ body: (any ChunkFormat) -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body(format)
    }

    func stop() {
        pthread_mutex_lock(lock)
        stopped = true
        parsed = [:]
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// Chunk `n`, once parsed; nil past the last one.
    func take(_ n: Int) -> ParsedChunk? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while true {
            if let chunk = parsed.removeValue(forKey: n) {
                delivered = n + 1
                pthread_cond_broadcast(changed)
                return chunk
            }
            if let endAt, n >= endAt { return nil }
            if stopped { return nil }
            pthread_cond_wait(changed, lock)
        }
    }

    /// A worker's loop.
    func work() {
        while step() {}
    }

    /// One chunk: its bytes read under the lock, then parsed without it. False when there
    /// is nothing more to do.
    func step() -> Bool {
        pthread_mutex_lock(lock)
        while !stopped && endAt == nil && readNext - delivered >= ahead { pthread_cond_wait(changed, lock) }
        if stopped || endAt != nil {
            pthread_mutex_unlock(lock)
            return false
        }
        let n = readNext
        let bytes: Chunk?
        var readError: FileError?
        do { bytes = try nextBytes() } catch {
            bytes = nil
            readError = error
        }
        if bytes == nil { endAt = readError == nil ? n : n + 1 }
        if let readError { parsed[n] = ParsedChunk(rows: [], lines: 0, error: readError) }
        readNext += 1
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
        guard let bytes else { return false }

        let chunk = format.parse(bytes)
        pthread_mutex_lock(lock)
        if !stopped {
            parsed[n] = chunk
            if chunk.error != nil, endAt.map({ $0 > n + 1 }) ?? true { endAt = n + 1 }
            pthread_cond_broadcast(changed)
        }
        pthread_mutex_unlock(lock)
        return true
    }

    /// The next chunk; nil when nothing is left. Called with the lock held.
    private func nextBytes() throws(FileError) -> Chunk? {
        try format.cut(input, chunkBytes: chunkBytes)
    }
}

/// A chunk of a file as cut: whole records (NDJSON's lines), a JSON array's elements, or
/// rows already decoded (a CSV's, `CSVChunks`) with the error that ended them.
struct Chunk: Sendable {
    var bytes: [UInt8]
    var json: JSONChunk?
    var rows: [JSONObject] = []
    var error: FileError?
    /// A CSV piece that begins at the file's start, with its header (`CSVCutChunks`).
    var startsFile = false
    init(bytes: [UInt8], json: JSONChunk? = nil) {
        self.bytes = bytes
        self.json = json
    }
    init(rows: [JSONObject], error: FileError?) {
        bytes = []
        self.rows = rows
        self.error = error
    }
}

/// A chunk's rows, its line count and the error that ended it.
struct ParsedChunk: Sendable {
    var rows: [JSONObject]
    var lines: Int
    var error: FileError?
}

/// How a format is cut into chunks (in file order, under the lock) and a chunk parsed
/// (on a worker, alone; errors' lines counted from the chunk's first line).
protocol ChunkFormat: AnyObject, Sendable {
    func cut(_ input: FileInput, chunkBytes: Int) throws(FileError) -> Chunk?
    func parse(_ chunk: Chunk) -> ParsedChunk
}

/// NDJSON: a chunk ends at a newline, and each line is a row. (`@unchecked Sendable`:
/// `started` is only touched by `cut`, under the chunks' lock.)
final class NDJSONChunks: ChunkFormat, @unchecked Sendable {
    let fields: FieldSet?
    let path: String
    init(fields: FieldSet?, path: String) {
        self.fields = fields
        self.path = path
    }

    private var started = false

    /// Up to and with the window's last newline (all that is left at the end of the file).
    func cut(_ input: FileInput, chunkBytes: Int) throws(FileError) -> Chunk? {
        if !started {
            started = true
            try input.skipByteOrderMark()
        }
        while true {
            let window = input.bytes
            if window.count >= chunkBytes || input.atEOF {
                if window.isEmpty {
                    if try input.refill() { continue }
                    return nil
                }
                // The chunk ends after the last newline in the window; with none, the line
                // is longer than the window: read more.
                var last = window.count - 1
                while last >= 0 && window[last] != 0x0A { last -= 1 }
                if last >= 0 {
                    let end = last + 1
                    let chunk = Array(UnsafeBufferPointer(rebasing: window[0..<end]))
                    input.consume(end)
                    return Chunk(bytes: chunk)
                }
                if input.atEOF {
                    let chunk = Array(window)
                    input.consume(window.count)
                    return Chunk(bytes: chunk)
                }
            }
            if try !input.refill(), input.bytes.isEmpty { return nil }
        }
    }

    func parse(_ chunk: Chunk) -> ParsedChunk {
        var out = ParsedChunk(rows: [], lines: 0, error: nil)
        let shape = RowShape()
        let bytes = chunk.bytes
        out.rows.reserveCapacity(bytes.count / 256)
        bytes.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            var pos = 0
            while pos < all.count {
                let lineEnd = memchr(base + pos, 0x0A, all.count - pos)
                    .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? all.count
                out.lines += 1
                do throws(FileError) {
                    if let row = try NDJSONDecoder.decodeLine(
                        UnsafeBufferPointer(rebasing: all[pos..<lineEnd]), fields: fields, shape: shape, path: path, line: out.lines)
                    {
                        out.rows.append(row)
                    }
                } catch {
                    out.error = error
                    return
                }
                pos = lineEnd + 1
            }
        }
        return out
    }
}

/// Runs `body` on a thread of its own, to be joined: the workers block on a condition,
/// which a task of Swift's cooperative pool must never do. Nil if no thread could be made.
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    guard started == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        return nil
    }
    return thread
}
