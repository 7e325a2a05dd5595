@testable import MQClient
import Synchronization
import Testing

/// A hook kept in a Mutex must stay the closure it was: held bare, every `withLock`
/// wrapped it in two more reabstraction thunks, so the n-th request's trace ran n frames
/// deep, and a 29,000-statement script overflowed the stack.
@Suite struct TraceHookTests {
    /// The stack depth at which the hook runs, as the address of one of its locals.
    static func depthProbe() -> Int {
        var local = 0
        return withUnsafeMutablePointer(to: &local) { Int(bitPattern: $0) }
    }

    @Test func theHookRunsAtTheSameDepthEveryTime() throws {
        let client = try MosendClient(ClientConfiguration(baseURL: "http://127.0.0.1:9", orgId: "o",
                                                          credentials: Credentials(apiKey: "mk_test_abcd.efgh")))
        defer { client.shutdown() }
        let depths = Mutex<[Int]>([])
        client.setTrace { _ in depths.withLock { $0.append(TraceHookTests.depthProbe()) } }
        let event = TraceEvent(method: "GET", url: "http://127.0.0.1:9/x", status: 200, error: nil, bytes: 0, seconds: 0,
                               attempt: 1, waitedBefore: 0)
        for _ in 0..<5_000 { client.trace(event) }
        let d = depths.withLock { $0 }
        #expect(d.count == 5_000)
        // Each thunk layer is a frame of tens of bytes: 5,000 calls would sink the last
        // one hundreds of kilobytes below the first.
        #expect(abs(d[10] - d[4_999]) < 4_096, "the 5,000th call ran \(abs(d[10] - d[4_999])) bytes deeper than the 10th")
    }
}
