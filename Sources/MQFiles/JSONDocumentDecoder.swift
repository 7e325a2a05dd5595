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
                    return try end()
                }
                throw error("unexpected '\(Character(UnicodeScalar(c)))', expected ',' or ']'")
            }
            if c == UInt8(ascii: "]") {
                consumeTracking(pos)
                if afterComma { throw error("unexpected ']', expected a value") }
                consumeTracking(1)
                return try end()
            }
            let length = JSONDocumentDecoder.extent(of: UnsafeBufferPointer(rebasing: w[pos...]))
            if length == nil, !input.atEOF {
                // The element goes on past the bytes read so far: read more, or learn that
                // the file ends inside it (then it is parsed as it is, below).
                consumeTracking(pos)
                _ = try input.refill()
                continue
            }
            consumeTracking(pos)
            // At the end of the file an unfinished element is parsed as it is, so that the
            // parser says what is missing, and where.
            let slice = UnsafeBufferPointer(rebasing: input.bytes[0..<(length ?? input.bytes.count)])
            let value: JSON
            do {
                value = try JSONParser.parse(buffer: slice, keeping: fields, shape: shape)
            } catch {
                let at = textPosition(of: error.offset, in: slice)
                throw FileError(path: input.path, line: line + at.line - 1,
                                column: at.line == 1 ? column + at.column - 1 : at.column, message: error.message)
            }
            guard case .object(let object) = value else {
                throw .elementNotObject(input.path, index: element, value, line: line, column: column)
            }
            out.append(object)
            consumeTracking(slice.count)
            element += 1
            expectComma = true
            afterComma = false
        }
        return true
    }

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
                    i += 1
                    while i < n {
                        let d = p[i]
                        if d == UInt8(ascii: "\\") { i += 2; continue }
                        if d == UInt8(ascii: "\"") { break }
                        i += 1
                    }
                    if i >= n { return nil }
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
