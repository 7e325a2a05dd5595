import MQCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The simulator's only source of randomness: `SplitMix64`, seeded from `--seed`, with
/// the draws the data needs (weights, log-normals, named streams).
///
/// The simulator's whole contract is "same seed, same bytes", so every draw comes from here.
struct SimRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A generator for one named stream of a seed, so that adding draws to one part of
    /// the data does not shift every other part.
    init(seed: UInt64, stream: String, _ index: Int = 0) {
        generator = SplitMix64(seed: SimRandom.hash(seed, stream, UInt64(truncatingIfNeeded: index)))
    }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }

    /// Picks by weight; weights need not sum to anything in particular.
    mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var x = unit() * total
        for (item, w) in items {
            if x < w { return item }
            x -= w
        }
        return items[items.count - 1].0
    }

    /// Log-normal with the given median; `sigma` is the spread of the log.
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        // Box–Muller; 1 - unit() keeps the log away from zero.
        let u1 = 1 - unit()
        let u2 = unit()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return median * exp(sigma * z)
    }

    /// Geometric count of failures before the first success, with the given mean.
    mutating func geometric(mean: Double) -> Int {
        let p = 1 / (1 + mean)
        var n = 0
        while !chance(p) { n += 1 }
        return n
    }

    /// 16 random bytes formatted as an RFC 4122 version-4 UUID. Written byte by byte: the
    /// simulator makes a million of these at start-up and String formatting was half of it.
    mutating func uuid() -> String {
        let a = (next() & ~0x0000_0000_0000_F000) | 0x0000_0000_0000_4000
        let b = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { out in
            let digits: StaticString = "0123456789abcdef"
            var o = 0
            for i in 0..<32 {
                if i == 8 || i == 12 || i == 16 || i == 20 {
                    out[o] = UInt8(ascii: "-")
                    o += 1
                }
                let word = i < 16 ? a : b
                out[o] = digits.utf8Start[Int((word >> UInt64(60 - (i % 16) * 4)) & 0xF)]
                o += 1
            }
            return o
        }
    }

    mutating func hexString(_ count: Int) -> String {
        var s = ""
        while s.count < count { s += hex(next(), 16) }
        return String(s.prefix(count))
    }

    mutating func base62(_ count: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<count).map { _ in alphabet[Int(next() % 62)] })
    }

    private func hex(_ v: UInt64, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    // MARK: stateless hashing

    static func mix(_ z: UInt64) -> UInt64 { SplitMix64.mix(z) }

    /// A well-mixed 64-bit hash of a seed, a label and a number: the basis for decisions
    /// that must not depend on the order in which requests arrive.
    static func hash(_ seed: UInt64, _ label: String, _ n: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for b in label.utf8 {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        return mix(mix(seed ^ h) &+ n &* 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform value in [0, 1) from `hash`.
    static func unit(_ seed: UInt64, _ label: String, _ n: UInt64) -> Double {
        Double(hash(seed, label, n) >> 11) * 0x1.0p-53
    }
}

