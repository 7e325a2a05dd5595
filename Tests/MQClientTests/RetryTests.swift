import MQClient
import MQCore
import MQTestSupport
import Testing

/// Which failures are retried, how often, and how long mq waits: checked with injected
/// time, so no test sleeps.
@Suite struct RetryTests {
    static let ok = ScriptedServer.Reply()

    /// Fails with `status` on every request.
    static func failing(_ status: Int, headers: [(String, String)] = []) async throws -> ScriptedServer {
        try await ScriptedServer { _, _ in
            ScriptedServer.Reply(status: status, headers: headers,
                                 body: #"{"statusCode":\#(status),"message":"scripted \#(status)","error":"Scripted"}"#)
        }
    }

    /// A 429 is retried apart from failures (up to 10 times, within the request's deadline:
    /// the eighth wait would pass it), the 5xx statuses 3 times in all.
    ///
    /// The waits are injected but the transfers are real, and they count against the
    /// deadline too: with the default 60 s the seven waits (51.5 s) left 8.5 s for eight
    /// loopback transfers, which a machine busy with the whole suite once ran out of (the
    /// eighth timed out). 70 s keeps the same eighth-wait cut-off with room to spare; the
    /// default itself is checked in TrickleTests.
    @Test(arguments: [(400, 1), (401, 1), (403, 1), (404, 1), (422, 1),
                      (429, 8), (500, 3), (502, 3), (503, 3), (504, 3)])
    func statusMatrix(status: Int, attempts: Int) async throws {
        let server = try await Self.failing(status)
        let time = FakeTime(random: 0.999_999)
        let client = try Clients.forServer(server.url, time: time) { $0.retry.requestDeadline = 70 }
        do {
            _ = try await client.summary(CallContext())
            Issue.record("expected an error")
        } catch {
            #expect(error.category == .http, "\(error)")
            #expect(error.status == status)
            #expect(error.attempts == attempts)
            #expect(error.serverMessages == ["scripted \(status)"])
            #expect(error.exitStatus == 3)
        }
        #expect(server.requests.count == attempts)
        // Backoff d = min(0.5·2^(n−1), 20) drawn from [d/2, d]: at the top of the range here.
        let expected: [Double] = attempts == 3 ? [0.5, 1.0] : attempts == 8 ? [0.5, 1, 2, 4, 8, 16, 20] : []
        #expect(zip(time.sleeps, expected).allSatisfy { abs($0 - $1) < 0.001 } && time.sleeps.count == expected.count,
                "\(time.sleeps)")
        await server.stop()
    }

    @Test func backoffIsJitteredWithinHalfToFull() {
        let p = RetryPolicy()
        for attempt in 1...8 {
            let d = min(0.5 * Double(1 << (attempt - 1)), 20)
            #expect(abs(p.backoff(afterAttempt: attempt, random: 0) - d / 2) < 1e-9)
            #expect(abs(p.backoff(afterAttempt: attempt, random: 0.999_999_999) - d) < 1e-6)
        }
    }

    @Test func aFailureThenSuccessIsRetriedAndSucceeds() async throws {
        let server = try await ScriptedServer { n, _ in
            n == 0 ? ScriptedServer.Reply(status: 503, body: #"{"statusCode":503,"message":"busy"}"#) : Self.ok
        }
        let time = FakeTime(random: 0)
        let trace = TraceLog()
        let client = try Clients.forServer(server.url, time: time)
        client.setTrace { trace.record($0) }
        _ = try await client.summary(CallContext())
        #expect(server.requests.count == 2)
        #expect(time.sleeps == [0.25])
        #expect(trace.all.map(\.status) == [503, 200])
        #expect(trace.all.map(\.attempt) == [1, 2])
        #expect(trace.all.map(\.waitedBefore) == [0, 0.25])
        await server.stop()
    }

    @Test(arguments: [("7", 7.0), ("0", 0.0), ("Sun, 15 Nov 2026 12:00:30 GMT", 30.0),
                      ("Sunday, 15-Nov-26 12:00:12 GMT", 12.0), ("Sun Nov 15 12:00:05 2026", 5.0)])
    func retryAfterInSecondsOrAsADateIsHonoured(header: String, seconds: Double) async throws {
        let server = try await ScriptedServer { n, _ in
            n == 0 ? ScriptedServer.Reply(status: 429, headers: [("Retry-After", header)], body: "{}") : Self.ok
        }
        let time = FakeTime()  // its wall clock is 2026-11-15T12:00:00Z
        let client = try Clients.forServer(server.url, time: time)
        _ = try await client.summary(CallContext())
        #expect(time.sleeps == [seconds])
        await server.stop()
    }

    @Test func aRetryAfterBeyondAMinuteFailsAtOnceWithTheReason() async throws {
        let server = try await Self.failing(503, headers: [("Retry-After", "120")])
        let time = FakeTime()
        let client = try Clients.forServer(server.url, time: time)
        await expectAPIError({
            _ = try await client.summary(CallContext())
        }) { e in
            return e.attempts == 1 && e.detail.contains("asked to wait 120 s") && e.detail.contains("at most 60 s")
        }
        #expect(time.sleeps.isEmpty && server.requests.count == 1)
        await server.stop()
    }

    @Test func aRetryAfterBeyondTheStatementBudgetFailsAtOnce() async throws {
        let server = try await Self.failing(429, headers: [("Retry-After", "40")])
        let time = FakeTime()
        let client = try Clients.forServer(server.url, time: time)
        let statement = CallContext(retryBudget: 60)
        // The first wait (40 s) fits in the budget; the second would pass it.
        await expectAPIError({
            _ = try await client.summary(statement)
        }) { e in
            return e.attempts == 2 && e.detail.contains("retry budget")
        }
        #expect(time.sleeps == [40])
        #expect(statement.retryBudgetLeft == 20)
        await server.stop()
    }

    @Test func invalidJSONIsRetriedThenReportedWithTheRequest() async throws {
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(body: #"{"data": [1, 2"#) }
        let time = FakeTime()
        let client = try Clients.forServer(server.url, time: time)
        await expectAPIError({
            _ = try await client.messaging(since: "2026-11-01", CallContext())
        }) { e in
            return e.category == .invalidResponse && e.attempts == 3 && e.status == 200
                && e.requestLine.hasSuffix("/reports/messaging?since=2026-11-01")
                && e.detail.contains("not valid JSON") && e.detail.contains("unexpected end of input")
        }
        #expect(server.requests.count == 3)
        await server.stop()
    }

    @Test func aRefusedConnectionIsRetriedThenANetworkError() async throws {
        // A port that was just free: nothing listens there.
        let server = try await ScriptedServer { _, _ in Self.ok }
        let url = server.url
        await server.stop()
        let time = FakeTime()
        let client = try Clients.forServer(url, time: time)
        await expectAPIError({
            _ = try await client.summary(CallContext())
        }) { e in
            return e.category == .network && e.attempts == 3 && e.exitStatus == 4 && e.detail.contains("could not connect")
        }
        #expect(time.sleeps.count == 2)
    }

    @Test func theRetryQuotaStopsAStorm() {
        let bucket = RetryTokenBucket()
        var granted = 0
        while bucket.takeRetry(host: "h", timeout: false) { granted += 1 }
        #expect(granted == 100, "500 tokens at 5 a retry")
        for _ in 0..<10 { bucket.recordSuccess(host: "h") }
        #expect(bucket.takeRetry(host: "h", timeout: false))
        #expect(!bucket.takeRetry(host: "h", timeout: true), "a timeout retry costs 10")
        #expect(bucket.available(host: "other") == 500, "per host")
    }

    @Test func httpDatesParseInAllThreeForms() {
        let want = Instant(year: 1994, month: 11, day: 6, hour: 8, minute: 49, second: 37)
        for s in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(RetryPolicy.retryAfterSeconds(s, now: want.adding(seconds: -10)) == 10, "\(s)")
        }
        #expect(RetryPolicy.retryAfterSeconds("soon", now: want) == nil)
        #expect(RetryPolicy.retryAfterSeconds("Sun, 06 Nov 1994 08:49:37 GMT", now: want.adding(seconds: 5)) == 0)
    }
}
