import MQCore
import Synchronization

/// How many detail requests run at once: halved when the server says 429, grown back by
/// one after as many clean answers as the current limit (additive increase,
/// multiplicative decrease, as TCP does), so a rate-limited server is eased off fast and
/// approached again slowly.
final class AdaptiveLimit: Sendable {
    private struct State {
        var limit: Int
        var successes = 0
        var lastDecrease = -Double.infinity
        var peak = 0
        var inFlight = 0
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

    /// Takes a slot if one is free under the current limit.
    func tryAcquire() -> Bool {
        state.withLock { s in
            guard s.inFlight < s.limit else { return false }
            s.inFlight += 1
            s.peak = max(s.peak, s.inFlight)
            return true
        }
    }

    func release() { state.withLock { $0.inFlight -= 1 } }

    func observe(status: Int) {
        let now = monotonic()
        state.withLock { s in
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
        }
    }
}

extension MosendClient {
    /// Details of many contacts: each distinct id fetched once, at most the adaptive limit
    /// at a time, results in the order of `ids` (a repeated id repeats its result).
    public func customers(ids: [String], _ statement: Statement) async -> [Result<JSON, APIError>] {
        var unique: [String] = []
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted { unique.append(id) }
        let limit = AdaptiveLimit(maximum: configuration.concurrency, monotonic: environment.monotonic)
        var results: [String: Result<JSON, APIError>] = [:]

        await withTaskGroup(of: (String, Result<JSON, APIError>).self) { group in
            var next = 0
            var running = 0
            while next < unique.count || running > 0 {
                // Start as many as the limit allows now.
                while next < unique.count, limit.tryAcquire() {
                    let id = unique[next]
                    next += 1
                    running += 1
                    group.addTask {
                        defer { limit.release() }
                        do throws(APIError) {
                            let path = self.orgPath + "/customers/" + Self.encodePathSegment(id)
                            let body = try await self.get(path, [], statement, contactId: id) { limit.observe(status: $0) }
                            guard case .object = body["data"] else {
                                return (id, .failure(APIError(category: .invalidResponse, path: path,
                                                              detail: "expected {\"data\": {…}} but \"data\" is "
                                                                  + Self.describe(body["data"]))))
                            }
                            return (id, .success(body["data"]!))
                        } catch {
                            return (id, .failure(error))
                        }
                    }
                }
                guard let (id, r) = await group.next() else { break }
                running -= 1
                results[id] = r
            }
        }
        return ids.map { results[$0] ?? .failure(APIError(category: .cancelled, path: orgPath + "/customers/" + $0,
                                                           detail: "cancelled")) }
    }
}
