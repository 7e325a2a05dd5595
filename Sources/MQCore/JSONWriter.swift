/// Appends compact JSON to a byte buffer.
///
/// The writer does not track nesting: callers emit `beginObject`, `key`, values and
/// `endObject` in order, and the writer inserts the commas. Used both to serialise a
/// `JSON` value and to stream rows straight from structs without building one.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8]
    /// Whether the next value at the current level needs a comma before it.
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Starts a new top-level value after the bytes so far (no comma before it): the
    /// next line of NDJSON.
    public mutating func newValue() { needsComma = false }

    /// Empties the buffer, keeping its capacity, to write the next value.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    // MARK: structure

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the value written next belongs to it.
    public mutating func key(_ k: String) {
        separate()
        appendQuoted(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Splices already-serialised JSON (one complete value) in place.
    public mutating func raw(_ json: some Sequence<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    // MARK: scalars

    public mutating func null() { literal("null") }

    public mutating func bool(_ b: Bool) { literal(b ? "true" : "false") }

    public mutating func int(_ i: Int) {
        separate()
        // The digits straight into the buffer: String(i) made a string per number.
        var m = i.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var at = 20
            repeat {
                at -= 1
                digits[at] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            } while m > 0
            if i < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[at..<20]))
        }
        needsComma = true
    }

    /// Non-finite numbers have no JSON spelling and are written as null.
    public mutating func double(_ d: Double) {
        guard d.isFinite else { return null() }
        separate()
        appendASCII(d.description)
        needsComma = true
    }

    public mutating func string(_ s: String) {
        separate()
        appendQuoted(s)
        needsComma = true
    }

    public mutating func string(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    public mutating func int(_ i: Int?) {
        if let i { int(i) } else { null() }
    }

    public mutating func double(_ d: Double?) {
        if let d { double(d) } else { null() }
    }

    // MARK: values

    public mutating func value(_ v: JSON) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let a):
            beginArray()
            for e in a { value(e) }
            endArray()
        case .object(let o):
            beginObject()
            for (k, e) in zip(o.keys, o.values) {
                key(k)
                value(e)
            }
            endObject()
        }
    }

    // MARK: internals

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func literal(_ s: StaticString) {
        separate()
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        needsComma = true
    }

    private mutating func appendASCII(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ s: String) {
        var s = s
        s.withUTF8 { appendQuoted(utf8: $0) }
    }

    private mutating func appendQuoted(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: one word-at-a-time scan finds the first byte that
        // does, and the run before it is copied whole.
        let first = ByteScan.stringEnd(utf8, from: 0)
        var runStart = 0
        for i in first..<utf8.count {
            let c = utf8[i]
            guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
            runStart = i + 1
            bytes.append(UInt8(ascii: "\\"))
            switch c {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30])
                bytes.append(Self.hex[Int(c >> 4)])
                bytes.append(Self.hex[Int(c & 0xF)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: packed rows

    /// Writes the object packed at `at` (`PackedRows`' format) as `value(.object(...))`
    /// would write it unpacked, byte for byte, without making the object: a full sort's
    /// rows go from their packed bytes to NDJSON text. Moves `at` past it.
    public mutating func packedObject(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int, _ shapes: RowShapes) {
        let keys = shapes.keys(PackedRows.readVarint(b, &at))
        beginObject()
        for k in keys {
            key(k)
            packedValue(b, &at, shapes)
        }
        endObject()
    }

    private mutating func packedValue(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int, _ shapes: RowShapes) {
        let tag = b[at]
        at += 1
        switch tag {
        case PackedRows.Tag.null: null()
        case PackedRows.Tag.falseValue: bool(false)
        case PackedRows.Tag.trueValue: bool(true)
        case PackedRows.Tag.int: int(Int(Int64(bitPattern: PackedRows.readFixed(b, &at))))
        case PackedRows.Tag.double: double(Double(bitPattern: PackedRows.readFixed(b, &at)))
        case PackedRows.Tag.string:
            let n = PackedRows.readVarint(b, &at)
            separate()
            appendQuoted(utf8: UnsafeBufferPointer(rebasing: b[at..<(at + n)]))
            needsComma = true
            at += n
        case PackedRows.Tag.array:
            let n = PackedRows.readVarint(b, &at)
            beginArray()
            for _ in 0..<n { packedValue(b, &at, shapes) }
            endArray()
        default: packedObject(b, &at, shapes)
        }
    }
}
