#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CByteScan
import MQCore

/// RFC 4180 CSV with a header row, read a chunk at a time.
///
/// Comma-separated; a field may be quoted, with `""` for a quote inside, and then may hold
/// commas and line breaks, so one record can span lines (errors name the line where the
/// record starts). Records end in "\n" or "\r\n". Empty lines are skipped rather than read
/// as a row of one empty field, because spreadsheets and editors leave them at the end.
/// Cells are typed by `CSVCell.value`.
final class CSVDecoder: RowDecoder {
    /// A quoted field still open this far on is taken for a missing closing quote rather
    /// than buffering the rest of a large file to find out.
    static let maxRecordBytes = 64 << 20

    private let input: FileInput
    private let maxRecordBytes: Int
    private var started = false
    /// The line where the next record starts.
    private var line = 1
    private var header: [String]?
    private var template = JSONObject()
    private var fields: [CSVFieldSpan] = []
    private var scratch: [UInt8] = []
    private let keptFields: FieldSet?
    /// Per column, whether rows keep it (all, without `fields`).
    private var keep: [Bool] = []
    /// Per column, the kind every cell of it is read as, decided over the whole file
    /// before the first row (`CSVColumnKinds`).
    private var kinds: [CSVKind] = []
    private var kindsByName: [String: CSVKind]
    /// Records end in a lone "\r" (old Mac Excel).
    private var crOnly = false
    /// The kind chosen for each column, once the header is read.
    var columnKinds: [(String, CSVKind)] { zip(header ?? [], kinds).map { ($0, $1) } }

    /// `kinds`: each column's kind by name, from a first pass over the same file
    /// (`CSVColumnKinds.infer`); a column it does not name is text.
    init(input: FileInput, maxRecordBytes: Int = CSVDecoder.maxRecordBytes, fields: FieldSet? = nil,
         kinds: [String: CSVKind])
    {
        self.input = input
        self.maxRecordBytes = maxRecordBytes
        keptFields = fields
        kindsByName = kinds
    }

    /// A decoder of records that start where `input` does, past a header already read
    /// (`CSVCutChunks`): `header` is its names, `crOnly` how its lines end.
    convenience init(records input: FileInput, fields: FieldSet?, kinds: [String: CSVKind], header: [String], crOnly: Bool) {
        self.init(input: input, fields: fields, kinds: kinds)
        started = true
        self.crOnly = crOnly
        setHeader(header)
    }

    /// The line breaks read so far (the header's included).
    var linesRead: Int { line - 1 }

    func read(max: Int, into rows: inout [JSONObject]) throws(FileError) -> Bool {
        if !started {
            started = true
            try input.skipByteOrderMark()
            crOnly = try CSVDecoder.endsLinesWithCROnly(input)
        }
        while rows.count < max {
            let window = input.bytes
            let eof = input.atEOF
            var pos = 0
            var needMore = false
            while rows.count < max {
                if pos == window.count {
                    needMore = true
                    break
                }
                // An empty line: skip it, but "\r" at the window's edge may yet be "\r\n".
                if window[pos] == (crOnly ? 0x0D : 0x0A) {
                    line += 1
                    pos += 1
                    continue
                }
                if !crOnly, window[pos] == 0x0D {
                    if pos + 1 < window.count, window[pos + 1] == 0x0A {
                        line += 1
                        pos += 2
                        continue
                    }
                    if pos + 1 == window.count {
                        if eof {
                            pos += 1
                            continue
                        }
                        needMore = true
                        break
                    }
                }
                switch CSVScanner.scanRecord(window, from: pos, atEOF: eof, fields: &fields, crOnly: crOnly) {
                case .record(let next, let newlines):
                    try emit(window, into: &rows)
                    line += newlines
                    pos = next
                case .incomplete(let openQuoteLine):
                    if let openQuoteLine, window.count - pos > maxRecordBytes {
                        throw .unterminatedQuote(input.path, line: line + openQuoteLine, stillOpenAfter: maxRecordBytes)
                    }
                    needMore = true
                case .unterminatedQuote(let lineOffset):
                    throw .unterminatedQuote(input.path, line: line + lineOffset, stillOpenAfter: nil)
                case .textAfterQuote(let lineOffset, let field):
                    throw .textAfterQuote(input.path, line: line + lineOffset, field: field + 1)
                }
                if needMore { break }
            }
            input.consume(pos)
            if !needMore { return true }
            if try !input.refill() && input.bytes.isEmpty { return false }
        }
        return true
    }

    /// Gives the rows from here on a keys array of their own. Rows share their template's
    /// keys, and when another thread frees them (`CSVChunks`), each row's release of that
    /// one array's count moved its cache line between the cores: swift_retain went from 4 %
    /// to 12 % of the time.
    func renewKeys() {
        template = JSONObject(uncheckedKeys: template.keys.map { $0 }, values: template.values)
    }

    /// Turns the record in `fields` into the header or a row.
    private func emit(_ window: UnsafeBufferPointer<UInt8>, into rows: inout [JSONObject]) throws(FileError) {
        guard let header else {
            try readHeader(window)
            return
        }
        guard fields.count == header.count else {
            throw .fieldCount(input.path, line: line, fields.count, header: header.count)
        }
        // The kept values in the header's order, beside the template's keys: filling a
        // copy of the template by name copied its values and scanned its keys per cell.
        var values: [JSON] = []
        values.reserveCapacity(template.count)
        for k in fields.indices {
            let f = fields[k]
            if !keep[k] {
                // Not kept: only checked, so that the file fails where it would otherwise.
                let valid = f.hasDoubledQuotes
                    ? { unescape(window, f); return scratch.withUnsafeBufferPointer { UTF8Check.isValid($0) } }()
                    : UTF8Check.isValid(UnsafeBufferPointer(rebasing: window[f.start..<f.end]))
                guard valid else { throw .invalidUTF8(input.path, line: line + f.lineOffset, field: k + 1, name: header[k]) }
                continue
            }
            let value: JSON?
            let kind = kinds[k]
            if f.hasDoubledQuotes {
                unescape(window, f)
                value = scratch.withUnsafeBufferPointer { CSVCell.value($0, as: kind) }
            } else {
                value = CSVCell.value(UnsafeBufferPointer(rebasing: window[f.start..<f.end]), as: kind)
            }
            guard let value else {
                throw .invalidUTF8(input.path, line: line + f.lineOffset, field: k + 1, name: header[k])
            }
            values.append(value)
        }
        rows.append(JSONObject(uncheckedKeys: template.keys, values: values))
    }

    private func readHeader(_ window: UnsafeBufferPointer<UInt8>) throws(FileError) {
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (k, f) in fields.enumerated() {
            let name: String?
            if f.hasDoubledQuotes {
                unescape(window, f)
                name = scratch.withUnsafeBufferPointer { validatedString($0) }
            } else {
                name = validatedString(UnsafeBufferPointer(rebasing: window[f.start..<f.end]))
            }
            guard let name else { throw .invalidUTF8(input.path, line: line + f.lineOffset, field: k + 1, name: nil) }
            guard !name.isEmpty else { throw .emptyColumnName(input.path, line: line, column: k + 1) }
            if let first = seen[name] {
                throw .duplicateColumnName(input.path, line: line, name, first: first + 1, again: k + 1)
            }
            seen[name] = k
            names.append(name)
        }
        setHeader(names)
    }

    private func setHeader(_ names: [String]) {
        header = names
        keep = names.map { keptFields?.contains($0) ?? true }
        kinds = names.map { kindsByName[$0] ?? .text }
        template = JSONObject()
        for (name, kept) in zip(names, keep) where kept { template.appendUnchecked(name, .null) }
    }

    /// The field's content with each `""` made `"`, into `scratch`.
    private func unescape(_ window: UnsafeBufferPointer<UInt8>, _ f: CSVFieldSpan) {
        CSVColumnKinds.unescape(window, f, into: &scratch)
    }
}

extension CSVDecoder {
    /// Whether the file's first line ends in a lone "\r" (classic Mac OS, old Excel):
    /// read as "\n" files are, such a file was one long header and no rows.
    static func endsLinesWithCROnly(_ input: FileInput) throws(FileError) -> Bool {
        while true {
            let b = input.bytes
            var inQuote = false
            for i in 0..<b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") { inQuote.toggle() }
                if inQuote { continue }
                if c == 0x0A { return false }
                if c == 0x0D {
                    if i + 1 < b.count { return b[i + 1] != 0x0A }
                    break  // "\r" at the window's edge: is "\n" next?
                }
            }
            if input.atEOF { return b.last == 0x0D && b.count > 0 && !b.contains(0x0A) }
            if b.count > 1 << 20 { return false }  // no line break in a megabyte: one header
            // At the end of the file, look again now that it is known to be the end: a
            // read window and a whole file in memory must decide alike.
            _ = try input.refill()
        }
    }
}

/// The kind of a CSV column: each is read one way, decided over all its cells
/// (language.md v2: a zip column with `08123` in it is text in every row, `90210` too).
public enum CSVKind: String, Sendable {
    /// Every non-empty cell is a plain number (no leading `+`, no leading zero).
    case number
    /// Every non-empty cell is true or false, in any case.
    case boolean
    /// Every non-empty cell is an ISO-8601 date or date-time; its values stay text, as
    /// JSON's dates are, and compare as instants.
    case date
    case text
    /// No cell has anything: every value is null.
    case empty
}

/// Works out each column's kind with a pass over the file (the scanner only, no values
/// built), before the rows are read: a column is a number only if all of it is.
///
/// A large regular file is classified in two halves at once. The second starts after the
/// first line end past the middle, which is a record's start unless that line end was
/// inside a quoted field; the first half's records show which: if one of them starts
/// exactly there, the second half's classes are the ones a single pass would have found,
/// and otherwise the first half reads on to the end and the second's are dropped. The
/// pass was a fifth of reading a CSV file, with the other core idle.
public enum CSVColumnKinds {
    /// Files this large or larger are classified in two halves.
    static let splitBytes = 8 << 20

    /// The kinds by column name, for the columns `fields` keeps (all without it). A
    /// malformed record ends the pass: the read itself then fails there, with the rows
    /// before it read in the kinds those rows give.
    static func infer(_ input: FileInput, fields: FieldSet?, splitBytes: Int = CSVColumnKinds.splitBytes) throws(FileError) -> [String: CSVKind] {
        try layout(input, fields: fields, splitBytes: splitBytes).kinds
    }

    /// The kinds, with the header and record starts the pass saw: every `cutEvery`
    /// bytes or so (none with 0), the offset of the first record starting there, which
    /// lets the rows be decoded in pieces at once (`CSVCutChunks`).
    static func layout(_ input: FileInput, fields: FieldSet?, splitBytes: Int = CSVColumnKinds.splitBytes,
                       cutEvery: Int = 0) throws(FileError) -> CSVLayout
    {
        let identity = input.identity
        try input.skipByteOrderMark()
        let crOnly = try CSVDecoder.endsLinesWithCROnly(input)
        var first = KindsScan(crOnly: crOnly)
        guard case .header = try first.run(input, fields: fields, headerOnly: true) else {
            return CSVLayout(kinds: [:], header: first.header ?? [], crOnly: crOnly, cuts: [], identity: identity)
        }
        first.cutEvery = cutEvery
        let size = input.isRegularFile ? input.fileSize : 0
        if size >= splitBytes, size - input.offset >= splitBytes / 2 {
            let half = SecondHalf(path: input.path, from: input.offset + (size - input.offset) / 2, scan: first, lf: crOnly ? 0x0D : 0x0A)
            let thread = half.start()
            // Joined however this ends, a read error included; a first half that reads on
            // alone does so before waiting for the second.
            var joined = false
            defer { if !joined { _ = half.wait(thread) } }
            let end = try first.run(input, fields: fields, stopAt: half.begin)
            if case .stopped(let at) = end {
                if at == half.begin, let second = half.wait(thread) {
                    joined = true
                    first.merge(try second.get())
                } else {
                    _ = try first.run(input, fields: fields)
                }
            }
        } else {
            _ = try first.run(input, fields: fields)
        }
        return CSVLayout(kinds: first.kinds, header: first.header ?? [], crOnly: crOnly, cuts: first.cuts, identity: identity)
    }

    /// The second half's pass, on a thread of its own.
    private final class SecondHalf: @unchecked Sendable {
        let path: String
        let from: Int
        let lf: UInt8
        var scan: KindsScan
        /// Where its first record starts: past the first line end at or after `from`.
        private(set) var begin = Int.max
        private var result: Result<KindsScan, FileError>?
        private var input: FileInput?

        init(path: String, from: Int, scan: KindsScan, lf: UInt8) {
            self.path = path
            self.from = from
            self.lf = lf
            var fresh = scan
            fresh.clearSeen()
            self.scan = fresh
        }

        /// Finds `begin` here, then classifies from there on another thread; nil when
        /// the file could not be opened again (the first half then reads it all).
        func start() -> pthread_t? {
            do {
                let input = try FileInput(path: path, offset: from)
                while true {
                    let b = input.bytes
                    if let i = b.firstIndex(of: lf) {
                        input.consume(i + 1)
                        break
                    }
                    input.consume(b.count)
                    if try !input.refill() { break }
                }
                begin = input.offset
                self.input = input
            } catch {
                return nil
            }
            return startThread { [self] in
                do throws(FileError) {
                    _ = try scan.run(input!, fields: nil)
                    result = .success(scan)
                } catch {
                    result = .failure(error)
                }
            }
        }

        func wait(_ thread: pthread_t?) -> Result<KindsScan, FileError>? {
            guard let thread else { return nil }
            pthread_join(thread, nil)
            return result
        }
    }

    static func unescape(_ window: UnsafeBufferPointer<UInt8>, _ f: CSVFieldSpan, into scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        var i = f.start
        while i < f.end {
            let b = window[i]
            scratch.append(b)
            i += b == UInt8(ascii: "\"") ? 2 : 1
        }
    }
}

/// What the kinds pass learns of a CSV file: each column's kind, the header as it read
/// it, the line ends, the record starts it noted (`KindsScan.cuts`), and which file it read
/// (a file changed since is read again in one piece, as its cuts may no longer fall
/// between records).
struct CSVLayout {
    var kinds: [String: CSVKind]
    var header: [String]
    var crOnly: Bool
    var cuts: [Int]
    var identity: FileInput.Identity?
}

/// One pass of the kinds scan over records: the header (the first record), then each
/// record's kept cells into their columns' classes.
struct KindsScan {
    let crOnly: Bool
    private(set) var header: [String]?
    /// Indices of the kept columns.
    private var columns: [Int] = []
    private var seen: [CSVCellClass] = []
    private var spans: [CSVFieldSpan] = []
    private var scratch: [UInt8] = []

    /// Record starts, as file offsets, one at least `cutEvery` bytes past the one before
    /// (the first past the header); none when `cutEvery` is 0. A malformed record ends
    /// them, as it ends the pass.
    var cutEvery = 0
    private(set) var cuts: [Int] = []
    /// Where the scan of records began (past the header), which the first cut is measured from.
    private var cutFrom: Int?

    init(crOnly: Bool) { self.crOnly = crOnly }

    enum End: Equatable {
        /// The header was read (`headerOnly`).
        case header
        /// At the end of the file.
        case end
        /// At a malformed record, which ends the pass.
        case malformed
        /// At the first record that starts at or after `stopAt`: here (a file offset).
        case stopped(at: Int)
    }

    var kinds: [String: CSVKind] {
        guard let header else { return [:] }
        var out: [String: CSVKind] = [:]
        for k in columns { out[header[k]] = seen[k].kind }
        return out
    }

    mutating func clearSeen() { seen = Array(repeating: CSVCellClass(), count: seen.count) }

    /// Adds what a pass over later records saw.
    mutating func merge(_ other: KindsScan) {
        for k in columns { seen[k].merge(other.seen[k]) }
        cuts += other.cuts
    }

    /// Scans records from where `input` is. `fields` picks the columns when the header
    /// is read here.
    mutating func run(_ input: FileInput, fields: FieldSet?, headerOnly: Bool = false, stopAt: Int = .max) throws(FileError) -> End {
        let crOnly = self.crOnly
        if header != nil, cutFrom == nil { cutFrom = input.offset }
        while true {
            let window = input.bytes
            let eof = input.atEOF
            var pos = 0
            var needMore = false
            while true {
                if pos == window.count {
                    needMore = true
                    break
                }
                // Before the empty lines: the second half starts just after a line end.
                if input.offset + pos >= stopAt {
                    input.consume(pos)
                    return .stopped(at: input.offset)
                }
                let c = window[pos]
                if c == (crOnly ? 0x0D : 0x0A) || (!crOnly && c == 0x0D && (pos + 1 == window.count ? eof : window[pos + 1] == 0x0A)) {
                    pos += 1
                    continue
                }
                if !crOnly, c == 0x0D, pos + 1 == window.count {
                    needMore = true
                    break
                }
                let recordStart = input.offset + pos
                switch CSVScanner.scanRecord(window, from: pos, atEOF: eof, fields: &spans, crOnly: crOnly) {
                case .record(let next, _):
                    if cutEvery > 0, header != nil, recordStart >= (cuts.last ?? cutFrom ?? 0) + cutEvery {
                        cuts.append(recordStart)
                    }
                    if header == nil {
                        var names: [String] = []
                        for f in spans {
                            let name = f.hasDoubledQuotes
                                ? { CSVColumnKinds.unescape(window, f, into: &scratch); return String(decoding: scratch, as: UTF8.self) }()
                                : String(decoding: UnsafeBufferPointer(rebasing: window[f.start..<f.end]), as: UTF8.self)
                            names.append(name)
                        }
                        header = names
                        columns = names.indices.filter { fields?.contains(names[$0]) ?? true }
                        seen = Array(repeating: CSVCellClass(), count: names.count)
                        if headerOnly {
                            input.consume(next)
                            return .header
                        }
                    } else {
                        guard spans.count == header!.count else { return .malformed }
                        for k in columns {
                            let f = spans[k]
                            if f.hasDoubledQuotes {
                                CSVColumnKinds.unescape(window, f, into: &scratch)
                                scratch.withUnsafeBufferPointer { seen[k].add($0) }
                            } else {
                                seen[k].add(UnsafeBufferPointer(rebasing: window[f.start..<f.end]))
                            }
                        }
                    }
                    pos = next
                case .incomplete:
                    needMore = true
                case .unterminatedQuote, .textAfterQuote:
                    return .malformed
                }
                if needMore { break }
            }
            input.consume(pos)
            if try !input.refill() {
                if input.bytes.isEmpty { return .end }
                // read(2) says only now that the file has ended: the bytes left are its
                // last record, without a line end, which was left as incomplete. (Not
                // scanning it again made a column a number in every row but the last.)
                continue
            }
        }
    }
}

/// What the cells of one column have been so far.
struct CSVCellClass {
    var allNumbers = true
    var allBooleans = true
    var allDates = true
    var anyValue = false

    mutating func add(_ b: UnsafeBufferPointer<UInt8>) {
        guard b.count > 0 else { return }
        anyValue = true
        if allNumbers, CSVCell.number(b) == nil { allNumbers = false }
        if allBooleans, CSVCell.boolean(b) == nil { allBooleans = false }
        if allDates, !CSVCell.isDate(b) { allDates = false }
    }

    /// What this and a later stretch of the same column were together.
    mutating func merge(_ other: CSVCellClass) {
        allNumbers = allNumbers && other.allNumbers
        allBooleans = allBooleans && other.allBooleans
        allDates = allDates && other.allDates
        anyValue = anyValue || other.anyValue
    }

    var kind: CSVKind {
        if !anyValue { return .empty }
        if allNumbers { return .number }
        if allBooleans { return .boolean }
        if allDates { return .date }
        return .text
    }
}

/// Where one field's content lies in the window.
struct CSVFieldSpan {
    var start: Int
    var end: Int
    /// Quoted with `""` inside, so the bytes need unescaping.
    var hasDoubledQuotes: Bool
    /// Line breaks between the record's start and this field's start.
    var lineOffset: Int
}

/// A CSV decoded on a worker thread, ahead of the query that reads it: `cut` is the whole
/// decode (a record's end depends on every quote before it, so a CSV is read in order),
/// and the reader's thread only evaluates. The rows come in batches of `rowsPerChunk`;
/// an error comes after the rows read before it, with its line counted from the file's
/// start. (`@unchecked Sendable`: the decoder is only used under the chunks' lock.)
final class CSVChunks: ChunkFormat, @unchecked Sendable {
    static let rowsPerChunk = 2048
    let csv: CSVDecoder
    init(_ csv: CSVDecoder) { self.csv = csv }

    func cut(_ input: FileInput, chunkBytes: Int) throws(FileError) -> Chunk? { try CSVChunks.batch(csv) }

    /// The next `rowsPerChunk` rows `csv` decodes, with the error that ended them; nil at
    /// the end. An error before any row is thrown.
    static func batch(_ csv: CSVDecoder) throws(FileError) -> Chunk? {
        var rows: [JSONObject] = []
        rows.reserveCapacity(rowsPerChunk)
        csv.renewKeys()
        do {
            let more = try csv.read(max: rowsPerChunk, into: &rows)
            if rows.isEmpty && !more { return nil }
        } catch {
            if rows.isEmpty { throw error }
            return Chunk(rows: rows, error: error)
        }
        return Chunk(rows: rows, error: nil)
    }

    func parse(_ chunk: Chunk) -> ParsedChunk { ParsedChunk(rows: chunk.rows, lines: 0, error: chunk.error) }
}

/// A CSV decoded in pieces at once, cut at the record starts its kinds pass noted
/// (`CSVLayout.cuts`): a piece is the bytes from one cut to the next, read under the lock
/// and decoded on a worker with the header known (the first piece, from the file's
/// start, reads the header itself, and fails as the file would). Past the last cut, the
/// rest is decoded under the lock as `CSVChunks` does: that is a file's last megabyte or
/// so, or, where the pass stopped at a malformed record, whatever follows it, which is
/// then read in a bounded window as before. So is a piece longer than a record may be
/// (`CSVDecoder.maxRecordBytes`), for the same error.
/// (`@unchecked Sendable`: `cut`'s state is only touched under the chunks' lock.)
final class CSVCutChunks: ChunkFormat, @unchecked Sendable {
    let layout: CSVLayout
    let fields: FieldSet?
    let path: String
    private var nextCut = 0
    private var tail: CSVDecoder?

    init(layout: CSVLayout, fields: FieldSet?, path: String) {
        self.layout = layout
        self.fields = fields
        self.path = path
    }

    /// The columns and kinds, as a decoder of the file reads them.
    var columnKinds: [(String, CSVKind)] { layout.header.map { ($0, layout.kinds[$0] ?? .text) } }

    func cut(_ input: FileInput, chunkBytes: Int) throws(FileError) -> Chunk? {
        if tail == nil, nextCut < layout.cuts.count, layout.cuts[nextCut] - input.offset <= CSVDecoder.maxRecordBytes {
            let end = layout.cuts[nextCut]
            var bytes: [UInt8] = []
            bytes.reserveCapacity(end - input.offset)
            while input.offset < end {
                if input.bytes.isEmpty, try !input.refill() { break }
                let take = Swift.min(input.bytes.count, end - input.offset)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input.bytes[0..<take]))
                input.consume(take)
            }
            var chunk = Chunk(bytes: bytes)
            chunk.startsFile = nextCut == 0
            nextCut += 1
            return chunk
        }
        // The rest in a window, decoded here; lines are counted from its start.
        let csv: CSVDecoder
        if let tail {
            csv = tail
        } else {
            csv = nextCut == 0
                ? CSVDecoder(input: input, fields: fields, kinds: layout.kinds)
                : CSVDecoder(records: input, fields: fields, kinds: layout.kinds, header: layout.header, crOnly: layout.crOnly)
            tail = csv
        }
        return try CSVChunks.batch(csv)
    }

    func parse(_ chunk: Chunk) -> ParsedChunk {
        guard chunk.rows.isEmpty, chunk.error == nil else { return ParsedChunk(rows: chunk.rows, lines: 0, error: chunk.error) }
        let input = FileInput(bytes: chunk.bytes, path: path)
        let csv = chunk.startsFile
            ? CSVDecoder(input: input, fields: fields, kinds: layout.kinds)
            : CSVDecoder(records: input, fields: fields, kinds: layout.kinds, header: layout.header, crOnly: layout.crOnly)
        var rows: [JSONObject] = []
        do {
            _ = try csv.read(max: .max, into: &rows)
        } catch {
            return ParsedChunk(rows: rows, lines: 0, error: error)
        }
        return ParsedChunk(rows: rows, lines: csv.linesRead, error: nil)
    }
}

/// Finds the fields of one record in a window of bytes.
enum CSVScanner {
    enum Outcome: Equatable {
        /// A whole record; the next starts at `next`, and it held `newlines` line breaks
        /// (its ending included).
        case record(next: Int, newlines: Int)
        /// The window ends inside the record; `openQuoteLine` is the line offset of a
        /// quoted field still open, if any.
        case incomplete(openQuoteLine: Int?)
        case unterminatedQuote(lineOffset: Int)
        /// Text after a closing quote, in field `field` (0-based).
        case textAfterQuote(lineOffset: Int, field: Int)
    }

    /// `crOnly`: records end in a lone "\r" (old Mac Excel), not "\n" or "\r\n".
    /// The first comma or record end (`lf`) from `i`, or `b.count`: sixteen bytes a step
    /// (CByteScan), as a byte at a time was a third of reading a CSV file.
    @inline(__always) static func fieldEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int, lf: UInt8) -> Int {
        mq_find_either(b.baseAddress!, i, b.count, 0x2C, lf)
    }

    static func scanRecord(
        _ b: UnsafeBufferPointer<UInt8>, from: Int, atEOF eof: Bool, fields: inout [CSVFieldSpan], crOnly: Bool = false
    ) -> Outcome {
        // In CR-only mode the record end is "\r", and no "\r\n" pair needs handling: `cr`
        // is then a byte no CSV text holds where it is tested.
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        let lf: UInt8 = crOnly ? 0x0D : 0x0A, cr: UInt8 = crOnly ? 0xFF : 0x0D
        let n = b.count
        let base = b.baseAddress!
        fields.removeAll(keepingCapacity: true)
        var i = from
        var newlines = 0
        while true {
            if i < n, b[i] == quote {
                let openLine = newlines
                i += 1
                let start = i
                var doubled = false
                while true {
                    guard let q = memchr(base + i, Int32(quote), n - i) else {
                        return eof ? .unterminatedQuote(lineOffset: openLine) : .incomplete(openQuoteLine: openLine)
                    }
                    let qi = base.distance(to: q.assumingMemoryBound(to: UInt8.self))
                    newlines += mq_count_byte(base, i, qi, lf)
                    if qi + 1 < n, b[qi + 1] == quote {
                        doubled = true
                        i = qi + 2
                        continue
                    }
                    // A quote at the window's end may be the first of a doubled pair.
                    if qi + 1 == n, !eof { return .incomplete(openQuoteLine: openLine) }
                    fields.append(CSVFieldSpan(start: start, end: qi, hasDoubledQuotes: doubled, lineOffset: openLine))
                    i = qi + 1
                    break
                }
                if i == n { return eof ? .record(next: n, newlines: newlines) : .incomplete(openQuoteLine: nil) }
                switch b[i] {
                case comma:
                    i += 1
                    continue
                case lf:
                    return .record(next: i + 1, newlines: newlines + 1)
                case cr where i + 1 < n && b[i + 1] == lf:
                    return .record(next: i + 2, newlines: newlines + 1)
                case cr where i + 1 == n:
                    return eof ? .record(next: n, newlines: newlines) : .incomplete(openQuoteLine: nil)
                default:
                    return .textAfterQuote(lineOffset: newlines, field: fields.count - 1)
                }
            } else {
                let start = i
                i = fieldEnd(b, from: i, lf: lf)
                if i == n, !eof { return .incomplete(openQuoteLine: nil) }
                var end = i
                if end > start, b[end - 1] == cr { end -= 1 }  // the "\r" of "\r\n", or of a final line
                fields.append(CSVFieldSpan(start: start, end: end, hasDoubledQuotes: false, lineOffset: newlines))
                if i == n { return .record(next: n, newlines: newlines) }
                if b[i] == comma {
                    i += 1
                    continue
                }
                return .record(next: i + 1, newlines: newlines + 1)
            }
        }
    }
}

/// How a CSV cell becomes a JSON value: what a spreadsheet export means by it.
///
/// Quoted and unquoted cells are typed alike, since spreadsheets quote as they please.
/// - empty → null
/// - `true` / `false`, any case → bool
/// - an integer without a leading `+` or leading zeros that fits in 64 bits → int; so
///   phone numbers (`+14155550100`), zero-padded ids (`007`) and over-long ids stay strings
/// - a number with a fraction or exponent (JSON's grammar) → double
/// - anything else, ISO dates included, → string (the engine compares ISO strings as instants)
enum CSVCell {
    /// The value of one cell of a column of `kind`, or nil when its bytes are not valid
    /// UTF-8. An empty cell is null in every kind. A cell that does not fit its column's
    /// kind (the file changed between the two passes) is its text.
    static func value(_ b: UnsafeBufferPointer<UInt8>, as kind: CSVKind) -> JSON? {
        if b.count == 0 { return .null }
        switch kind {
        case .number: if let n = number(b) { return n }
        case .boolean: if let v = boolean(b) { return .bool(v) }
        case .text, .date, .empty: break
        }
        return validatedString(b).map(JSON.string)
    }

    static func boolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        let n = b.count
        if n == 4, b[0] | 0x20 == 0x74, b[1] | 0x20 == 0x72, b[2] | 0x20 == 0x75, b[3] | 0x20 == 0x65 { return true }
        if n == 5, b[0] | 0x20 == 0x66, b[1] | 0x20 == 0x61, b[2] | 0x20 == 0x6C, b[3] | 0x20 == 0x73, b[4] | 0x20 == 0x65 {
            return false
        }
        return nil
    }

    /// `2026-04-15` or an ISO-8601 date-time (`2026-04-15T10:30:00Z`): what the engine
    /// compares as an instant. A month alone (`2026-04`) is not taken for a date column.
    static func isDate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 10, b.count <= 40, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
        guard let (_, precision) = Instant.parseISO8601(bytes: b) else { return false }
        return precision == .day || precision == .dateTime
    }

    /// The value of one cell typed on its own, as before columns had kinds: the
    /// fuzz target and tests compare with it.
    static func value(_ b: UnsafeBufferPointer<UInt8>) -> JSON? {
        let n = b.count
        if n == 0 { return .null }
        switch b[0] {
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            if n == 4, b[0] | 0x20 == 0x74, b[1] | 0x20 == 0x72, b[2] | 0x20 == 0x75, b[3] | 0x20 == 0x65 {
                return .bool(true)
            }
            if n == 5, b[0] | 0x20 == 0x66, b[1] | 0x20 == 0x61, b[2] | 0x20 == 0x6C, b[3] | 0x20 == 0x73,
                b[4] | 0x20 == 0x65
            {
                return .bool(false)
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let number = number(b) { return number }
        default:
            break
        }
        return validatedString(b).map(JSON.string)
    }

    /// An int or double in JSON's number grammar, or nil.
    static func number(_ b: UnsafeBufferPointer<UInt8>) -> JSON? {
        func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
        let n = b.count
        var i = 0
        let negative = b[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let digitsStart = i
        guard i < n, isDigit(b[i]) else { return nil }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i < n, isDigit(b[i]) { return nil }  // "007": an id, not seven
        } else {
            while i < n, isDigit(b[i]) { i += 1 }
        }
        if i == n {
            var magnitude: UInt64 = 0
            for j in digitsStart..<n {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(b[j] - 0x30))
                if o1 || o2 { return nil }
                magnitude = s
            }
            if !negative { return magnitude <= UInt64(Int.max) ? .int(Int(magnitude)) : nil }
            if magnitude <= UInt64(Int.max) { return .int(-Int(magnitude)) }
            return magnitude == UInt64(Int.max) + 1 ? .int(Int.min) : nil
        }
        if b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, isDigit(b[i]) else { return nil }
            while i < n, isDigit(b[i]) { i += 1 }
        }
        if i < n, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < n, isDigit(b[i]) else { return nil }
            while i < n, isDigit(b[i]) { i += 1 }
        }
        guard i == n else { return nil }
        if let d = DecimalDouble.exact(b) { return .double(d) }
        guard let d = Double(String(decoding: b, as: UTF8.self)), d.isFinite else { return nil }
        return .double(d)
    }
}

extension FileError {
    static func fieldCount(_ path: String, line: Int, _ count: Int, header: Int) -> FileError {
        FileError(path: path, line: line, message: "\(count) field\(count == 1 ? "" : "s"), but the header has \(header)")
    }

    static func unterminatedQuote(_ path: String, line: Int, stillOpenAfter bytes: Int?) -> FileError {
        let why = bytes.map { " (still open \($0 >= 1 << 20 ? "\($0 >> 20) MiB" : "\($0) bytes") later)" } ?? ""
        return FileError(path: path, line: line, message: "a quoted field opens on this line and is never closed\(why)")
    }

    static func textAfterQuote(_ path: String, line: Int, field: Int) -> FileError {
        FileError(
            path: path, line: line,
            message: "text after the closing quote of field \(field); inside a quoted field a quote is written twice (\"\")")
    }

    static func invalidUTF8(_ path: String, line: Int, field: Int, name: String?) -> FileError {
        let what = name.map { "field \(field) (\($0))" } ?? "column \(field) of the header"
        return FileError(path: path, line: line, message: "\(what) is not valid UTF-8; save the file as UTF-8")
    }

    static func emptyColumnName(_ path: String, line: Int, column: Int) -> FileError {
        FileError(path: path, line: line, message: "column \(column) of the header has no name")
    }

    static func duplicateColumnName(_ path: String, line: Int, _ name: String, first: Int, again: Int) -> FileError {
        FileError(path: path, line: line, message: "columns \(first) and \(again) of the header are both named \"\(name)\"")
    }
}

/// The bytes as a String, or nil when they are not valid UTF-8.
///
/// Same answer as `String(validating:as:)`, which here costs a generic-metadata lookup per
/// call (it is not inlinable) and was a third of a CSV read. `String(decoding:)` is
/// specialised and replaces bad sequences with U+FFFD, so the bytes come back unchanged
/// exactly when there was nothing to replace.
func validatedString(_ b: UnsafeBufferPointer<UInt8>) -> String? {
    let s = String(decoding: b, as: UTF8.self)
    guard s.utf8.count == b.count else { return nil }
    var ascii = true
    for c in b where c >= 0x80 {
        ascii = false
        break
    }
    if ascii { return s }
    let same = s.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 }
    return (same ?? s.utf8.elementsEqual(b)) ? s : nil
}
