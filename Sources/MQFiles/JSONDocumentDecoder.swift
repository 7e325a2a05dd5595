#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore

/// A JSON document: an array of objects (one row each) or a single object (one row).
///
/// An array is read as a stream, an element at a time, like NDJSON: each element's
/// extent is found by scanning (strings, escapes, nesting), then that slice is parsed, so
/// a 1 GB export needs memory for one batch of rows, not for the whole file. A single
/// object is parsed whole. Opening the file reports only whether it can be read.
final class JSONDocumentDecoder: RowDecoder {
    private let input: FileInput
    private var rows: [JSONObject]?
    private var index = 0

    private enum Mode { case unknown, array, whole, done }
    private var mode = Mode.unknown
    /// Elements read so far.
    private var element = 0
    /// After an element: a `,` or the closing `]` must come next.
    private var expectComma = false
    /// After a `,`: an element must come next (`[1,]` is not JSON).
    private var afterComma = false
    /// The 1-based line and column of the first unconsumed byte.
    private var line = 1
    private var column = 1
    private let fields: FieldSet?
    private let shape = RowShape()

    init(input: FileInput, fields: FieldSet? = nil) {
        self.input = input
        self.fields = fields
    }

    func read(max: Int, into out: inout [JSONObject]) throws(FileError) -> Bool {
        if mode == .unknown { try begin() }
        switch mode {
        case .done, .unknown: return false
        case .array: return try readElements(max: max, into: &out)
        case .whole: break
        }
        if rows == nil { rows = try parse() }
        let all = rows!
        let n = min(max - out.count, all.count - index)
        if n > 0 {
            if out.isEmpty && index == 0 && n == all.count { out = all } else { out += all[index..<index + n] }
            index += n
        }
        if index == all.count {
            rows = []  // let the rows go once handed out
            index = 0
            mode = .done
            return false
        }
        return true
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    /// Skips the byte-order mark and leading space; an array streams, anything else is
    /// parsed whole.
    private func begin() throws(FileError) {
        try input.skipByteOrderMark()
        while true {
            let w = input.bytes
            var pos = 0
            while pos < w.count, JSONDocumentDecoder.isSpace(w[pos]) { pos += 1 }
            consumeTracking(pos)
            if pos < w.count {
                if w[pos] == UInt8(ascii: "[") {
                    consumeTracking(1)
                    mode = .array
                } else {
                    mode = .whole
                }
                return
            }
            if try !input.refill() { throw .emptyJSON(input.path) }
        }
    }

    /// Consumes `n` bytes, keeping the line and column of what follows.
    private func consumeTracking(_ n: Int) {
        guard n > 0 else { return }
        let w = input.bytes
        var lastNewline = -1
        var i = 0
        while i < n, let nl = memchr(w.baseAddress! + i, 0x0A, n - i) {
            let at = w.baseAddress!.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            line += 1
            lastNewline = at
            i = at + 1
        }
        column = lastNewline >= 0 ? n - lastNewline : column + n
        input.consume(n)
    }

    private func readElements(max: Int, into out: inout [JSONObject]) throws(FileError) -> Bool {
        while out.count < max {
            guard let length = try nextElement() else { return false }
            out.append(try JSONDocumentDecoder.row(UnsafeBufferPointer(rebasing: input.bytes[0..<length]), at: position, fields: fields,
                                                   shape: shape, path: input.path))
            passElement(length)
        }
        return true
    }

    /// Where the next element starts: its line, column and index.
    var position: ElementPosition { ElementPosition(line: line, column: column, index: element) }

    /// Steps over space and the comma to the next element, which then starts the input's
    /// bytes: its length (to the end of the file when it is unfinished, so that the parser
    /// says what is missing, and where); nil after the closing `]` and the space after it.
    private func nextElement() throws(FileError) -> Int? {
        while true {
            let w = input.bytes
            var pos = 0
            while pos < w.count, JSONDocumentDecoder.isSpace(w[pos]) { pos += 1 }
            if pos == w.count {
                consumeTracking(pos)
                if try input.refill() { continue }
                throw error(expectComma ? "unexpected end of input, expected ',' or ']'" : "unexpected end of input, expected a value")
            }
            let c = w[pos]
            if expectComma {
                consumeTracking(pos)
                if c == UInt8(ascii: ",") {
                    consumeTracking(1)
                    expectComma = false
                    afterComma = true
                    continue
                }
                if c == UInt8(ascii: "]") {
                    consumeTracking(1)
                    _ = try end()
                    return nil
                }
                throw error("unexpected '\(Character(UnicodeScalar(c)))', expected ',' or ']'")
            }
            if c == UInt8(ascii: "]") {
                consumeTracking(pos)
                if afterComma { throw error("unexpected ']', expected a value") }
                consumeTracking(1)
                _ = try end()
                return nil
            }
            let length = JSONDocumentDecoder.extent(of: UnsafeBufferPointer(rebasing: w[pos...]))
            if length == nil, !input.atEOF {
                // The element goes on past the bytes read so far: read more, or learn that
                // the file ends inside it.
                consumeTracking(pos)
                _ = try input.refill()
                continue
            }
            consumeTracking(pos)
            return length ?? input.bytes.count
        }
    }

    private func passElement(_ length: Int) {
        consumeTracking(length)
        element += 1
        expectComma = true
        afterComma = false
    }

    /// An element as a row: parsed, and an object.
    static func row(_ slice: UnsafeBufferPointer<UInt8>, at p: ElementPosition, fields: FieldSet?, shape: RowShape,
                    path: String) throws(FileError) -> JSONObject {
        let value: JSON
        do {
            value = try JSONParser.parse(buffer: slice, keeping: fields, shape: shape)
        } catch {
            let at = textPosition(of: error.offset, in: slice)
            throw FileError(path: path, line: p.line + at.line - 1,
                            column: at.line == 1 ? p.column + at.column - 1 : at.column, message: error.message)
        }
        guard case .object(let object) = value else {
            throw .elementNotObject(path, index: p.index, value, line: p.line, column: p.column)
        }
        return object
    }

    /// For the parallel reader: whether the document is an array, whose elements it then
    /// cuts (`cutElements`). False too when it cannot tell (an empty file): the error is
    /// then the first read's.
    func streamsArray() -> Bool {
        if mode == .unknown { try? begin() }
        return mode == .array
    }

    /// The next elements, copied, up to about `bytes` of them; nil after the last.
    /// Errors between elements (a missing comma, text after the `]`) are thrown here, in
    /// their place after the elements before them.
    func cutElements(bytes limit: Int) throws(FileError) -> JSONChunk? {
        guard mode == .array else { return nil }
        var chunk = JSONChunk()
        while chunk.bytes.count < limit {
            let length: Int?
            do { length = try nextElement() } catch {
                // The elements before the error go first; the error on the next cut.
                if chunk.elements.isEmpty { throw error }
                pending = error
                return chunk
            }
            guard let length else { break }
            chunk.elements.append((chunk.bytes.count, chunk.bytes.count + length, position))
            chunk.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input.bytes[0..<length]))
            passElement(length)
        }
        return chunk.elements.isEmpty ? nil : chunk
    }

    /// An error found after the elements of the last cut, for the next.
    var pending: FileError?

    /// After the closing `]`: only space may follow.
    private func end() throws(FileError) -> Bool {
        while true {
            let w = input.bytes
            var pos = 0
            while pos < w.count, JSONDocumentDecoder.isSpace(w[pos]) { pos += 1 }
            consumeTracking(pos)
            if pos < w.count { throw error("unexpected text after the array's closing `]`") }
            if try !input.refill() { break }
        }
        mode = .done
        return false
    }

    private func error(_ message: String) -> FileError {
        FileError(path: input.path, line: line, column: column, message: message)
    }

    /// The length of the JSON value at the start of `b`, found by scanning strings,
    /// escapes and nesting (the parser checks the rest); nil when it runs past `b`'s end.
    static func extent(of b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = b.first else { return nil }
        if first != UInt8(ascii: "{") && first != UInt8(ascii: "[") {
            // A scalar: up to the next `,` `]` or space.
            var i = 0
            var inString = false
            while i < b.count {
                let c = b[i]
                if inString {
                    if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
                } else if c == UInt8(ascii: "\"") {
                    inString = true
                } else if c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || isSpace(c) {
                    return i
                }
                i += 1
            }
            return nil
        }
        var depth = 0
        var i = 0
        let n = b.count
        return b.withMemoryRebound(to: UInt8.self) { p -> Int? in
            while i < n {
                let c = p[i]
                switch c {
                case UInt8(ascii: "\""):
                    // To the closing quote by memchr: a quote after an odd run of
                    // backslashes is escaped (a byte loop here was most of the cut's time).
                    i += 1
                    while true {
                        guard i < n, let q = memchr(p.baseAddress! + i, 0x22, n - i) else { return nil }
                        let at = p.baseAddress!.distance(to: q.assumingMemoryBound(to: UInt8.self))
                        var slashes = 0
                        while at - slashes - 1 >= i, p[at - slashes - 1] == UInt8(ascii: "\\") { slashes += 1 }
                        i = at
                        if slashes % 2 == 0 { break }
                        i += 1
                    }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
            return nil
        }
    }

    private func parse() throws(FileError) -> [JSONObject] {
        let path = input.path
        try input.skipByteOrderMark()
        let bytes = try input.readAll()
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw .emptyJSON(path) }
        let document: JSON
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            let at = bytes.withUnsafeBufferPointer { textPosition(of: error.offset, in: $0) }
            throw FileError(path: path, line: at.line, column: at.column, message: error.message)
        }
        switch document {
        case .object(let object):
            return [keptFields(of: object)]
        case .array(let elements):
            var rows: [JSONObject] = []
            rows.reserveCapacity(elements.count)
            for (i, element) in elements.enumerated() {
                guard case .object(let object) = element else {
                    let at = JSONDocumentDecoder.offsetOfElement(i, in: bytes).map { offset in
                        bytes.withUnsafeBufferPointer { textPosition(of: offset, in: $0) }
                    }
                    throw .elementNotObject(path, index: i, element, line: at?.line, column: at?.column)
                }
                rows.append(keptFields(of: object))
            }
            return rows
        default:
            throw .documentNotRows(path, document)
        }
    }

    /// A row parsed whole, cut down to the fields kept (a single object, or an array
    /// that is not streamed because a byte-order mark follows leading space).
    private func keptFields(of object: JSONObject) -> JSONObject {
        guard let fields else { return object }
        var kept = JSONObject()
        for (k, v) in object where fields.contains(k) { kept.appendUnchecked(k, v) }
        return kept
    }

    /// Where element `target` of the top-level array starts, found by skipping over the
    /// (already validated) text: the parsed value keeps no positions.
    static func offsetOfElement(_ target: Int, in b: [UInt8]) -> Int? {
        var i = 0
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        while i < b.count, isSpace(b[i]) { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var depth = 0
        var element = 0
        var atElementStart = true
        while i < b.count {
            let c = b[i]
            if depth == 0, atElementStart, !isSpace(c) {
                if element == target { return i }
                atElementStart = false
            }
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 { return nil }
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 0 {
                    element += 1
                    atElementStart = true
                }
            default:
                break
            }
            i += 1
        }
        return nil
    }
}

/// An element's place in the file, for its errors.
struct ElementPosition: Sendable {
    var line: Int
    var column: Int
    var index: Int
}

/// Elements of an array, cut for the parallel reader: their bytes one after another.
struct JSONChunk: Sendable {
    var bytes: [UInt8] = []
    var elements: [(start: Int, end: Int, at: ElementPosition)] = []
}

/// A JSON array's elements parsed on worker threads: the decoder finds each element's
/// extent and checks the commas between them (in file order, under the lock), and the
/// workers parse the elements.
final class JSONArrayChunks: ChunkFormat, @unchecked Sendable {
    private let decoder: JSONDocumentDecoder
    let fields: FieldSet?
    let path: String
    init(_ decoder: JSONDocumentDecoder, fields: FieldSet?, path: String) {
        self.decoder = decoder
        self.fields = fields
        self.path = path
    }

    func cut(_ input: FileInput, chunkBytes: Int) throws(FileError) -> Chunk? {
        if let e = decoder.pending {
            decoder.pending = nil
            throw e
        }
        return try decoder.cutElements(bytes: chunkBytes).map { Chunk(bytes: [], json: $0) }
    }

    func parse(_ chunk: Chunk) -> ParsedChunk {
        var out = ParsedChunk(rows: [], lines: 0, error: nil)
        guard let json = chunk.json else { return out }
        let shape = RowShape()
        out.rows.reserveCapacity(json.elements.count)
        json.bytes.withUnsafeBufferPointer { all in
            for e in json.elements {
                do throws(FileError) {
                    out.rows.append(try JSONDocumentDecoder.row(UnsafeBufferPointer(rebasing: all[e.start..<e.end]), at: e.at,
                                                                fields: fields, shape: shape, path: path))
                } catch {
                    out.error = error
                    return
                }
            }
        }
        return out
    }
}

extension FileError {
    static func emptyJSON(_ path: String) -> FileError {
        FileError(path: path, message: "the file is empty; a .json file must hold an array of objects or one object")
    }

    static func elementNotObject(_ path: String, index: Int, _ value: JSON, line: Int?, column: Int?) -> FileError {
        FileError(path: path, line: line, column: column, message: "element \(index) is \(value.kindPhrase), not an object")
    }

    static func documentNotRows(_ path: String, _ value: JSON) -> FileError {
        FileError(path: path, line: nil, message: "the file holds \(value.kindPhrase); expected an array of objects or one object")
    }
}
