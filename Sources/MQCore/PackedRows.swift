/// Rows held as bytes: what a blocking stage (a full sort) keeps while it waits for its
/// last row, and what it writes to a temporary file when memory runs out.
///
/// A `JSONObject` costs its two arrays, a 24-byte `JSON` per value and an allocation for
/// every string past 15 bytes; packed, a row is its values' bytes and a shape number, and
/// rows unpacked again share one keys array per shape, as the parser's do. (Measured as a
/// whole: a full sort of 1M customer rows peaked at 1.25 GB as objects, 534 MB packed.)
///
/// The format, one row after another: the row's shape (a varint into `shapes`), then
/// each value: a tag byte (0 null, 1 false, 2 true, 3 integer: 8 bytes, 4 double: 8
/// bytes, 5 string: varint length and UTF-8, 6 array: varint count and elements, 7
/// object: varint shape and values).
public struct PackedRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Where each row starts in `bytes`.
    public private(set) var starts: [Int] = []
    public private(set) var shapes = RowShapes()

    public init() {}

    public var count: Int { starts.count }
    public var isEmpty: Bool { starts.isEmpty }

    /// The bytes the rows take, with their index: what `--memory-limit` counts. (The
    /// buffers' spare capacity is not counted: `reserve` sets it beforehand, and
    /// `removeAll` keeps it for the next rows.)
    public var footprint: Int { bytes.count + starts.count * 8 + shapes.footprint }

    /// Room for `bytes` bytes of rows, so that the buffer does not double past a limit
    /// (a page is only taken once it is written).
    public mutating func reserve(bytes n: Int) {
        bytes.reserveCapacity(n)
        starts.reserveCapacity(n / 256)
    }

    public mutating func append(_ row: JSONObject) {
        starts.append(bytes.count)
        PackedRows.pack(row, into: &bytes, shapes: &shapes)
    }

    public func row(_ i: Int) -> JSONObject {
        bytes.withUnsafeBufferPointer { b in
            var at = starts[i]
            return PackedRows.unpackObject(b, &at, shapes)
        }
    }

    /// Row `i`'s packed bytes (its shape number and values).
    public func withRowBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let end = i + 1 < starts.count ? starts[i + 1] : bytes.count
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[starts[i]..<end])) }
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
    }

    // MARK: the format

    /// The tag byte before each value (the format above); read by `unpack` and by
    /// `JSONWriter.packedObject`, which writes packed rows as JSON.
    package enum Tag {
        package static let null: UInt8 = 0, falseValue: UInt8 = 1, trueValue: UInt8 = 2, int: UInt8 = 3, double: UInt8 = 4
        package static let string: UInt8 = 5, array: UInt8 = 6, object: UInt8 = 7
    }

    public static func pack(_ row: JSONObject, into out: inout [UInt8], shapes: inout RowShapes) {
        varint(shapes.id(of: row.keys), &out)
        for v in row.values { pack(v, into: &out, shapes: &shapes) }
    }

    package static func pack(_ v: JSON, into out: inout [UInt8], shapes: inout RowShapes) {
        switch v {
        case .null: out.append(Tag.null)
        case .bool(let b): out.append(b ? Tag.trueValue : Tag.falseValue)
        case .int(let n):
            out.append(Tag.int)
            fixed(UInt64(bitPattern: Int64(n)), &out)
        case .double(let d):
            out.append(Tag.double)
            fixed(d.bitPattern, &out)
        case .string(var s):
            out.append(Tag.string)
            s.withUTF8 { u in
                varint(u.count, &out)
                out.append(contentsOf: u)
            }
        case .array(let a):
            out.append(Tag.array)
            varint(a.count, &out)
            for e in a { pack(e, into: &out, shapes: &shapes) }
        case .object(let o):
            out.append(Tag.object)
            pack(o, into: &out, shapes: &shapes)
        }
    }

    public static func unpackObject(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int, _ shapes: RowShapes) -> JSONObject {
        let keys = shapes.keys(readVarint(b, &at))
        var values: [JSON] = []
        values.reserveCapacity(keys.count)
        for _ in 0..<keys.count { values.append(unpack(b, &at, shapes)) }
        return JSONObject(uncheckedKeys: keys, values: values)
    }

    package static func unpack(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int, _ shapes: RowShapes) -> JSON {
        let tag = b[at]
        at += 1
        switch tag {
        case Tag.null: return .null
        case Tag.falseValue: return .bool(false)
        case Tag.trueValue: return .bool(true)
        case Tag.int: return .int(Int(Int64(bitPattern: readFixed(b, &at))))
        case Tag.double: return .double(Double(bitPattern: readFixed(b, &at)))
        case Tag.string:
            let n = readVarint(b, &at)
            defer { at += n }
            return .string(String(decoding: UnsafeBufferPointer(rebasing: b[at..<(at + n)]), as: UTF8.self))
        case Tag.array:
            let n = readVarint(b, &at)
            var a: [JSON] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(unpack(b, &at, shapes)) }
            return .array(a)
        default: return .object(unpackObject(b, &at, shapes))
        }
    }

    package static func varint(_ n: Int, _ out: inout [UInt8]) {
        var v = UInt(n)
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    @inline(__always) package static func readVarint(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int) -> Int {
        var v: UInt = 0
        var shift: UInt = 0
        while true {
            let byte = b[at]
            at += 1
            v |= UInt(byte & 0x7F) << shift
            if byte < 0x80 { return Int(v) }
            shift += 7
        }
    }

    package static func fixed(_ v: UInt64, _ out: inout [UInt8]) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { out.append(contentsOf: $0) }
    }

    package static func readFixed(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int) -> UInt64 {
        defer { at += 8 }
        return UInt64(littleEndian: UnsafeRawPointer(b.baseAddress! + at).loadUnaligned(as: UInt64.self))
    }
}

/// The key lists of packed objects, each kept once and numbered. The last few numbered
/// are looked up first, by storage and then by their elements, before any hashing: a row
/// and the object inside it (a customer's `agent`) alternate, and the inner object's keys
/// are a new array every time, so a one-entry memo hashed both on every row (4.4 % of a
/// full sort).
public struct RowShapes: Sendable {
    private var lists: [[String]] = []
    private var numbers: [[String]: Int] = [:]
    /// Recently numbered key arrays, held so that their storage cannot be freed and
    /// reused while it is compared against; a list not among them replaces one in turn.
    private var recent: [(keys: [String], number: Int)] = []
    private var nextSlot = 0
    private static let recentSlots = 4
    public private(set) var footprint = 0

    public init() {}

    public mutating func id(of keys: [String]) -> Int {
        for slot in recent where RowShapes.sameStorage(keys, slot.keys) { return slot.number }
        for k in recent.indices where recent[k].keys == keys {
            // The same list in another array (the next chunk's rows): that array is
            // what comes next, so it takes this slot.
            recent[k].keys = keys
            return recent[k].number
        }
        let n: Int
        if let known = numbers[keys] {
            n = known
        } else {
            n = lists.count
            lists.append(keys)
            numbers[keys] = n
            footprint += keys.reduce(64) { $0 + 32 + $1.utf8.count }
        }
        remember(keys, n)
        return n
    }

    private mutating func remember(_ keys: [String], _ number: Int) {
        if recent.count < RowShapes.recentSlots {
            recent.append((keys, number))
        } else {
            recent[nextSlot] = (keys, number)
            nextSlot = (nextSlot + 1) % RowShapes.recentSlots
        }
    }

    public func keys(_ id: Int) -> [String] { lists[id] }

    private static func sameStorage(_ a: [String], _ b: [String]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress && x.count == y.count } }
    }
}
