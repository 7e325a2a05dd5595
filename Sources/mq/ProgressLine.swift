import Foundation
import MQClient
import MQExec
import Synchronization

/// The progress line on a terminal's stderr: source, pages, rows, requests, requests in
/// flight, retries waiting, elapsed. It appears once a statement has run 300 ms, is
/// redrawn ten times a second on a thread of its own, and is erased when the statement
/// ends, and before anything else is written to the terminal. Once the statement has
/// printed results it stays away: rows on the screen say enough, and a line redrawn
/// under half-written output would garble it.
final class ProgressLine: Sendable {
    private struct State {
        var shown = false
        /// The statement whose output started (the line stays away for it).
        var quietFor: ObjectIdentifier? = nil

        /// Erases the line if it is shown.
        mutating func erase() {
            if shown { writeStderr(ProgressLine.eraseLine) }
            shown = false
        }
    }
    /// Back to the line's start, then clear to its end.
    static let eraseLine = "\r\u{1B}[K"
    private let state = Mutex(State())
    private let board: ProgressBoard
    private let requests: @Sendable () -> Int
    private let activity: @Sendable () -> ClientActivity?
    private let monotonic: @Sendable () -> Double
    static let delay = 0.3

    init(board: ProgressBoard, requests: @escaping @Sendable () -> Int, activity: @escaping @Sendable () -> ClientActivity?,
         monotonic: @escaping @Sendable () -> Double)
    {
        self.board = board
        self.requests = requests
        self.activity = activity
        self.monotonic = monotonic
        board.onEnd { [weak self] in self?.erase() }
    }

    /// Starts the drawing thread; it lives as long as the process.
    func start() {
        Thread.detachNewThread { [self] in
            while true {
                usleep(100_000)
                tick()
            }
        }
    }

    func tick() {
        guard let p = board.progress else { return }
        let elapsed = monotonic() - p.started
        guard elapsed >= ProgressLine.delay else { return }
        state.withLock { s in
            guard s.quietFor != ObjectIdentifier(p) else { return }
            let text = ProgressLine.text(p, elapsed: elapsed, requests: requests() - p.requestsAtStart,
                                         inFlight: activity()?.inFlight.load(ordering: .relaxed) ?? 0,
                                         retrying: activity()?.retriesWaiting.load(ordering: .relaxed) ?? 0,
                                         width: ProgressLine.width())
            writeStderr(ProgressLine.eraseLine + text)
            s.shown = true
        }
    }

    static func text(_ p: QueryProgress, elapsed: Double, requests: Int, inFlight: Int, retrying: Int, width: Int) -> String {
        func n(_ v: Int) -> String { v.formatted(.number.grouping(.automatic)) }
        let pages = p.pages.load(ordering: .relaxed)
        let rows = p.rows.load(ordering: .relaxed)
        var parts = [p.source.isEmpty ? "running" : p.source]
        if pages > 0 { parts.append("\(n(pages)) page\(pages == 1 ? "" : "s")") }
        parts.append("\(n(rows)) row\(rows == 1 ? "" : "s")")
        if requests > 0 { parts.append("\(n(requests)) request\(requests == 1 ? "" : "s")") }
        if inFlight > 0 { parts.append("\(inFlight) in flight") }
        if retrying > 0 { parts.append("\(retrying) retr\(retrying == 1 ? "y" : "ies") waiting") }
        parts.append(String(format: "%.1f s", elapsed))
        let line = parts.joined(separator: " · ") + "  (Ctrl-C stops)"
        return String(line.prefix(max(10, width - 1)))
    }

    /// Erases the line if it is shown (before other output, and when a statement ends).
    func erase() {
        state.withLock { $0.erase() }
    }

    /// The running statement has started printing results: erase, and stay away.
    func outputStarted() {
        state.withLock { s in
            s.erase()
            if let p = board.progress { s.quietFor = ObjectIdentifier(p) }
        }
    }

    /// The width of the terminal on stderr, where the line is drawn; 80 when it does not say.
    static func width() -> Int { Terminal.size(2)?.columns ?? 80 }
}
