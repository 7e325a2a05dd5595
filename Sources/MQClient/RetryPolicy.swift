import Foundation
import MQCore
import Synchronization

/// Time and chance, injected so that tests check retry delays without sleeping.
public struct ClientEnvironment: Sendable {
    /// Waits; must end early with an error when the task is cancelled.
    public var sleep: @Sendable (Double) async throws -> Void
    /// Monotonic seconds, for durations.
    public var monotonic: @Sendable () -> Double
    /// The wall clock, for `Retry-After` dates.
    public var now: @Sendable () -> Instant
    /// Uniform in [0, 1), for jitter.
    public var random: @Sendable () -> Double

    public init(sleep: @escaping @Sendable (Double) async throws -> Void, monotonic: @escaping @Sendable () -> Double,
                now: @escaping @Sendable () -> Instant, random: @escaping @Sendable () -> Double)
    {
        self.sleep = sleep
        self.monotonic = monotonic
        self.now = now
        self.random = random
    }

    private static let start = ContinuousClock.now

    public static let live = ClientEnvironment(
        sleep: { seconds in try await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded()))) },
        monotonic: {
            let d = start.duration(to: .now).components
            return Double(d.seconds) + Double(d.attoseconds) * 1e-18
        },
        now: { Instant(milliseconds: Int(Date().timeIntervalSince1970 * 1000)) },
        random: { Double.random(in: 0..<1) })
}

/// What is retried, how often, and how long to wait (the rules, in one place).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts = 3
    /// Seconds one request may take in all, its attempts and waits included.
    public var requestDeadline = 60.0
    /// Answers of 429 one request may get before it gives up; counted apart from
    /// `maxAttempts`, since a rate limit says "later", not "broken".
    public var maxRateLimitedAttempts = 10
    public var baseDelay = 0.5
    public var maxDelay = 20.0
    /// A `Retry-After` longer than this fails at once rather than waiting.
    public var maxRetryAfter = 60.0

    public init() {}

    /// Statuses worth another try: rate limited, or a server or gateway fault.
    public static let retriedStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// The backoff before attempt `attempt + 1`: `d = min(base·2^(attempt−1), max)`, drawn
    /// uniformly from [d/2, d] ("equal jitter", so retries of many clients spread out).
    public func backoff(afterAttempt attempt: Int, random: Double) -> Double {
        let d = min(baseDelay * pow(2, Double(attempt - 1)), maxDelay)
        return d / 2 + random * d / 2
    }

    /// Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date.
    public static func retryAfterSeconds(_ value: String, now: Instant) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let n = Double(v), n >= 0, n.isFinite { return n }
        guard let date = HTTPDate.parse(v) else { return nil }
        return max(0, Double(date.milliseconds - now.milliseconds) / 1000)
    }
}

/// HTTP dates (RFC 9110 §5.6.7): the IMF-fixdate form senders must use, and the obsolete
/// RFC 850 and asctime forms recipients must accept.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ s: String) -> Instant? {
        // Tokens without the weekday: IMF "06 Nov 1994 08:49:37 GMT",
        // RFC 850 "06-Nov-94 08:49:37 GMT", asctime "Nov  6 08:49:37 1994".
        var parts = s.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard !parts.isEmpty else { return nil }
        if parts[0].count >= 3, parts[0].first!.isLetter, months.firstIndex(of: parts[0].prefix(3).lowercased()) == nil {
            parts.removeFirst()  // weekday
        }
        var day: Int?, month: Int?, year: Int?, time: String?
        if parts.count == 4, let m = months.firstIndex(of: parts[0].lowercased()) {  // asctime
            month = m + 1; day = Int(parts[1]); time = parts[2]; year = Int(parts[3])
        } else if parts.count == 3, parts[0].contains("-") {  // RFC 850
            let dmy = parts[0].split(separator: "-")
            guard dmy.count == 3, let m = months.firstIndex(of: dmy[1].lowercased()), let y = Int(dmy[2]) else { return nil }
            day = Int(dmy[0]); month = m + 1; year = y < 100 ? (y < 70 ? 2000 + y : 1900 + y) : y; time = parts[1]
        } else if parts.count == 5, let m = months.firstIndex(of: parts[1].lowercased()) {  // IMF-fixdate
            day = Int(parts[0]); month = m + 1; year = Int(parts[2]); time = parts[3]
        }
        guard let day, let month, let year, let hms = time?.split(separator: ":").compactMap({ Int($0) }), hms.count == 3,
              (1...31).contains(day), hms[0] < 24, hms[1] < 60, hms[2] < 61
        else { return nil }
        return Instant(year: year, month: month, day: day, hour: hms[0], minute: hms[1], second: hms[2])
    }
}

/// A token bucket per host that stops retry storms: each retry spends tokens, each clean
/// success gives one back. When a host keeps failing the bucket empties and requests
/// fail at once instead of multiplying the load (the AWS SDKs' "retry quota").
public final class RetryTokenBucket: Sendable {
    public static let capacity = 500
    public static let retryCost = 5
    public static let timeoutRetryCost = 10

    private let tokens = Mutex<[String: Int]>([:])

    public init() {}

    /// Takes the cost of one retry to `host`; false when the bucket cannot pay.
    public func takeRetry(host: String, timeout: Bool) -> Bool {
        let cost = timeout ? Self.timeoutRetryCost : Self.retryCost
        return tokens.withLock { t in
            let have = t[host] ?? Self.capacity
            guard have >= cost else { return false }
            t[host] = have - cost
            return true
        }
    }

    public func recordSuccess(host: String) {
        tokens.withLock { t in
            if let have = t[host] { t[host] = min(Self.capacity, have + 1) }
        }
    }

    public func available(host: String) -> Int { tokens.withLock { $0[host] ?? Self.capacity } }
}
