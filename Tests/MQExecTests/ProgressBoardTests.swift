@testable import MQExec
import Synchronization
import Testing

/// The statement-end hook must stay the closure it was (see TraceHookTests): held bare in
/// a Mutex, each statement's end wrapped it in two more thunks, so a long shell session
/// ran it ever deeper until the stack overflowed.
@Suite struct ProgressBoardTests {
    static func depthProbe() -> Int {
        var local = 0
        return withUnsafeMutablePointer(to: &local) { Int(bitPattern: $0) }
    }

    @Test func theEndHookRunsAtTheSameDepthEveryTime() {
        let board = ProgressBoard()
        let depths = Mutex<[Int]>([])
        board.onEnd { depths.withLock { $0.append(ProgressBoardTests.depthProbe()) } }
        for _ in 0..<5_000 { board.end() }
        let d = depths.withLock { $0 }
        #expect(d.count == 5_000)
        #expect(abs(d[10] - d[4_999]) < 4_096, "the 5,000th call ran \(abs(d[10] - d[4_999])) bytes deeper than the 10th")
    }
}
