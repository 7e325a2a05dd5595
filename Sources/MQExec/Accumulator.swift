import MQCore

/// One aggregate's running state, fed a group's non-null values one at a time: count,
/// count_if, sum, avg, min, max, first and last hold a few words, distinct a set of keys,
/// median and percentile the numbers they must rank. `summarize`, `count by`, the window
/// aggregates and `pivot` all fold through it, so each aggregate has one implementation
/// and a group costs its accumulators, not its rows (sum over a million rows kept every
/// value before).
struct Accumulator {
    /// The aggregates of `FunctionSpec.all`, by name; a test checks the two lists agree.
    enum Kind: String, CaseIterable {
        case count, count_if, sum, avg, min, max, median, percentile, distinct, first, last
    }

    let kind: Kind
    /// Values added (count(x)), or those that held (count_if).
    private var n = 0
    private var numbers = NumberFold()
    /// min, max, first, last: the value chosen so far.
    private var chosen: Value?
    private var seen: Set<KeyValue> = []
    /// median, percentile: the numbers, and the values as 0/1 should all be booleans.
    private var ranked: [Double] = []
    private var bits: [Double] = []

    init(_ kind: Kind) { self.kind = kind }

    /// Adds one non-null value; returns the bytes it kept (a new entry of distinct's set,
    /// a number median and percentile rank, with its share of the array's growth), which
    /// a spilling fold counts.
    @discardableResult
    mutating func add(_ v: Value) -> Int {
        switch kind {
        case .count: n += 1
        case .count_if: if v.truthy { n += 1 }
        case .sum, .avg: numbers.add(v)
        case .min: if chosen.map({ Compare.sortOrder(v, $0) < 0 }) ?? true { chosen = v }
        case .max: if chosen.map({ Compare.sortOrder($0, v) < 0 }) ?? true { chosen = v }
        case .first: if chosen == nil { chosen = v }
        case .last: chosen = v
        case .distinct: return seen.insert(KeyValue(v)).inserted ? 48 : 0
        case .median, .percentile:
            numbers.add(v)
            switch v {
            case .bool(let b): bits.append(b ? 1 : 0)
            case .int(let i): ranked.append(Double(i))
            case .double(let d): ranked.append(d)
            default: return 0
            }
            return 16
        }
        return 0
    }

    /// The aggregate of what was added. `extra`: the constant arguments after the first
    /// (percentile's P).
    func result(_ extra: [Value] = []) -> Value {
        switch kind {
        case .count, .count_if: return .int(n)
        case .sum: return numbers.sum
        case .avg: return numbers.average
        case .min, .max, .first, .last: return chosen ?? .null
        case .distinct: return .int(seen.count)
        case .median, .percentile:
            // Conditions count as 0 and 1, as they do for sum and avg.
            let s = (numbers.allBooleans ? bits : ranked).sorted()
            guard !s.isEmpty else { return .null }
            if kind == .median {
                let m = s.count / 2
                return .double(s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2)
            }
            // Linear interpolation between the two nearest ranks, as DuckDB's quantile_cont.
            guard let p = extra.first?.number, p >= 0, p <= 100 else { return .null }
            let position = p / 100 * Double(s.count - 1)
            let lo = Int(position.rounded(.down))
            let hi = Swift.min(lo + 1, s.count - 1)
            return .double(s[lo] + (s[hi] - s[lo]) * (position - Double(lo)))
        }
    }
}

/// sum and avg as values arrive. Integers stay integers, overflowing into a double as
/// `+` does: the integer total wraps and counts its overflows, so an intermediate one
/// that later comes back (Int.max, 1, -2) still gives the exact integer. Values that are
/// all conditions add up as 0 and 1 (sum(x = y) counts the rows where it holds, avg(x = y)
/// is their share); other values that are not numbers are passed over.
struct NumberFold {
    private var values = 0
    private var trues = 0
    private(set) var allBooleans = true
    private var allIntegers = true
    private var integerTotal = 0
    private var carries = 0
    private var numbers = 0
    private var total = 0.0

    mutating func add(_ v: Value) {
        values += 1
        switch v {
        case .bool(let b):
            if b { trues += 1 }
            allIntegers = false
        case .int(let i):
            allBooleans = false
            let (r, overflow) = integerTotal.addingReportingOverflow(i)
            if overflow { carries += i > 0 ? 1 : -1 }
            integerTotal = r
            numbers += 1
            total += Double(i)
        case .double(let d):
            allBooleans = false
            allIntegers = false
            numbers += 1
            total += d
        default:
            allBooleans = false
            allIntegers = false
        }
    }

    /// No number to add gives null, as SQL's SUM does.
    var sum: Value {
        if values == 0 { return .null }
        if allBooleans { return .int(trues) }
        if numbers == 0 { return .null }
        return allIntegers && carries == 0 ? .int(integerTotal) : .double(total)
    }

    var average: Value {
        if values == 0 { return .null }
        if allBooleans { return .double(Double(trues) / Double(values)) }
        return numbers == 0 ? .null : .double(total / Double(numbers))
    }
}

// MARK: spilled groups (`GroupFold` past `--memory-limit`)

extension Accumulator {
    /// Folds in the state of the same aggregate over rows that came after this one's, as
    /// adding those rows' values one by one would; only a sum of non-integers may round
    /// differently in its last digit (it is added up in two parts).
    mutating func merge(_ later: Accumulator) {
        switch kind {
        case .count, .count_if: n += later.n
        case .sum, .avg: numbers.merge(later.numbers)
        case .min: if let v = later.chosen, chosen.map({ Compare.sortOrder(v, $0) < 0 }) ?? true { chosen = v }
        case .max: if let v = later.chosen, chosen.map({ Compare.sortOrder($0, v) < 0 }) ?? true { chosen = v }
        case .first: if chosen == nil { chosen = later.chosen }
        case .last: if later.chosen != nil { chosen = later.chosen }
        case .distinct: seen.formUnion(later.seen)
        case .median, .percentile:
            numbers.merge(later.numbers)
            ranked += later.ranked
            bits += later.bits
        }
    }

    /// The state, as `unpack` reads it back.
    func pack(_ out: inout [UInt8], _ shapes: inout RowShapes) {
        PackedRows.varint(n, &out)
        numbers.pack(&out)
        if let chosen {
            out.append(1)
            SortRun.pack(chosen, &out, &shapes)
        } else {
            out.append(0)
        }
        PackedRows.varint(seen.count, &out)
        for k in seen { PackedRows.pack(k.json, into: &out, shapes: &shapes) }
        for list in [ranked, bits] {
            PackedRows.varint(list.count, &out)
            for d in list { PackedRows.fixed(d.bitPattern, &out) }
        }
    }

    static func unpack(_ kind: Kind, _ b: UnsafeBufferPointer<UInt8>, _ at: inout Int, _ shapes: RowShapes) -> Accumulator {
        var a = Accumulator(kind)
        a.n = PackedRows.readVarint(b, &at)
        a.numbers = NumberFold.unpack(b, &at)
        at += 1
        if b[at - 1] == 1 { a.chosen = SortRun.unpack(b, &at, shapes) }
        let distinct = PackedRows.readVarint(b, &at)
        for _ in 0..<distinct { a.seen.insert(KeyValue(PackedRows.unpack(b, &at, shapes))) }
        for list in 0..<2 {
            let count = PackedRows.readVarint(b, &at)
            var values: [Double] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(Double(bitPattern: PackedRows.readFixed(b, &at))) }
            if list == 0 { a.ranked = values } else { a.bits = values }
        }
        return a
    }
}

extension NumberFold {
    /// The fold of the values added here, then `later`'s. The integer total stays exact
    /// (its wraps are counted as they would have been one value at a time).
    mutating func merge(_ later: NumberFold) {
        values += later.values
        trues += later.trues
        allBooleans = allBooleans && later.allBooleans
        allIntegers = allIntegers && later.allIntegers
        let (r, overflow) = integerTotal.addingReportingOverflow(later.integerTotal)
        if overflow { carries += later.integerTotal > 0 ? 1 : -1 }
        integerTotal = r
        carries += later.carries
        numbers += later.numbers
        total += later.total
    }

    func pack(_ out: inout [UInt8]) {
        for v in [values, trues, numbers] { PackedRows.varint(v, &out) }
        out.append((allBooleans ? 1 : 0) | (allIntegers ? 2 : 0))
        for v in [integerTotal, carries] { PackedRows.fixed(UInt64(bitPattern: Int64(v)), &out) }
        PackedRows.fixed(total.bitPattern, &out)
    }

    static func unpack(_ b: UnsafeBufferPointer<UInt8>, _ at: inout Int) -> NumberFold {
        var f = NumberFold()
        f.values = PackedRows.readVarint(b, &at)
        f.trues = PackedRows.readVarint(b, &at)
        f.numbers = PackedRows.readVarint(b, &at)
        f.allBooleans = b[at] & 1 != 0
        f.allIntegers = b[at] & 2 != 0
        at += 1
        f.integerTotal = Int(Int64(bitPattern: PackedRows.readFixed(b, &at)))
        f.carries = Int(Int64(bitPattern: PackedRows.readFixed(b, &at)))
        f.total = Double(bitPattern: PackedRows.readFixed(b, &at))
        return f
    }
}

extension KeyValue {
    /// The value as JSON, which `KeyValue(_:)` reads back as the same key.
    var json: JSON {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s.string)
        case .array(let a): return .array(a.map(\.json))
        case .object(let o):
            return .object(JSONObject(pairs: o.keys.sorted { $0.string.utf8.lexicographicallyPrecedes($1.string.utf8) }.map { ($0.string, o[$0]!.json) }))
        }
    }
}
