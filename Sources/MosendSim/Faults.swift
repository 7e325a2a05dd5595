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
        case malformed(MalformedKind)
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
            let kinds = configuration.malformedKinds.isEmpty ? MalformedKind.classic : configuration.malformedKinds
            let kind = kinds[Int(h % UInt64(kinds.count))]
            FaultInjector.malform(&response, kind, h, hugeBytes: configuration.hugeBodyBytes)
            return .malformed(kind)
        }
        return nil
    }

    /// Spoils a 200 response in place: the body, and for `huge` a filler streamed after it.
    static func malform(_ response: inout SimResponse, _ kind: MalformedKind, _ h: UInt64, hugeBytes: Int) {
        switch kind {
        case .huge:
            // Valid JSON, just enormous: the envelope gains a padding string of hugeBytes,
            // streamed in chunks (the simulator never holds it).
            var prefix = response.body
            if prefix.last == UInt8(ascii: "}") { prefix.removeLast() }
            prefix += Array(#","padding":""#.utf8)
            response.body = prefix
            response.filler = SimResponse.Filler(count: hugeBytes, byte: UInt8(ascii: "x"), suffix: Array(#""}"#.utf8))
        default:
            response.body = malform(response.body, kind, h)
        }
    }

    static func malform(_ body: [UInt8], _ kind: MalformedKind, _ h: UInt64) -> [UInt8] {
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
        case .empty:
            return []
        case .nan:
            return replacingFirstNumber(body, with: "NaN")
        case .bigNumber:
            return replacingFirstNumber(body, with: "1e999")
        case .deep:
            // Well-formed, 100,000 arrays deep: a recursive parser without a limit overflows its stack.
            let depth = 100_000
            return Array(#"{"data":"#.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: depth)
                + [UInt8](repeating: UInt8(ascii: "]"), count: depth) + Array(#","timestamp":"2026-01-01T00:00:00.000Z"}"#.utf8)
        case .duplicateKeys:
            // `{"data":null, …the real body…}`: the real `data` comes last, so a parser that
            // keeps the last value (as JavaScript does) reads the right answer.
            guard body.first == UInt8(ascii: "{"), body.count > 2 else { return body }
            return Array(#"{"data":null,"#.utf8) + body.dropFirst()
        case .dataString, .rowNumbers, .fieldTypes, .cursorObject:
            guard case .object(var envelope)? = try? JSONParser.parse(body) else { return body }
            switch kind {
            case .dataString:
                envelope["data"] = .string("see https://api.mosend.dev/docs")
            case .fieldTypes:
                func retype(_ v: JSON) -> JSON {
                    switch v {
                    case .string(let s): return .int(s.count)
                    case .int(let n): return .string(String(n))
                    case .double(let d): return .string(String(d))
                    case .bool(let b): return .string(b ? "yes" : "no")
                    case .null: return .bool(true)
                    case .array(let a): return .object(JSONObject(["items": .array(a)]))
                    case .object(let o): return .array(Array(o.values))
                    }
                }
                func retypeFields(_ row: JSON) -> JSON {
                    guard case .object(let o) = row else { return row }
                    return .object(JSONObject(pairs: o.map { ($0.key, retype($0.value)) }))
                }
                switch envelope["data"] {
                case .array(let rows)?: envelope["data"] = .array(rows.map(retypeFields))
                case let data?: envelope["data"] = retypeFields(data)
                case nil: break
                }
            case .rowNumbers:
                switch envelope["data"] {
                case .array(let rows)?: envelope["data"] = .array(rows.indices.map { .int($0 + 1) })
                default: envelope["data"] = [1, 2, 3]
                }
            default:
                // Whichever cursor shape the body has (null, empty or a string) becomes an
                // object; a body without one (an object endpoint) gains a top-level one.
                func wrap(_ v: JSON) -> JSON { .object(JSONObject(["after": v])) }
                var done = false
                for key in ["nextCursor", "next_cursor"] where envelope[key] != nil {
                    envelope[key] = wrap(envelope[key]!)
                    done = true
                }
                for outer in ["meta", "pagination"] {
                    guard case .object(var o)? = envelope[outer] else { continue }
                    for key in ["nextCursor", "next_cursor"] where o[key] != nil {
                        o[key] = wrap(o[key]!)
                        done = true
                    }
                    envelope[outer] = .object(o)
                }
                if !done { envelope["nextCursor"] = wrap(.null) }
            }
            return JSON.object(envelope).serialized()
        case .huge:
            return body  // streamed: see malform(_:_:_:hugeBytes:)
        }
    }

    /// The body with its first number value (the first `:` followed by a number, outside
    /// strings) replaced by `token`; with none, `token` becomes the envelope's first member.
    static func replacingFirstNumber(_ body: [UInt8], with token: String) -> [UInt8] {
        var inString = false
        var i = 0
        while i < body.count {
            let c = body[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: ":"), i + 1 < body.count,
                      body[i + 1] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(body[i + 1])
            {
                var end = i + 1
                while end < body.count, Array("0123456789+-.eE".utf8).contains(body[end]) { end += 1 }
                return Array(body[...i]) + Array(token.utf8) + Array(body[end...])
            }
            i += 1
        }
        guard body.first == UInt8(ascii: "{") else { return Array(token.utf8) }
        return Array("{\"value\":\(token),".utf8) + body.dropFirst()
    }
}

/// Request counts by route and status, for tests and benchmarks to assert how many
/// calls a query made.
public final class SimStats: Sendable {
    private struct State {
        var total = 0
        var routes: [String: [Int: Int]] = [:]
        var faults: [String: Int] = [:]
        var malformedKinds: [String: Int] = [:]
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
            case .malformed(let kind):
                s.faults["malformed", default: 0] += 1
                s.malformedKinds[kind.rawValue, default: 0] += 1
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

    /// `{"requests": N, "peakInFlight": n, "routes": {"GET /…": {"200": n}}, "faults": {"dropped": n},
    /// "malformedKinds": {"nan": n}}`.
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
        w.key("malformedKinds")
        w.beginObject()
        for (k, n) in s.malformedKinds.sorted(by: { $0.key < $1.key }) {
            w.key(k)
            w.int(n)
        }
        w.endObject()
        w.endObject()
        return w.bytes
    }
}
