#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CByteScan

/// A malformed JSON document: what was wrong and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Byte offset of the problem in the input.
    public var offset: Int
    /// 1-based line and column (in bytes) of the problem.
    public var line: Int
    public var column: Int

    public var description: String { "\(message) at line \(line), column \(column)" }
}

/// A strict RFC 8259 parser straight from UTF-8 bytes.
///
/// Foundation's JSONSerialization is ~10x slower on this platform (platform-notes.md), so
/// rows are decoded here. Strict means: no trailing commas, no NaN, no leading zeros,
/// valid UTF-8, no lone surrogates, nesting bounded, numbers that fit a Double. A
/// duplicate key keeps its first position and its last value, as JavaScript does.
public struct JSONParser {
    /// Deeper documents are refused rather than risking the stack.
    public static let defaultMaxDepth = 512

    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError)
        -> JSON
    {
        let contiguous: [UInt8] = (bytes as? [UInt8]) ?? Array(bytes)
        var result: Result<JSON, JSONParseError> = .success(.null)
        contiguous.withUnsafeBufferPointer { buf in
            var p = Cursor(buf: buf, maxDepth: maxDepth)
            do throws(JSONParseError) {
                p.skipWhitespace()
                let v = try p.parseValue(depth: 0)
                p.skipWhitespace()
                if p.i != buf.count { throw p.error("unexpected data after the JSON value") }
                result = .success(v)
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses bytes in place. With `keeping`, a top-level object keeps only those members:
    /// the others are checked as strictly as ever (the same errors at the same offsets)
    /// but never become values, which is most of the cost of a wide row. Any other
    /// top-level value is parsed whole.
    ///
    /// With `shape`, a top-level object is built along the keys of the object parsed
    /// before it with the same shape: rows of one file mostly share their keys, and then
    /// they share one array of them, so a row costs no key Strings and no keys array.
    public static func parse(buffer: UnsafeBufferPointer<UInt8>, keeping: FieldSet? = nil, shape: RowShape? = nil,
                             maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSON
    {
        var p = Cursor(buf: buffer, maxDepth: maxDepth)
        p.shape = shape
        p.skipWhitespace()
        let v: JSON
        if shape != nil || keeping != nil, p.i < buffer.count, buffer[p.i] == UInt8(ascii: "{") {
            v = try p.parseRow(keeping: keeping)
        } else {
            v = try p.parseValue(depth: 0)
        }
        p.skipWhitespace()
        if p.i != buffer.count { throw p.error("unexpected data after the JSON value") }
        return v
    }
}

/// The member names a reader keeps (`JSONParser.parse(buffer:keeping:)`), held as bytes
/// so that a key is matched without becoming a String.
public struct FieldSet: Sendable, Equatable {
    public let names: Set<String>
    let bytes: [[UInt8]]

    public init(_ names: Set<String>) {
        self.names = names
        bytes = names.sorted().map { Array($0.utf8) }
    }

    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// Whether these bytes (a key without escapes) spell a kept name.
    func match(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes where b.count == key.count {
            if b.withUnsafeBufferPointer({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) { return true }
        }
        return false
    }
}

/// The keys of the last top-level object a reader built (`JSONParser.parse(buffer:shape:)`),
/// as Strings to share and as bytes to match a key against without making a String. One
/// per reader (or per chunk a worker parses): it is not safe to share between threads.
public final class RowShape {
    fileprivate var keys: [String] = []
    fileprivate var bytes: [[UInt8]] = []
    /// Rows in a row that left the shape with fewer keys than it has.
    fileprivate var misses = 0

    public init() {}

    fileprivate func remember(_ newKeys: [String]) {
        // A row with fewer keys than the shape (a field left out) does not replace it at
        // once, or rows that alternate would rebuild it every time.
        misses += 1
        guard newKeys.count >= keys.count || misses > 16 else { return }
        keys = newKeys
        bytes = newKeys.map { Array($0.utf8) }
        misses = 0
    }
}

/// A top-level object's members as they are parsed: along the shape's keys while they
/// match, in order, and on its own keys from the first one that does not. A duplicate
/// key keeps its first position and its last value, as in `parseObject`.
private struct ObjectBuilder {
    let shape: RowShape?
    /// Nil while the members follow the shape.
    private var keys: [String]?
    private var values: [JSON] = []
    private var matched = 0
    private var seen: Set<String>?

    init(shape: RowShape?) {
        self.shape = shape
        if let shape {
            values.reserveCapacity(shape.keys.count)
        } else {
            keys = []
        }
    }

    /// Whether the key (raw bytes, without escapes) is the shape's next one: then its
    /// value goes in with `appendFollowing`.
    func follows(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        guard keys == nil, let shape, matched < shape.bytes.count else { return false }
        let k = shape.bytes[matched]
        guard k.count == raw.count else { return false }
        return raw.count == 0 || k.withUnsafeBufferPointer { memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
    }

    mutating func appendFollowing(_ v: JSON) {
        values.append(v)
        matched += 1
    }

    mutating func append(_ key: String, _ v: JSON) {
        if keys == nil { keys = Array(shape!.keys[0..<matched]) }
        // Duplicate keys are rare; check cheaply while small, with a set once large.
        if keys!.count < 16 {
            if let j = keys!.firstIndex(of: key) { values[j] = v } else {
                keys!.append(key)
                values.append(v)
            }
        } else {
            if seen == nil { seen = Set(keys!) }
            if seen!.insert(key).inserted {
                keys!.append(key)
                values.append(v)
            } else {
                values[keys!.firstIndex(of: key)!] = v
            }
        }
    }

    func finish() -> JSONObject {
        guard let shape else { return JSONObject(uncheckedKeys: keys ?? [], values: values) }
        if keys == nil, matched == shape.keys.count { return JSONObject(uncheckedKeys: shape.keys, values: values) }
        let own = keys ?? Array(shape.keys[0..<matched])
        shape.remember(own)
        return JSONObject(uncheckedKeys: own, values: values)
    }
}

private struct Cursor {
    let buf: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var i = 0
    /// Applies to the top-level object only (depth 1).
    var shape: RowShape?

    init(buf: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buf = buf
        self.maxDepth = maxDepth
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let at = min(offset ?? i, buf.count)
        var line = 1
        var lineStart = 0
        for j in 0..<at where buf[j] == 0x0A {
            line += 1
            lineStart = j + 1
        }
        return JSONParseError(message: message, offset: at, line: line, column: at - lineStart + 1)
    }

    mutating func skipWhitespace() {
        while i < buf.count {
            switch buf[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    func describeByte(at j: Int) -> String {
        guard j < buf.count else { return "end of input" }
        let b = buf[j]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16))"
    }

    /// After a member or an element: true at `close` (consumed), false after a `,`.
    mutating func closes(_ close: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        let expected = close == UInt8(ascii: "}") ? "',' or '}'" : "',' or ']'"
        guard i < buf.count else { throw error("unexpected end of input, expected \(expected)") }
        if buf[i] == UInt8(ascii: ",") {
            i += 1
            return false
        }
        if buf[i] == close {
            i += 1
            return true
        }
        throw error("unexpected \(describeByte(at: i)), expected \(expected)")
    }

    /// The `:` after a key, with the space around it.
    mutating func colon() throws(JSONParseError) {
        skipWhitespace()
        guard i < buf.count, buf[i] == UInt8(ascii: ":") else {
            throw error("unexpected \(describeByte(at: i)), expected ':' after a key")
        }
        i += 1
        skipWhitespace()
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSON {
        guard i < buf.count else { throw error("unexpected end of input, expected a value") }
        switch buf[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(describeByte(at: i)), expected a value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        let start = i
        var ok = i + n <= buf.count
        if ok {
            let p = word.utf8Start
            for k in 0..<n where buf[i + k] != p[k] {
                ok = false
                break
            }
        }
        guard ok else { throw error("invalid literal, expected '\(word)'", at: start) }
        i += n
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSON {
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels") }
        i += 1
        var obj = JSONObject()
        var seen: Set<String>? = nil
        skipWhitespace()
        if i < buf.count && buf[i] == UInt8(ascii: "}") {
            i += 1
            return .object(obj)
        }
        while true {
            skipWhitespace()
            guard i < buf.count, buf[i] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeByte(at: i)), expected a string key")
            }
            let key = try parseString()
            try colon()
            let value = try parseValue(depth: depth)
            // Duplicate keys are rare; check cheaply while small, with a set once large.
            if obj.count < 16 {
                if obj.keys.contains(key) { obj[key] = value } else { obj.appendUnchecked(key, value) }
            } else {
                if seen == nil { seen = Set(obj.keys) }
                if seen!.insert(key).inserted { obj.appendUnchecked(key, value) } else { obj[key] = value }
            }
            if try closes(UInt8(ascii: "}")) { return .object(obj) }
        }
    }

    /// The top-level object, along `shape` when there is one (`ObjectBuilder`), keeping
    /// only `keeping`'s members when given: the others are skipped but checked, with the
    /// same errors at the same offsets as `parseObject`.
    mutating func parseRow(keeping: FieldSet?) throws(JSONParseError) -> JSON {
        let depth = 1
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels") }
        i += 1
        var row = ObjectBuilder(shape: shape)
        skipWhitespace()
        if i < buf.count && buf[i] == UInt8(ascii: "}") {
            i += 1
            return .object(row.finish())
        }
        while true {
            skipWhitespace()
            guard i < buf.count, buf[i] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeByte(at: i)), expected a string key")
            }
            let open = i
            let (j, ascii) = ByteScan.stringRun(buf, from: i + 1)
            if j < buf.count, buf[j] == UInt8(ascii: "\"") {
                // A key without escapes is matched as bytes, against the shape, then the set.
                let raw = UnsafeBufferPointer(rebasing: buf[(open + 1)..<j])
                guard ascii || UTF8Check.isValid(raw) else { throw error("invalid UTF-8 in a string", at: open + 1) }
                i = j + 1
                try colon()
                if row.follows(raw) {
                    row.appendFollowing(try parseValue(depth: depth))
                } else if keeping?.match(raw) ?? true {
                    let key = String(decoding: raw, as: UTF8.self)
                    row.append(key, try parseValue(depth: depth))
                } else {
                    try skipValue(depth: depth)
                }
            } else {
                let key = try parseString()
                try colon()
                if keeping?.contains(key) ?? true { row.append(key, try parseValue(depth: depth)) } else { try skipValue(depth: depth) }
            }
            if try closes(UInt8(ascii: "}")) { return .object(row.finish()) }
        }
    }

    /// Passes over a value with every check `parseValue` makes, building nothing.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard i < buf.count else { throw error("unexpected end of input, expected a value") }
        switch buf[i] {
        case UInt8(ascii: "{"):
            if depth + 1 > maxDepth { throw error("nesting deeper than \(maxDepth) levels") }
            i += 1
            skipWhitespace()
            if i < buf.count && buf[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                skipWhitespace()
                guard i < buf.count, buf[i] == UInt8(ascii: "\"") else {
                    throw error("unexpected \(describeByte(at: i)), expected a string key")
                }
                try skipString()
                try colon()
                try skipValue(depth: depth + 1)
                if try closes(UInt8(ascii: "}")) { return }
            }
        case UInt8(ascii: "["):
            if depth + 1 > maxDepth { throw error("nesting deeper than \(maxDepth) levels") }
            i += 1
            skipWhitespace()
            if i < buf.count && buf[i] == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                if try closes(UInt8(ascii: "]")) { return }
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("unexpected \(describeByte(at: i)), expected a value")
        }
    }

    /// A string checked as `parseString` checks it; only one with escapes is decoded.
    mutating func skipString() throws(JSONParseError) {
        let open = i
        let (j, ascii) = ByteScan.stringRun(buf, from: i + 1)
        if j < buf.count, buf[j] == UInt8(ascii: "\"") {
            let raw = UnsafeBufferPointer(rebasing: buf[(open + 1)..<j])
            guard ascii || UTF8Check.isValid(raw) else { throw error("invalid UTF-8 in a string", at: open + 1) }
            i = j + 1
            return
        }
        _ = try parseString()
    }

    /// A number checked as `parseNumber` checks it. Only one that might overflow a Double
    /// (an exponent, or hundreds of digits) is converted.
    mutating func skipNumber() throws(JSONParseError) {
        let (start, _, exponent) = try scanNumber()
        if exponent || i - start > 300 {
            let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
            guard let d = Double(text), d.isFinite else {
                throw error("number \(text.prefix(40)) is out of range", at: start)
            }
        }
    }

    /// Moves past a number in JSON's grammar (no leading zeros, digits after `.` and in an
    /// exponent): where it started, whether it is an integer, whether it has an exponent.
    mutating func scanNumber() throws(JSONParseError) -> (start: Int, isInteger: Bool, exponent: Bool) {
        let start = i
        var isInteger = true
        var exponent = false
        if buf[i] == UInt8(ascii: "-") { i += 1 }
        guard i < buf.count, isDigit(buf[i]) else { throw error("invalid number: expected a digit", at: i) }
        if buf[i] == UInt8(ascii: "0") {
            i += 1
            if i < buf.count, isDigit(buf[i]) { throw error("invalid number: leading zero", at: start) }
        } else {
            while i < buf.count, isDigit(buf[i]) { i += 1 }
        }
        if i < buf.count, buf[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < buf.count, isDigit(buf[i]) else { throw error("invalid number: expected a digit after '.'") }
            while i < buf.count, isDigit(buf[i]) { i += 1 }
        }
        if i < buf.count, buf[i] == UInt8(ascii: "e") || buf[i] == UInt8(ascii: "E") {
            isInteger = false
            exponent = true
            i += 1
            if i < buf.count, buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-") { i += 1 }
            guard i < buf.count, isDigit(buf[i]) else { throw error("invalid number: expected a digit in the exponent") }
            while i < buf.count, isDigit(buf[i]) { i += 1 }
        }
        return (start, isInteger, exponent)
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSON {
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels") }
        i += 1
        var arr: [JSON] = []
        skipWhitespace()
        if i < buf.count && buf[i] == UInt8(ascii: "]") {
            i += 1
            return .array(arr)
        }
        while true {
            skipWhitespace()
            arr.append(try parseValue(depth: depth))
            if try closes(UInt8(ascii: "]")) { return .array(arr) }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let (start, isInteger, _) = try scanNumber()
        // Most numbers in rows are short integers: read them straight from the bytes.
        if isInteger, i - start <= 18 {
            var n = 0
            var k = buf[start] == UInt8(ascii: "-") ? start + 1 : start
            while k < i {
                n = n &* 10 &+ Int(buf[k] &- 0x30)
                k += 1
            }
            return .int(buf[start] == UInt8(ascii: "-") ? -n : n)
        }
        if !isInteger, let d = DecimalDouble.exact(UnsafeBufferPointer(rebasing: buf[start..<i])) { return .double(d) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
        if isInteger, let n = Int(text) { return .int(n) }
        guard let d = Double(text), d.isFinite else {
            throw error("number \(text.prefix(40)) is out of range", at: start)
        }
        return .double(d)
    }

    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    mutating func parseString() throws(JSONParseError) -> String {
        let open = i
        i += 1
        // Fast path: no escapes. Scan to the closing quote, then validate UTF-8 once.
        let start = i
        let ascii: Bool
        (i, ascii) = ByteScan.stringRun(buf, from: i)
        guard i < buf.count else { throw error("unterminated string", at: open) }
        if buf[i] == UInt8(ascii: "\"") {
            let run = UnsafeBufferPointer(rebasing: buf[start..<i])
            let s = ascii ? String(decoding: run, as: UTF8.self) : try makeString(run, at: start)
            i += 1
            return s
        }
        if buf[i] < 0x20 { throw error("control character in a string; it must be escaped") }
        // Slow path: escapes present.
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: buf[start..<i]))
        while i < buf.count {
            let b = buf[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return try makeString(out, at: start)
            }
            if b < 0x20 { throw error("control character in a string; it must be escaped") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < buf.count else { break }
            let e = buf[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < buf.count, buf[i] == UInt8(ascii: "\\"), buf[i + 1] == UInt8(ascii: "u") else {
                        throw error("lone high surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("lone low surrogate in \\u escape")
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: i - 2)
            }
        }
        throw error("unterminated string", at: open)
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= buf.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = buf[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// Validates, then decodes. `String(validating:)` does a slow type lookup on every call
    /// here (about a third of an NDJSON read, profiled); this checks the bytes directly.
    func makeString(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) throws(JSONParseError) -> String {
        guard UTF8Check.isValid(bytes) else { throw error("invalid UTF-8 in a string", at: offset) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func makeString(_ bytes: [UInt8], at offset: Int) throws(JSONParseError) -> String {
        let valid = bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) }
        guard valid else { throw error("invalid UTF-8 in a string", at: offset) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// UTF-8 well-formedness (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
public enum UTF8Check {
    public static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        guard let base = b.baseAddress else { return true }
        var i = 0
        while i < n {
            // ASCII runs sixteen bytes a step (CByteScan).
            i = mq_ascii_run(base, i, n)
            guard i < n else { break }
            let c = b[i]
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            // The lead byte is at i; its continuation bytes at i+1 ... i+need.
            guard i + need < n else { return false }
            guard b[i + 1] >= lo && b[i + 1] <= hi else { return false }
            var k = 2
            while k <= need {
                guard b[i + k] >= 0x80 && b[i + k] <= 0xBF else { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }
}

/// Scans over bytes, sixteen a step where the machine has SSE2 (CByteScan, as in
/// simdjson's string kernel).
enum ByteScan {
    /// The index of the first byte from `start` that ends a string's plain run: `"`, `\`
    /// or a control character (below 0x20); `buf.count` if there is none.
    @inline(__always) static func stringEnd(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        stringRun(buf, from: start).end
    }

    /// `stringEnd`, and whether every byte before it is ASCII (so the run is valid UTF-8
    /// without a second look).
    @inline(__always) static func stringRun(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, ascii: Bool) {
        guard let base = buf.baseAddress, start < buf.count else { return (max(start, buf.count), true) }
        var high: Int32 = 0
        let end = mq_string_run(base, start, buf.count, &high)
        return (end, high == 0)
    }
}
