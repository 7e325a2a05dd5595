/// The Double that a decimal number's text denotes, without `strtod`, when that is exact.
///
/// Both the JSON parser and a CSV's cells turn decimals such as `40886.1` into Doubles,
/// and `Double(String)` (a String made, then `strtod`) was the largest single cost of a
/// CSV column's kinds pass after dates. Clinger's fast path: when the digits, read as an
/// integer `m`, are at most 2^53 and the power of ten `k` is at most 22 either way, both
/// `m` and 10^k are exact Doubles and one IEEE multiplication or division rounds
/// correctly, so the result is the one `strtod` gives, bit for bit. Anything else (more
/// digits, a larger exponent) returns nil and the caller converts the text as before.
public enum DecimalDouble {
    private static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// `b` must already be a number in JSON's grammar (`-`, digits, an optional fraction
    /// and an optional exponent).
    public static func exact(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = b.count
        var i = 0
        let negative = n > 0 && b[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var m: UInt64 = 0
        var digits = 0
        var scale = 0  // digits after the point
        while i < n, b[i] &- 0x30 < 10 {
            m = m &* 10 &+ UInt64(b[i] &- 0x30)
            digits += 1
            i += 1
        }
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, b[i] &- 0x30 < 10 {
                m = m &* 10 &+ UInt64(b[i] &- 0x30)
                digits += 1
                scale += 1
                i += 1
            }
        }
        var exponent = 0
        if i < n, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var sign = 1
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                if b[i] == UInt8(ascii: "-") { sign = -1 }
                i += 1
            }
            var e = 0
            while i < n, b[i] &- 0x30 < 10 {
                if e < 10_000 { e = e * 10 + Int(b[i] &- 0x30) }
                i += 1
            }
            exponent = sign * e
        }
        // 19 digits cannot overflow UInt64; 2^53 is where Doubles stop holding every integer.
        guard i == n, digits > 0, digits <= 19, m <= 1 << 53 else { return nil }
        let k = exponent - scale
        let value: Double
        if k >= 0 {
            guard k <= 22 else { return nil }
            value = Double(m) * powers[k]
        } else {
            guard k >= -22 else { return nil }
            value = Double(m) / powers[-k]
        }
        return negative ? -value : value
    }
}
