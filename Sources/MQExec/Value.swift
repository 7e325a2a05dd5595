#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore

/// A value during evaluation: JSON's kinds plus an instant, which date literals, `today`
/// and date functions produce. Rows stay JSON; a date-time in a row is an ISO-8601 string
/// and becomes an instant only when compared with one.
public enum Value: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case date(Instant)
    case array([JSON])
    case object(JSONObject)

    public init(_ j: JSON) {
        switch j {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let n): self = .int(n)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a)
        case .object(let o): self = .object(o)
        }
    }

    public var json: JSON {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .double(let d): return d.isFinite ? .double(d) : .null
        case .string(let s): return .string(s)
        case .date(let i): return .string(i.iso8601)
        case .array(let a): return .array(a)
        case .object(let o): return .object(o)
        }
    }

    var number: Double? {
        switch self {
        case .int(let n): return Double(n)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The instant of a date, or of a string holding an ISO-8601 date or date-time.
    var instant: Instant? {
        switch self {
        case .date(let i): return i
        case .string(let s): return Instant.parseISO8601(s)?.instant
        default: return nil
        }
    }

    /// The instant of a date, or of a string that spells a month, a day or a date-time
    /// (a bare year such as "2026" is too likely a number in a string to count).
    var dateForArithmetic: Instant? {
        switch self {
        case .date(let i): return i
        case .string(let s):
            guard let (i, precision) = Instant.parseISO8601(s), precision != .year else { return nil }
            return i
        default: return nil
        }
    }

    var isNull: Bool { self == .null }

    /// Truth for `where`: false and null are false; anything else is true.
    var truthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        default: return true
        }
    }

    /// The text of a value where text is needed (`~`, `lower`, keys).
    var text: String {
        switch self {
        case .string(let s): return s
        case .date(let i): return i.iso8601
        default: return json.jsonText
        }
    }
}

/// A value as `=` sees it, for hashing: group keys, `distinct`, `distinct()`, `top`,
/// join keys and `in`. Numbers are keyed by value (an integral double is the int it
/// equals, so `10` and `10.0` meet, and so do `0` and `-0.0`), text by its exact content,
/// and kinds never mix (`1`, `"1"` and `true` are three keys). A date is keyed by its
/// ISO-8601 spelling, which is how it prints.
enum KeyValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(ExactText)
    case array([KeyValue])
    case object([ExactText: KeyValue])

    init(_ v: Value) {
        switch v {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let n): self = .int(n)
        case .double(let d): self = KeyValue.number(d)
        case .string(let s): self = .string(ExactText(s))
        case .date(let i): self = .string(ExactText(i.iso8601))
        case .array(let a): self = .array(a.map(KeyValue.init))
        case .object(let o): self = .object(KeyValue.members(o))
        }
    }

    init(_ j: JSON) {
        switch j {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let n): self = .int(n)
        case .double(let d): self = KeyValue.number(d)
        case .string(let s): self = .string(ExactText(s))
        case .array(let a): self = .array(a.map(KeyValue.init))
        case .object(let o): self = .object(KeyValue.members(o))
        }
    }

    static func members(_ o: JSONObject) -> [ExactText: KeyValue] {
        var m: [ExactText: KeyValue] = [:]
        for (k, v) in o { m[ExactText(k)] = KeyValue(v) }
        return m
    }

    /// An integral double within Int's range is keyed as that Int (`-0.0` as 0).
    static func number(_ d: Double) -> KeyValue {
        if d == d.rounded(.towardZero), d >= -9.223372036854775808e18, d < 9.223372036854775808e18 { return .int(Int(d)) }
        return .double(d)
    }
}

/// Text compared and hashed by its exact content, code point by code point. Swift's
/// String equality is canonical equivalence, so `é` (U+00E9) and `e` + U+0301 were one
/// group, one join key and equal under `=`, while SQL and language.md v2 keep them apart.
struct ExactText: Hashable, Sendable {
    let string: String
    init(_ s: String) { string = s }
    static func == (a: ExactText, b: ExactText) -> Bool { Text.equal(a.string, b.string) }
    func hash(into h: inout Hasher) {
        var s = string
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Text by its bytes: UTF-8's byte order is code-point order.
enum Text {
    static func equal(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var x = a, y = b
        return x.withUTF8 { p in
            y.withUTF8 { q in p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0 }
        }
    }

    static func order(_ a: String, _ b: String) -> Int {
        var x = a, y = b
        return x.withUTF8 { p in
            y.withUTF8 { q in
                let n = min(p.count, q.count)
                let c = n == 0 ? 0 : memcmp(p.baseAddress!, q.baseAddress!, n)
                if c != 0 { return c < 0 ? -1 : 1 }
                return p.count == q.count ? 0 : (p.count < q.count ? -1 : 1)
            }
        }
    }

    /// Whether `needle`'s bytes occur in `haystack`'s (the empty text occurs in any):
    /// by code point, so `cafe\u{301}` contains `e`, which by Character it does not.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var h = haystack, n = needle
        return h.withUTF8 { hp in
            n.withUTF8 { np in
                if np.count == 0 { return true }
                if np.count > hp.count { return false }
                // memchr for the first byte, memcmp for the rest (memmem is a GNU extension
                // Glibc's module does not export).
                let first = Int32(np[0])
                var i = 0
                let last = hp.count - np.count
                while i <= last {
                    guard let p = memchr(hp.baseAddress! + i, first, last - i + 1) else { return false }
                    let at = UnsafeRawPointer(p) - UnsafeRawPointer(hp.baseAddress!)
                    if memcmp(hp.baseAddress! + at, np.baseAddress!, np.count) == 0 { return true }
                    i = at + 1
                }
                return false
            }
        }
    }
}

/// The comparison rules, in one place (the README states them).
enum Compare {
    /// `=`: null equals only null; numbers by value (1 = 1.0, exactly: 2^53 + 1 is not
    /// 2^53); a date and a string by instant when the string is a date; other mixed kinds
    /// are never equal. Arrays and objects are equal member by member under the same rule.
    /// Grouping, `distinct` and joins use the same rule through `KeyValue`.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.int(let x), .int(let y)): return x == y
        case (.string(let x), .string(let y)): return Text.equal(x, y)
        case (.date, _), (_, .date):
            guard let x = a.instant, let y = b.instant else { return false }
            return x == y
        default:
            return KeyValue(a) == KeyValue(b)
        }
    }

    /// `<` `<=` `>` `>=`: nil when the two cannot be ordered (a null, or mixed kinds), which
    /// makes the comparison false.
    static func order(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.date, _), (_, .date):
            guard let x = a.instant, let y = b.instant else { return nil }
            return x < y ? -1 : x == y ? 0 : 1
        case (.string(let x), .string(let y)):
            return Text.order(x, y)
        case (.bool(let x), .bool(let y)):
            return x == y ? 0 : (!x ? -1 : 1)
        case (.int(let x), .int(let y)):
            return x < y ? -1 : x == y ? 0 : 1
        default:
            guard let x = a.number, let y = b.number else { return nil }
            return x < y ? -1 : x == y ? 0 : 1
        }
    }

    /// A total order for `sort`: nulls last, then by kind (booleans, numbers, strings and
    /// dates, arrays, objects), then by value within a kind.
    static func sortOrder(_ a: Value, _ b: Value) -> Int {
        func rank(_ v: Value) -> Int {
            switch v {
            case .bool: return 0
            case .int, .double: return 1
            case .string, .date: return 2
            case .array: return 3
            case .object: return 4
            case .null: return 5
            }
        }
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb ? -1 : 1 }
        if let o = order(a, b) { return o }
        return Text.order(a.text, b.text)
    }
}
