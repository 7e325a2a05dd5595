@testable import MQClient
import MQCore
import MQTestSupport
import Testing

/// Detail fan-out: deduplicated, in input order, within the concurrency bound, and easing
/// off when the server says 429.
@Suite struct FanOutTests {
    static func stats(_ sim: SimProcess) throws -> JSON {
        try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)
    }

    @Test func resultsComeInInputOrderEachIdFetchedOnce() async throws {
        let sim = try SimProcess(["--contacts", "200", "--orgs", "1"])
        let truth = try Sims.truth(sim, sim.orgs[0])
        let ids = truth.contacts.prefix(12).map { $0["id"]!.stringValue! }
        let asked = ids + ids.prefix(5).reversed() + ["00000000-0000-4000-8000-000000000000"]
        let client = try Clients.forSim(sim)
        let results = await client.customers(ids: asked, CallContext())
        #expect(results.count == asked.count)
        for (id, r) in zip(asked.dropLast(), results) {
            #expect((try? r.get())?["id"]?.stringValue == id)
        }
        // The unknown one fails alone, with a 404 that names it.
        if case .failure(let e) = results.last! {
            #expect(e.status == 404 && e.detail.contains("contact 00000000-0000-4000-8000-000000000000 was not found"))
        } else {
            Issue.record("an unknown contact should fail")
        }
        #expect(try Self.stats(sim)["requests"] == 13, "12 distinct ids and the unknown one")
    }

    @Test(arguments: [(3, 8), (8, 8), (16, 8)])
    func concurrencyStaysWithinTheBound(concurrency: Int, transportCap: Int) async throws {
        let sim = try SimProcess(["--contacts", "200", "--orgs", "1", "--latency-ms", "150"])
        let ids = try Sims.truth(sim, sim.orgs[0]).contacts.prefix(40).map { $0["id"]!.stringValue! }
        let client = try Clients.forSim(sim) {
            $0.concurrency = concurrency
            $0.transport.maxInFlight = transportCap
        }
        let results = await client.customers(ids: ids, CallContext())
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let peak = try Self.stats(sim)["peakInFlight"]!.intValue!
        // At the bound, and never above it: the server saw exactly this many at once.
        #expect(peak == min(concurrency, transportCap), "peak in flight \(peak)")
    }

    @Test func theLimitHalvesOn429AndRecoversSlowly() async throws {
        var clock = 0.0
        let limit = AdaptiveLimit(maximum: 8, monotonic: { [clock] in clock })
        #expect(limit.current == 8)
        limit.observe(status: 429)
        #expect(limit.current == 4)
        limit.observe(status: 429)
        #expect(limit.current == 4, "a burst of 429s within a second is one signal")
        clock = 2
        let later = AdaptiveLimit(maximum: 8, monotonic: { [clock] in clock })
        later.observe(status: 429)
        #expect(later.current == 4)
        // +1 after as many successes as the current limit.
        for _ in 0..<3 { later.observe(status: 200) }
        #expect(later.current == 4)
        later.observe(status: 200)
        #expect(later.current == 5)
        for _ in 0..<100 { later.observe(status: 200) }
        #expect(later.current == 8, "never above the maximum")
        let one = AdaptiveLimit(maximum: 1, monotonic: { 0 })
        one.observe(status: 429)
        #expect(one.current == 1, "never below one")
    }

    /// Seen from the server: 8 at once until a burst of 429s, then at most 4 at once.
    @Test func concurrencyHalvesAfter429s() async throws {
        let server = try await ScriptedServer { n, _ in
            n < 8
                ? ScriptedServer.Reply(status: 429, headers: [("Retry-After", "0")], body: "{}", delayMs: 60)
                : ScriptedServer.Reply(body: #"{"data":{"id":"x"}}"#, delayMs: 60)
        }
        let client = try Clients.forServer(server.url)
        let ids = (0..<24).map { String(format: "00000000-0000-4000-8000-%012d", $0) }
        let results = await client.customers(ids: ids, CallContext())
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let arrivals = server.requests.map(\.inFlightAtArrival)
        #expect(arrivals.prefix(8).max() == 8, "the first burst at the full limit: \(arrivals)")
        // The next 8 requests (retries and new ids) never saw more than 4 at once.
        #expect(arrivals.dropFirst(8).prefix(8).max()! <= 4, "\(arrivals)")
        await server.stop()
    }

    @Test func aRateLimitedFanOutEasesOffAndCompletes() async throws {
        let sim = try SimProcess(["--contacts", "200", "--orgs", "1", "--rate-limit", "10", "--latency-ms", "20"])
        let org = sim.orgs[0]
        let ids = try Sims.truth(sim, org).contacts.prefix(40).map { $0["id"]!.stringValue! }
        // Start inside an exhausted one-second window, so the fan-out meets a 429 however
        // slowly a loaded machine runs it (40 requests could otherwise spread over seconds
        // of 10 or fewer); if a second boundary slips in between, try again.
        var trace = TraceLog()
        for _ in 0..<5 {
            let probe = CurlClient()
            while probe.get(sim.reportURL(org, "summary"), headers: ["X-Api-Key": org.apiKey]).status != 429 {}
            trace = TraceLog()
            let log = trace
            let client = try Clients.forSim(sim, time: nil) { $0.retry.maxAttempts = 6 }
            client.setTrace { log.record($0) }
            let results = await client.customers(ids: ids, CallContext())
            #expect(results.allSatisfy { (try? $0.get()) != nil }, "\(results.compactMap { try? $0.get() }.count) of 40")
            client.shutdown()
            if trace.all.contains(where: { $0.status == 429 }) { break }
        }
        #expect(trace.all.contains { $0.status == 429 })
    }
}
