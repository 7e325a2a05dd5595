#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore
import MQSyntax

/// A sort's keys, evaluated once per row and held a column per key in the narrowest form
/// its values allow: integers, numbers or text bytes in flat buffers, and `Value`s only
/// for a column of mixed kinds. `sort` then orders row numbers, not rows: sorting
/// (row, keys) pairs moved two arrays and their retains with every element a merge
/// touched, most of a full sort's time.
///
/// The order is `Executor.precedes`'s (nulls last in both directions, then
/// `Compare.sortOrder`), with ties in input order; a test checks the two agree on
/// columns of every form.
final class SortColumns {
    private enum Column {
        case integers(UnsafeMutableBufferPointer<Int>)
        case numbers(UnsafeMutableBufferPointer<Double>)
        /// Each value's UTF-8 bytes at `bytes[starts[i] ..< starts[i + 1]]`: byte order is
        /// code-point order, `Text.order`'s. `heads[i]`: its first eight bytes, big-endian
        /// and zero-padded, which decide most comparisons without a call to memcmp.
        case texts(bytes: UnsafeMutableBufferPointer<UInt8>, starts: UnsafeMutableBufferPointer<Int>, heads: UnsafeMutableBufferPointer<UInt64>)
        case values(UnsafeMutableBufferPointer<Value>)
    }

    /// Every payload is a buffer pointer, so that reading a column in a comparison
    /// retains nothing.
    private var columns: [(column: Column, nulls: UnsafeMutableBufferPointer<Bool>, descending: Bool)] = []
    let count: Int

    /// `values[k][i]`: key k of row i.
    init(_ values: [[Value]], descending: [Bool]) {
        count = values.first?.count ?? 0
        for (column, down) in zip(values, descending) {
            let nulls = UnsafeMutableBufferPointer<Bool>.allocate(capacity: count)
            for (i, v) in column.enumerated() { nulls[i] = v.isNull }
            columns.append((SortColumns.narrowest(column), nulls, down))
        }
    }

    deinit {
        for c in columns {
            c.nulls.deallocate()
            switch c.column {
            case .integers(let p): p.deallocate()
            case .numbers(let p): p.deallocate()
            case .texts(let bytes, let starts, let heads):
                bytes.deallocate()
                starts.deallocate()
                heads.deallocate()
            case .values(let p):
                p.deinitialize()
                p.deallocate()
            }
        }
    }

    /// Integers when every value is one (or null); numbers when every value is a number
    /// and no integer is too large for a double to hold exactly (Compare orders an integer
    /// and a double as doubles, two integers exactly); text when every value is a string.
    private static func narrowest(_ column: [Value]) -> Column {
        var integers = true, numbers = true, texts = true
        for v in column {
            switch v {
            case .null: break
            case .int(let n):
                texts = false
                if n.magnitude > 1 << 53 { numbers = false }
            case .double: integers = false; texts = false
            case .string: integers = false; numbers = false
            default: return values(column)
            }
        }
        if integers {
            let p = UnsafeMutableBufferPointer<Int>.allocate(capacity: column.count)
            for (i, v) in column.enumerated() { p[i] = if case .int(let n) = v { n } else { 0 } }
            return .integers(p)
        }
        if numbers {
            let p = UnsafeMutableBufferPointer<Double>.allocate(capacity: column.count)
            for (i, v) in column.enumerated() { p[i] = v.number ?? 0 }
            return .numbers(p)
        }
        if texts {
            var total = 0
            for case .string(let s) in column { total += s.utf8.count }
            let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Swift.max(total, 1))
            let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: column.count + 1)
            var at = 0
            for (i, v) in column.enumerated() {
                starts[i] = at
                if case .string(var s) = v {
                    s.withUTF8 { u in
                        if let b = u.baseAddress, !u.isEmpty { (bytes.baseAddress! + at).update(from: b, count: u.count) }
                        at += u.count
                    }
                }
            }
            starts[column.count] = at
            let heads = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: column.count)
            for i in 0..<column.count {
                var h: UInt64 = 0
                for k in 0..<8 { h = h << 8 | UInt64(starts[i] + k < starts[i + 1] ? bytes[starts[i] + k] : 0) }
                heads[i] = h
            }
            return .texts(bytes: bytes, starts: starts, heads: heads)
        }
        return values(column)
    }

    private static func values(_ column: [Value]) -> Column {
        let p = UnsafeMutableBufferPointer<Value>.allocate(capacity: column.count)
        _ = p.initialize(from: column)
        return .values(p)
    }

    /// Whether row `a` sorts before row `b`: key by key, nulls last, ties by row number.
    func precedes(_ a: Int, _ b: Int) -> Bool {
        for k in columns.indices {
            let c = columns[k]
            let (na, nb) = (c.nulls[a], c.nulls[b])
            if na != nb { return nb }
            if na { continue }
            let o: Int
            switch c.column {
            case .integers(let p): o = p[a] < p[b] ? -1 : p[a] == p[b] ? 0 : 1
            case .numbers(let p): o = p[a] < p[b] ? -1 : p[a] == p[b] ? 0 : 1
            case .texts(let bytes, let starts, let heads):
                if heads[a] != heads[b] {
                    o = heads[a] < heads[b] ? -1 : 1
                    break
                }
                let (sa, la) = (starts[a], starts[a + 1] - starts[a])
                let (sb, lb) = (starts[b], starts[b + 1] - starts[b])
                let n = Swift.min(la, lb)
                let m = n == 0 ? 0 : memcmp(bytes.baseAddress! + sa, bytes.baseAddress! + sb, n)
                o = m != 0 ? (m < 0 ? -1 : 1) : (la == lb ? 0 : la < lb ? -1 : 1)
            case .values(let vs): o = Compare.sortOrder(vs[a], vs[b])
            }
            if o != 0 { return c.descending ? o > 0 : o < 0 }
        }
        return a < b
    }

    /// The row numbers in sort order. Ctrl-C stops it: the comparison checks every 64K.
    func order() throws -> [Int] {
        var rows = Array(0..<count)
        var comparisons = 0
        try rows.sort { a, b in
            comparisons &+= 1
            if comparisons & 0xFFFF == 0, Task.isCancelled { throw CancellationError() }
            return precedes(a, b)
        }
        return rows
    }
}
