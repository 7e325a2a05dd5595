import MQClient
import MQCore
import MQTestSupport
import Testing

/// Full scans of 2,000 contacts while the simulator misbehaves: every ground-truth row
/// exactly once, or a clean error whose rows so far are exactly the start of the answer.
@Suite struct FaultScanTests {
    static let faults: [[String]] = [
        ["--fail-rate", "0.2"],
        ["--drop-rate", "0.2"],
        ["--malformed-rate", "0.2"],
        ["--fail-rate", "0.2", "--drop-rate", "0.2", "--malformed-rate", "0.2"],
        ["--fail-rate", "0.07", "--drop-rate", "0.07", "--malformed-rate", "0.07", "--seed", "5"],
    ]

    /// Each scan gets its own simulator: fault draws count requests per identity, so a
    /// shared one would make the outcome depend on which test ran first.
    @Test(arguments: faults)
    func fullScanUnderFaults(_ flags: [String]) async throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"] + flags)
        let truth = try Sims.truth(sim, sim.orgs[0]).customers()
        let time = FakeTime()
        let client = try Clients.forSim(sim, time: time)
        let (rows, pages, error) = await Clients.scanAll(client)
        let got = rows.map { $0.objectValue! }
        if let error {
            #expect([.http, .network, .invalidResponse].contains(error.category), "\(error)")
            #expect(error.attempts == 3, "gave up only after the last attempt: \(error)")
            #expect(error.stoppedAtCursor == pages.last?.nextCursor)
            expectSameRows(got, Array(truth.prefix(got.count)), "partial result")
        } else {
            expectSameRows(got, truth)
        }
        #expect(Set(got.map { $0["id"]! }).count == got.count, "no row twice")
        // Faults happened and were retried.
        #expect(!time.sleeps.isEmpty)
    }

    /// With enough attempts, every fault at 20 % is retried through (a page now fails
    /// only when 6 draws in a row do: 0.2⁶ ≈ 6e-5).
    @Test(arguments: faults.prefix(4))
    func faultsAreRetriedToCompletion(_ flags: [String]) async throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"] + flags)
        let truth = try Sims.truth(sim, sim.orgs[0]).customers()
        let client = try Clients.forSim(sim) { $0.retry.maxAttempts = flags.count > 2 ? 12 : 6 }
        let (rows, _, error) = await Clients.scanAll(client)
        #expect(error == nil, "\(String(describing: error))")
        expectSameRows(rows.map { $0.objectValue! }, truth)
    }

    @Test func aRateLimitedScanWaitsAsToldAndCompletes() async throws {
        let sim = try SimProcess(["--contacts", "500", "--orgs", "1", "--rate-limit", "3"])
        let org = sim.orgs[0]
        let truth = try Sims.truth(sim, org).customers()
        // Start inside an exhausted one-second window, so the scan meets a 429 however
        // slowly the machine runs; if a second boundary slips in between, try again.
        var trace = TraceLog()
        for _ in 0..<5 {
            let probe = CurlClient()
            while probe.get(sim.reportURL(org, "summary"), headers: ["X-Api-Key": org.apiKey]).status != 429 {}
            trace = TraceLog()
            let client = try Clients.forSim(sim, time: nil)  // real time: the limiter is wall-clock
            let log = trace
            client.setTrace { log.record($0) }
            let (rows, _, error) = await Clients.scanAll(client)
            #expect(error == nil, "\(String(describing: error))")
            expectSameRows(rows.map { $0.objectValue! }, truth)
            if trace.all.contains(where: { $0.status == 429 }) { break }
        }
        #expect(trace.all.contains { $0.status == 429 })
        // After each 429 the next attempt waited the Retry-After second.
        for (a, b) in zip(trace.all, trace.all.dropFirst()) where a.status == 429 {
            #expect(b.waitedBefore == 1)
        }
    }
}
