import MQCore
import Synchronization

/// How many detail requests run at once: halved when the server says 429, grown back by
/// one after as many clean answers as the current limit (additive increase,
/// multiplicative decrease, as TCP does), so a rate-limited server is eased off fast and
/// approached again slowly.
///
/// It gates each *attempt*, not each id: a request waiting to retry holds no slot, so
/// after a halving the retries queue behind the new limit too.
final class AdaptiveLimit: Sendable {
    private struct State {
        var limit: Int
        var successes = 0
        var lastDecrease = -Double.infinity
        var inFlight = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextWaiter = 0
    }
    private let state: Mutex<State>
    let maximum: Int
    private let monotonic: @Sendable () -> Double

    init(maximum: Int, monotonic: @escaping @Sendable () -> Double) {
        self.maximum = max(1, maximum)
        self.monotonic = monotonic
        state = Mutex(State(limit: max(1, maximum)))
    }

    var current: Int { state.withLock { $0.limit } }

    /// Waits for a slot under the current limit; throws when the task is cancelled.
    func acquire() async throws {
        let id = state.withLock { s -> Int in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.inFlight < s.limit && s.waiters.isEmpty {
                        s.inFlight += 1
                        return true
                    }
                    s.waiters.append((id, c))
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }

    func release() {
        let ready = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.inFlight -= 1
            return Self.admit(&s)
        }
        for c in ready { c.resume() }
    }

    /// Hands free slots to waiters, first come first served.
    private static func admit(_ s: inout State) -> [CheckedContinuation<Void, any Error>] {
        var ready: [CheckedContinuation<Void, any Error>] = []
        while s.inFlight < s.limit, !s.waiters.isEmpty {
            s.inFlight += 1
            ready.append(s.waiters.removeFirst().continuation)
        }
        return ready
    }

    func observe(status: Int) {
        let now = monotonic()
        let ready = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            if status == 429 {
                // One decrease per second: a burst of 429s from requests already in flight
                // is one signal, not many.
                if now - s.lastDecrease >= 1 {
                    s.limit = max(1, s.limit / 2)
                    s.lastDecrease = now
                }
                s.successes = 0
            } else if (200...299).contains(status) {
                s.successes += 1
                if s.successes >= s.limit && s.limit < maximum {
                    s.limit += 1
                    s.successes = 0
                }
            }
            return Self.admit(&s)
        }
        for c in ready { c.resume() }
    }
}

extension MosendClient {
    /// Details of many contacts: each distinct id's request started as soon as it arrives
    /// and one of `concurrency` places is free, each attempt passing the adaptive limit.
    /// At most `concurrency` ids are in progress, retries included, so an id that waits
    /// out a 429 goes back to the gate ahead of the ids not begun (a task for every id at
    /// once queued a retry behind all of them, past its retry budget).
    public func customers(streaming ids: AsyncStream<String>, _ statement: CallContext) async -> [String: Result<JSON, APIError>] {
        let limit = AdaptiveLimit(maximum: configuration.concurrency, monotonic: environment.monotonic)
        return await withTaskGroup(of: (String, Result<JSON, APIError>).self) { group in
            var results: [String: Result<JSON, APIError>] = [:]
            var seen = Set<String>()
            var running = 0
            for await id in ids where seen.insert(id).inserted {
                if running == limit.maximum, let (done, r) = await group.next() {
                    results[done] = r
                    running -= 1
                }
                group.addTask { (id, await self.detail(id, statement, limit)) }
                running += 1
            }
            for await (id, r) in group { results[id] = r }
            return results
        }
    }

    private func detail(_ id: String, _ statement: CallContext, _ limit: AdaptiveLimit) async -> Result<JSON, APIError> {
        let path = orgPath + self.path(Catalog.contactDetail.path, contact: id)
        do throws(APIError) {
            return .success(try await fetchObject(path, [], statement, contactId: id, gate: limit))
        } catch {
            return .failure(error)
        }
    }
}
