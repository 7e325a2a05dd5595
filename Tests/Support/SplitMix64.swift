/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// 2014; the constants of Vigna's splitmix64.c): the tests' one seeded generator, so that a
/// test that draws its cases draws the same ones on every run and machine, and a failure
/// can be run again. (The simulator has its own, `MosendSim.SimRandom`, and so does
/// Benchmarks/FileBench: neither can depend on this test target.)
///
/// `SplitMix64Tests` pins its first outputs: a change here would silently change every
/// case drawn from it (BadQueryTests' mutations).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// In 0..<n by a plain modulo (the small bias is no matter for choosing test cases);
    /// 0 when n is 0 or less.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// One of `xs`, which must not be empty.
    public mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}
