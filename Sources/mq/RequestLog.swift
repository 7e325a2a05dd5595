import Foundation
import MQClient
import Synchronization

/// Counts and remembers requests (for `.timing` and `.curl`), and prints them when
/// tracing (`--trace`, `.trace on`).
final class RequestLog: Sendable {
    /// The most recent URLs (`.curl` wants the last statement's), and how many older ones
    /// were let go: a shell that runs for days must not keep every URL it ever fetched.
    private let log = Mutex<(dropped: Int, urls: [String])>((0, []))
    static let kept = 5_000
    private let printing: Mutex<Bool>
    init(printing: Bool) { self.printing = Mutex(printing) }
    var total: Int { log.withLock { $0.dropped + $0.urls.count } }
    func setPrinting(_ on: Bool) { printing.withLock { $0 = on } }
    func urls(from: Int) -> [String] { log.withLock { Array($0.urls.dropFirst(max(0, from - $0.dropped))) } }

    func record(_ e: TraceEvent) {
        log.withLock { l in
            l.urls.append(e.url)
            if l.urls.count > RequestLog.kept {
                l.urls.removeFirst(RequestLog.kept / 2)
                l.dropped += RequestLog.kept / 2
            }
        }
        guard printing.withLock({ $0 }) else { return }
        var line = "→ GET \(e.url)"
        if let s = e.status { line += " ← \(s)" } else if let err = e.error { line += " ✗ \(err)" }
        line += String(format: " %.1f ms, %d B", e.seconds * 1000, e.bytes)
        if e.attempt > 1 { line += ", attempt \(e.attempt)" }
        if e.waitedBefore > 0 { line += String(format: " after waiting %.2f s", e.waitedBefore) }
        writeStderr(line + "\n")
    }
}
