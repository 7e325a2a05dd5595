import MQCore
import Testing

/// `JSONWriter.packedObject` writes a packed row as `value(.object(row))` writes the row.
@Suite struct PackedJSONWriterTests {
    static func value(_ r: inout SplitMix64, depth: Int) -> JSON {
        let words = ["", "a", "é", "日本", "quote\"d", "back\\slash", "line\nbreak", "tab\t", "\u{1}ctl", "long text past fifteen bytes"]
        switch r.below(depth > 2 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(r.below(2) == 0)
        case 2: return .int(r.below(3) == 0 ? Int.min + r.below(5) : r.below(2_000_000) - 1_000_000)
        case 3: return .double(r.pick([0.1, -0.0, 1e300, 5e-324, 40886.1, Double(r.below(1000)) / 7, .infinity, .nan]))
        case 4, 5: return .string(r.pick(words))
        case 6: return .array((0..<r.below(4)).map { _ in value(&r, depth: depth + 1) })
        default: return .object(object(&r, depth: depth + 1))
        }
    }

    static func object(_ r: inout SplitMix64, depth: Int) -> JSONObject {
        var o = JSONObject()
        for k in ["id", "name", "agent", "x\"y", "ключ"] where r.below(4) > 0 { o.appendUnchecked(k, value(&r, depth: depth)) }
        return o
    }

    @Test func writesPackedRowsAsTheirObjects() {
        var r = SplitMix64(seed: 11)
        var packed = PackedRows()
        var rows: [JSONObject] = []
        for _ in 0..<5_000 {
            let row = PackedJSONWriterTests.object(&r, depth: 0)
            rows.append(row)
            packed.append(row)
        }
        var nested = 0
        for (i, row) in rows.enumerated() {
            var want = JSONWriter()
            want.value(.object(row))
            var got = JSONWriter()
            packed.withRowBytes(i) { b in
                var at = 0
                got.packedObject(b, &at, packed.shapes)
                #expect(at == b.count, "row \(i) read to its end")
            }
            guard got.bytes == want.bytes else {
                Issue.record("row \(i): \(String(decoding: got.bytes, as: UTF8.self)) != \(String(decoding: want.bytes, as: UTF8.self))")
                return
            }
            if row.values.contains(where: { if case .object = $0 { true } else { false } }) { nested += 1 }
        }
        #expect(nested > 500, "nested objects exercised")
    }
}
