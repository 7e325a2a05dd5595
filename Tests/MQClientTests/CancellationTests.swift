import Foundation
import MQClient
import MQCore
import MQTestSupport
import Testing

/// One call cancels every transfer of a statement; all stop within 100 ms and the caller
/// gets `cancelled`, never a hang. Serialized: the bound is about latency, so these do not
/// compete with each other for the two cores.
@Suite(.serialized) struct CancellationTests {
    static func ms(since start: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: .now).components
        return Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15
    }

    @Test func cancellingMidScanStopsAtOnce() async throws {
        // Every response takes 5 s, so the scan is surely mid-request when cancelled.
        let sim = try Sims.with(["--contacts", "300", "--orgs", "1", "--latency-ms", "5000"])
        let client = try Clients.forSim(sim, time: nil)
        let statement = CallContext()
        let scan = Task { try await statement.run { await Clients.scanAll(client, statement: statement) } }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        statement.cancel()
        let (rows, _, error) = try await scan.value
        let took = Self.ms(since: start)
        #expect(took < 100, "returned \(took) ms after cancel")
        #expect(error?.category == .cancelled)
        #expect(error?.exitStatus == 130)
        #expect(rows.isEmpty)
    }

    @Test func cancellingMidFanOutStopsEveryTransfer() async throws {
        let sim = try Sims.with(["--contacts", "300", "--orgs", "1", "--latency-ms", "5000"])
        let ids = try Sims.truth(sim, sim.orgs[0]).contacts.prefix(30).map { $0["id"]!.stringValue! }
        let client = try Clients.forSim(sim, time: nil)
        let statement = CallContext()
        let fan = Task { try await statement.run { await client.customers(ids: ids, statement) } }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        statement.cancel()
        let results = try await fan.value
        let took = Self.ms(since: start)
        #expect(took < 100, "returned \(took) ms after cancel")
        #expect(results.count == 30)
        #expect(results.allSatisfy { if case .failure(let e) = $0 { e.category == .cancelled } else { false } })
    }

    @Test func cancellingDuringARetryWaitStopsAtOnce() async throws {
        let server = try await ScriptedServer { _, _ in
            ScriptedServer.Reply(status: 503, headers: [("Retry-After", "30")], body: "{}")
        }
        let client = try Clients.forServer(server.url) { _ in }
        let live = try MosendClient(client.configuration, environment: .live)
        let statement = CallContext()
        let call = Task { try await statement.run { try await live.summary(statement) } }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        statement.cancel()
        await expectAPIError({ try await call.value }) { $0.category == .cancelled }
        #expect(Self.ms(since: start) < 100)
        #expect(server.requests.count == 1)
        await server.stop()
    }

    @Test func aCancelledStatementSendsNothingMore() async throws {
        let sim = try SimProcess(["--contacts", "50", "--orgs", "1"])
        let client = try Clients.forSim(sim)
        let statement = CallContext()
        statement.cancel()
        await expectAPIError({ try await statement.run { try await client.summary(statement) } }) { $0.category == .cancelled }
        let stats = try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)
        #expect(stats["requests"] == 0)
    }

    @Test func aWholeRequestTimeoutIsANetworkError() async throws {
        let sim = try Sims.with(["--contacts", "20", "--orgs", "1", "--latency-ms", "3000"])
        let client = try Clients.forSim(sim) {
            $0.transport.totalTimeout = 0.4
            $0.retry.maxAttempts = 1
        }
        await expectAPIError({ try await client.summary(CallContext()) }) { e in
            return e.category == .network && e.detail.contains("longer than the request timeout")
        }
    }
}
