import MQCore
import Synchronization

/// Decides which requests fail and how. A decision is a hash of the seed, the request's
/// identity and how many times that identity has been asked for, so a run repeats
/// whatever order concurrent requests arrive in, and a retried request draws anew.
final class FaultInjector: Sendable {
    enum Outcome: Sendable, Equatable {
        case rateLimited(retryAfter: Int)
        case failed(status: Int)
        case dropped
        case malformed(MalformKind)
    }

    enum MalformKind: String, Sendable, CaseIterable {
        case truncated, trailingComma, html, invalidUTF8
    }

    private let configuration: SimConfiguration
    private let clock: @Sendable () -> Int
    private let attempts = Mutex<[String: Int]>([:])
    private let window = Mutex<(second: Int, count: Int)>((second: -1, count: 0))

    init(configuration: SimConfiguration, clock: @escaping @Sendable () -> Int) {
        self.configuration = configuration
        self.clock = clock
    }

    private var anyDraws: Bool {
        configuration.failRate > 0 || configuration.dropRate > 0 || configuration.malformedRate > 0
    }

    /// Faults that replace the response: rate limiting, then server errors. Also returns
    /// the request's draw number, which `after` needs.
    func before(_ request: SimRequest) -> (outcome: Outcome?, draw: Int) {
        if configuration.rateLimit > 0 {
            let now = clock()
            let limited = window.withLock { w -> Bool in
                let second = now / 1000
                if w.second != second { w = (second, 0) }
                w.count += 1
                return w.count > configuration.rateLimit
            }
            if limited { return (.rateLimited(retryAfter: 1), 0) }
        }
        guard anyDraws else { return (nil, 0) }
        let n = attempts.withLock { a -> Int in
            let k = request.identity
            let n = a[k, default: 0]
            a[k] = n + 1
            return n
        }
        let id = request.identity
        if SimRandom.unit(configuration.seed, "fail|" + id, UInt64(n)) < configuration.failRate {
            return (.failed(status: SimRandom.hash(configuration.seed, "status|" + id, UInt64(n)) & 1 == 0 ? 500 : 503), n)
        }
        return (nil, n)
    }

    /// Faults that spoil a successful response: a dropped connection or a broken body.
    func after(_ request: SimRequest, draw n: Int, response: inout SimResponse) -> Outcome? {
        guard anyDraws else { return nil }
        let id = request.identity
        let seed = configuration.seed
        if SimRandom.unit(seed, "drop|" + id, UInt64(n)) < configuration.dropRate {
            // Announce the whole body, send at most half of it, then close.
            response.dropAfter = response.body.count / 2
            return .dropped
        }
        if SimRandom.unit(seed, "malformed|" + id, UInt64(n)) < configuration.malformedRate {
            let h = SimRandom.hash(seed, "malform-kind|" + id, UInt64(n))
            let kind = MalformKind.allCases[Int(h % UInt64(MalformKind.allCases.count))]
            response.body = FaultInjector.malform(response.body, kind, h)
            return .malformed(kind)
        }
        return nil
    }

    static func malform(_ body: [UInt8], _ kind: MalformKind, _ h: UInt64) -> [UInt8] {
        switch kind {
        case .truncated:
            // Cut somewhere inside the document: never empty, never whole.
            let cut = 1 + Int((h >> 8) % UInt64(max(body.count - 1, 1)))
            return Array(body.prefix(cut))
        case .trailingComma:
            var b = body
            b.insert(UInt8(ascii: ","), at: max(b.count - 1, 0))
            return b
        case .html:
            return Array("<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>".utf8)
        case .invalidUTF8:
            var b = body
            // Inside the first string value: after `{"data":` comes `[{"id":"` or `{"`.
            if let q = b.firstIndex(of: UInt8(ascii: "\"")) { b.insert(contentsOf: [0xC3, 0x28], at: q + 1) }
            return b
        }
    }
}

/// Request counts by route and status, for tests and benchmarks to assert how many
/// calls a query made.
public final class SimStats: Sendable {
    private struct State {
        var total = 0
        var routes: [String: [Int: Int]] = [:]
        var faults: [String: Int] = [:]
        var inFlight = 0
        var peakInFlight = 0
    }
    private let state = Mutex(State())

    /// An API request has arrived; until `leave`, it counts as in flight (latency included).
    func enter() {
        state.withLock { s in
            s.inFlight += 1
            s.peakInFlight = max(s.peakInFlight, s.inFlight)
        }
    }

    func leave() { state.withLock { $0.inFlight -= 1 } }

    func record(route: String, status: Int, fault: FaultInjector.Outcome?) {
        state.withLock { s in
            s.total += 1
            s.routes[route, default: [:]][status, default: 0] += 1
            switch fault {
            case .rateLimited: s.faults["rateLimited", default: 0] += 1
            case .failed: s.faults["failed", default: 0] += 1
            case .dropped: s.faults["dropped", default: 0] += 1
            case .malformed: s.faults["malformed", default: 0] += 1
            case nil: break
            }
        }
    }

    /// Zeroes the counts; requests still in flight stay counted as such.
    public func reset() {
        state.withLock { s in
            let inFlight = s.inFlight
            s = State()
            s.inFlight = inFlight
            s.peakInFlight = inFlight
        }
    }

    public var total: Int { state.withLock { $0.total } }

    /// `{"requests": N, "peakInFlight": n, "routes": {"GET /…": {"200": n}}, "faults": {"dropped": n}}`.
    public func json() -> [UInt8] {
        let s = state.withLock { $0 }
        var w = JSONWriter()
        w.beginObject()
        w.key("requests"); w.int(s.total)
        w.key("peakInFlight"); w.int(s.peakInFlight)
        w.key("routes")
        w.beginObject()
        for route in s.routes.keys.sorted() {
            w.key(route)
            w.beginObject()
            for (status, n) in s.routes[route]!.sorted(by: { $0.key < $1.key }) {
                w.key(String(status))
                w.int(n)
            }
            w.endObject()
        }
        w.endObject()
        w.key("faults")
        w.beginObject()
        for k in ["rateLimited", "failed", "dropped", "malformed"] {
            w.key(k)
            w.int(s.faults[k] ?? 0)
        }
        w.endObject()
        w.endObject()
        return w.bytes
    }
}
