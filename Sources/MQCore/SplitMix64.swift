/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// 2014; the constants of Vigna's splitmix64.c): the one seeded generator, for whatever
/// must draw the same values on every run and machine: the simulator's data and faults
/// (`MosendSim.SimRandom` draws from it), the benchmark's files, the tests' cases.
/// Swift's `SystemRandomNumberGenerator` cannot be seeded.
///
/// `SplitMix64Tests` pins its first outputs: a change here would change every seeded
/// dataset and every drawn test case.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// SplitMix64's finaliser: a well-mixed 64-bit value of `z` (a hash of it).
    public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// In 0..<n by a plain modulo (the small bias is no matter for choosing test cases or
    /// filler data); 0 when n is 0 or less.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// One of `xs`, which must not be empty.
    public mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}
