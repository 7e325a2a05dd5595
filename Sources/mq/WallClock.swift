import Foundation
import MQCore

/// What "now" is for `today` and `-7d`: the system's clock, or the instant MQ_NOW pins, so
/// that a saved script gives the same answer tomorrow (the examples' golden outputs rely
/// on it, and `--demo`'s data then ends at that hour).
struct WallClock: Sendable {
    /// MQ_NOW's instant; nil for the system's clock.
    let pinned: Instant?

    static let system = WallClock(pinned: nil)

    private init(pinned: Instant?) { self.pinned = pinned }

    /// The one reading of MQ_NOW; set but empty counts as unset.
    init(environment env: [String: String]) throws(ShellError) {
        guard let text = env["MQ_NOW"], !text.isEmpty else {
            self = .system
            return
        }
        guard let instant = Instant.parseISO8601(text)?.instant else { throw .notADate(now: text) }
        pinned = instant
    }

    func now() -> Instant { pinned ?? Instant(milliseconds: Int(Date().timeIntervalSince1970 * 1000)) }
}

extension ShellError {
    static func notADate(now text: String) -> ShellError {
        ShellError("MQ_NOW=\(text) is not an ISO 8601 date or time (e.g. 2026-11-15T12:00:00Z)")
    }
}
