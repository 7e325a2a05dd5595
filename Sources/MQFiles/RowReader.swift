#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore

/// Reads rows from a file in batches, so a million-row NDJSON or CSV file streams
/// (bounded memory) instead of loading whole. JSON (an array, or one object = one row)
/// is parsed whole.
///
/// Errors carry the file, line and column. Rows before a bad line or record are still
/// delivered: the batch that meets the error returns what it has, and the next call
/// throws. Once thrown, the error is thrown again by every later call.
public final class RowReader {
    public let path: String
    public let format: FileFormat
    private let decoder: any RowDecoder
    private var finished = false
    private var failure: FileError?

    /// Opens `path`. With `format` nil the extension decides; an unknown extension is an
    /// error that lists the ones that work. A missing or unreadable file fails here, with
    /// the operating system's reason; problems inside the file surface from `next`.
    ///
    /// With `fields`, rows keep only those fields (the others are read past, and checked
    /// as strictly: the same errors at the same places), because building the values a
    /// query never looks at is most of the cost of reading a wide file.
    public convenience init(path: String, format: FileFormat? = nil, fields: FieldSet? = nil) throws(FileError) {
        guard let format = format ?? FileFormat(path: path) else { throw .unknownFormat(path) }
        try self.init(path: path, format: format, chunkSize: FileInput.chunkSize, fields: fields)
    }

    /// Opens `path` with a read window that starts at `chunkSize` bytes: the fuzz target
    /// (Fuzz/Files) uses a few bytes, so that window edges fall inside small inputs.
    ///
    /// `workers`: the threads that parse a large NDJSON file or JSON array, and for a CSV
    /// whether a worker decodes it (more than one) (nil: one per core, when
    /// the machine has more than one and the file is a regular file of at least two chunks).
    package init(path: String, format: FileFormat, chunkSize: Int, fields: FieldSet? = nil, workers: Int? = nil) throws(FileError) {
        self.path = path
        self.format = format
        var input = try FileInput(path: path, chunkSize: chunkSize)
        switch format {
        case .json:
            let document = JSONDocumentDecoder(input: input, fields: fields)
            let threads = workers ?? (input.isRegularFile && input.fileSize >= 2 * chunkSize ? RowReader.cores : 1)
            decoder = threads > 1 && document.streamsArray()
                ? ParallelDecoder(input: input, format: JSONArrayChunks(document, fields: fields, path: path), workers: threads,
                                  chunkBytes: chunkSize)
                : document
        case .ndjson:
            let threads = workers ?? (input.isRegularFile && input.fileSize >= 2 * chunkSize ? RowReader.cores : 1)
            decoder = threads > 1
                ? ParallelDecoder(input: input, format: NDJSONChunks(fields: fields, path: path), workers: threads, chunkBytes: chunkSize)
                : NDJSONDecoder(input: input, fields: fields)
        case .csv:
            // Column kinds come from a first pass over the whole file, so that a column
            // is read one way in every row. A regular file is read twice; a pipe is read
            // into memory once and both passes go over that.
            let layout: CSVLayout
            let threads = workers ?? (input.isRegularFile && input.fileSize >= 2 * chunkSize ? RowReader.cores : 1)
            if input.isRegularFile {
                layout = try CSVColumnKinds.layout(try FileInput(path: path, chunkSize: chunkSize), fields: fields,
                                                   cutEvery: threads > 1 ? chunkSize : 0)
            } else {
                let bytes = try input.readAll()
                layout = try CSVColumnKinds.layout(FileInput(bytes: bytes, path: path), fields: fields)
                input = FileInput(bytes: bytes, path: path)
            }
            let kinds = layout.kinds
            // Decoded in pieces on every core, cut where the kinds pass saw records start
            // (`CSVCutChunks`), if the file is the one that pass read. (Finding the cuts in
            // a quote-parity pass of their own, under the lock, cost as much as the second
            // core saved.) Else decoded on one worker while this thread evaluates.
            if threads > 1, !layout.cuts.isEmpty, layout.identity != nil, layout.identity == input.identity {
                let pieces = CSVCutChunks(layout: layout, fields: fields, path: path)
                decoder = ParallelDecoder(input: input, format: pieces, workers: threads, chunkBytes: chunkSize)
                csvKinds = { pieces.columnKinds }
                return
            }
            let csv = CSVDecoder(input: input, fields: fields, kinds: kinds)
            if threads > 1 {
                let parallel = ParallelDecoder(input: input, format: CSVChunks(csv), workers: 1, chunkBytes: chunkSize)
                decoder = parallel
                csvKinds = { parallel.withFormat { ($0 as? CSVChunks)?.csv.columnKinds ?? [] } }
            } else {
                decoder = csv
                csvKinds = { csv.columnKinds }
            }
        }
    }

    /// A CSV decoder's columns and kinds, read where the decoder runs (under the workers'
    /// lock when a worker decodes).
    private var csvKinds: () -> [(String, CSVKind)] = { [] }

    /// A reader of the file's first rows only, for what its columns are before a query
    /// runs (bare words, a join's renames, completion): a CSV's kinds then come from its
    /// first megabyte, cut at a line end, not from a pass over the whole file (which made
    /// planning a join with a 262 MB CSV read it twice more), and NDJSON is read on one
    /// thread. Its rows are the file's first rows; a CSV's values may be read as other
    /// kinds than a whole read gives them, so take only their keys from it.
    public static func sampling(path: String) throws(FileError) -> RowReader {
        guard let format = FileFormat(path: path) else { throw .unknownFormat(path) }
        guard format == .csv else { return try RowReader(path: path, format: format, chunkSize: FileInput.chunkSize, workers: 1) }
        let input = try FileInput(path: path, chunkSize: FileInput.chunkSize)
        var sample: [UInt8] = []
        var whole = false
        while sample.count < FileInput.sampleBytes {
            if input.bytes.isEmpty, try !input.refill() {
                whole = true
                break
            }
            let window = input.bytes
            sample += window
            input.consume(window.count)
        }
        // Cut after the last line end, so that no record is read half.
        if !whole, let lastEnd = sample.lastIndex(of: 0x0A) { sample.removeSubrange((lastEnd + 1)...) }
        return try RowReader(csvBytes: sample, path: path)
    }

    private init(csvBytes: [UInt8], path: String) throws(FileError) {
        self.path = path
        format = .csv
        let kinds = try CSVColumnKinds.infer(FileInput(bytes: csvBytes, path: path), fields: nil)
        let csv = CSVDecoder(input: FileInput(bytes: csvBytes, path: path), fields: nil, kinds: kinds)
        decoder = csv
        csvKinds = { csv.columnKinds }
    }

    /// The cores online, at most 8: each is one more parsing thread.
    static let cores = Swift.min(Swift.max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1), 8)

    /// A CSV file's columns with the kind each is read as (empty before the first
    /// `next`, and for other formats).
    public var columnKinds: [(name: String, kind: CSVKind)] {
        csvKinds().map { ($0.0, $0.1) }
    }

    /// The next batch of up to `max` rows, or nil at the end.
    public func next(max: Int = 1024) throws(FileError) -> [JSONObject]? {
        if let failure { throw failure }
        if finished { return nil }
        var rows: [JSONObject] = []
        rows.reserveCapacity(Swift.min(Swift.max(max, 1), 4096))
        do {
            if try !decoder.read(max: Swift.max(max, 1), into: &rows) { finished = true }
        } catch {
            failure = error
            finished = true
            if rows.isEmpty { throw error }
        }
        return rows.isEmpty ? nil : rows
    }
}

/// Convenience: all rows.
public func readRows(path: String, format: FileFormat? = nil) throws(FileError) -> [JSONObject] {
    let reader = try RowReader(path: path, format: format)
    var all: [JSONObject] = []
    while let batch = try reader.next(max: 1 << 16) {
        if all.isEmpty { all = batch } else { all.append(contentsOf: batch) }
    }
    return all
}

/// One format's way of turning a `FileInput` into rows.
protocol RowDecoder: AnyObject {
    /// Appends up to `max - rows.count` rows. Returns false when the file is exhausted
    /// (rows may still have been appended), true when it stopped because `rows` is full.
    func read(max: Int, into rows: inout [JSONObject]) throws(FileError) -> Bool
}

extension JSON {
    /// "a number", "an array"…: what a value is, for "element 3 is a number, not an object".
    var kindPhrase: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// The 1-based line and column (in characters, as an editor counts them) of byte
/// `offset` in `bytes`.
func textPosition(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
    let end = Swift.min(offset, bytes.count)
    var line = 1
    var lineStart = 0
    for i in 0..<end where bytes[i] == 0x0A {
        line += 1
        lineStart = i + 1
    }
    var column = 1
    // Count UTF-8 lead bytes, skipping continuation bytes (10xxxxxx).
    for i in lineStart..<end where bytes[i] & 0xC0 != 0x80 { column += 1 }
    return (line, column)
}
