import MQClient
import MQCore
import Synchronization

/// Injected time: sleeps are recorded and return at once (advancing a fake clock), so
/// tests check retry delays without waiting for them.
final class FakeTime: Sendable {
    private let state = Mutex<(sleeps: [Double], clock: Double)>(([], 1000))
    let wallClock: Instant
    let random: Double

    init(wallClock: Instant = Instant(year: 2026, month: 11, day: 15, hour: 12), random: Double = 0.5) {
        self.wallClock = wallClock
        self.random = random
    }

    var sleeps: [Double] { state.withLock { $0.sleeps } }

    var environment: ClientEnvironment {
        ClientEnvironment(
            sleep: { [self] seconds in
                try Task.checkCancellation()
                state.withLock { s in
                    s.sleeps.append(seconds)
                    s.clock += seconds
                }
            },
            monotonic: { [self] in state.withLock { $0.clock } },
            now: { [wallClock] in wallClock },
            random: { [random] in random })
    }
}

/// Collects trace events.
final class TraceLog: Sendable {
    private let events = Mutex<[TraceEvent]>([])
    var all: [TraceEvent] { events.withLock { $0 } }
    func record(_ e: TraceEvent) { events.withLock { $0.append(e) } }
}
