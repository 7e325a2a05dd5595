import CCurl
import MQCore
import MQTestSupport
import Testing

/// Each fault flag does what it says, at its rate (within a tolerance), repeatably.
@Suite struct FaultTests {
    /// Distinct API requests: faults are drawn per request identity.
    static func urls(_ sim: SimProcess, _ org: SimProcess.Org, count: Int) -> [String] {
        (0..<count).map { i in
            switch i % 3 {
            case 0: return sim.reportURL(org, "customers?limit=\(i / 3 % 100 + 1)&since=2026-0\(i / 300 % 9 + 1)")
            case 1: return sim.reportURL(org, "messaging?since=2026-10-\(String(format: "%02d", i / 3 % 28 + 1))T0\(i / 84 % 10):00:00Z")
            default: return sim.reportURL(org, "customers?q=\(i)")
            }
        }
    }

    static func rate(_ n: Int, of total: Int) -> Double { Double(n) / Double(total) }

    @Test func failRateAnswers500or503() throws {
        let sim = try Sims.with(["--contacts", "200", "--orgs", "1", "--fail-rate", "0.3"])
        let org = sim.orgs[0]
        let client = CurlClient()
        let responses = Self.urls(sim, org, count: 300).map { client.get($0, headers: ["X-Api-Key": org.apiKey]) }
        let failed = responses.filter { $0.status == 500 || $0.status == 503 }
        #expect(responses.allSatisfy { [200, 500, 503].contains($0.status) })
        #expect((0.22...0.38).contains(Self.rate(failed.count, of: 300)), "\(failed.count) of 300 failed")
        #expect(Set(failed.map(\.status)) == [500, 503])
        for r in failed {
            let body = try JSONParser.parse(r.body)
            #expect(body["statusCode"] == .int(r.status))
        }
        // Asking again draws again: a retry can succeed.
        let same = (0..<30).map { _ in client.get(sim.reportURL(org, "summary"), headers: ["X-Api-Key": org.apiKey]).status }
        #expect(same.contains(200) && same.contains { $0 >= 500 })
    }

    @Test func faultsRepeatWithTheSeed() throws {
        let args = ["--contacts", "100", "--orgs", "1", "--seed", "9", "--fail-rate", "0.25", "--malformed-rate", "0.2"]
        let a = try SimProcess(args)
        let b = try SimProcess(args)
        func run(_ sim: SimProcess) -> [String] {
            let client = CurlClient()
            let org = sim.orgs[0]
            return (Self.urls(sim, org, count: 60) + Array(repeating: sim.reportURL(org, "billing"), count: 20)).map {
                let r = client.get($0, headers: ["X-Api-Key": org.apiKey])
                return "\(r.status):\(r.body.count)"
            }
        }
        #expect(run(a) == run(b))
    }

    @Test func rateLimitAnswers429WithRetryAfter() throws {
        let sim = try Sims.with(["--contacts", "50", "--orgs", "1", "--rate-limit", "5"])
        let org = sim.orgs[0]
        let client = CurlClient()
        let start = ContinuousClock.now
        let responses = (0..<40).map { _ in client.get(sim.reportURL(org, "summary"), headers: ["X-Api-Key": org.apiKey]) }
        let elapsed = start.duration(to: .now)
        let ok = responses.filter { $0.status == 200 }.count
        let limited = responses.filter { $0.status == 429 }
        #expect(ok + limited.count == 40)
        #expect(!limited.isEmpty)
        // At most 5 in each one-second window the burst touched.
        let windows = Int(elapsed.components.seconds) + 2
        #expect(ok <= 5 * windows, "\(ok) served in \(elapsed)")
        for r in limited {
            #expect(r.header("Retry-After") == "1")
            #expect(try JSONParser.parse(r.body)["statusCode"] == 429)
        }
    }

    @Test func dropRateClosesTheConnectionMidBody() throws {
        let sim = try Sims.with(["--contacts", "200", "--orgs", "1", "--drop-rate", "0.3"])
        let org = sim.orgs[0]
        let client = CurlClient()
        let responses = Self.urls(sim, org, count: 240).map { client.get($0, headers: ["X-Api-Key": org.apiKey]) }
        let dropped = responses.filter { $0.curlCode == CURLE_PARTIAL_FILE }
        #expect(responses.allSatisfy { $0.curlCode == CURLE_OK || $0.curlCode == CURLE_PARTIAL_FILE })
        #expect((0.22...0.38).contains(Self.rate(dropped.count, of: 240)), "\(dropped.count) of 240 dropped")
        for r in dropped {
            let declared = Int(r.header("Content-Length") ?? "") ?? 0
            #expect(r.body.count < declared, "fewer bytes than announced")
        }
        for r in responses where r.curlCode == CURLE_OK { #expect(throws: Never.self) { try JSONParser.parse(r.body) } }
    }

    @Test func malformedRateSends200WithBrokenJSON() throws {
        let sim = try Sims.with(["--contacts", "200", "--orgs", "1", "--malformed-rate", "0.3"])
        let org = sim.orgs[0]
        let client = CurlClient()
        let responses = Self.urls(sim, org, count: 240).map { client.get($0, headers: ["X-Api-Key": org.apiKey]) }
        #expect(responses.allSatisfy { $0.status == 200 && $0.curlCode == CURLE_OK })
        let broken = responses.filter { (try? JSONParser.parse($0.body)) == nil }
        #expect((0.22...0.38).contains(Self.rate(broken.count, of: 240)), "\(broken.count) of 240 broken")
        // Several kinds of breakage, not one.
        let html = broken.filter { $0.body.first == UInt8(ascii: "<") }.count
        let truncated = broken.filter { $0.body.last != UInt8(ascii: "}") && $0.body.first == UInt8(ascii: "{") }.count
        #expect(html > 0 && truncated > 0)
        let stats = try JSONParser.parse(client.get(sim.url + "/_sim/stats").body)
        #expect(stats["faults"]!["malformed"] == .int(broken.count))
    }

    @Test func latencyDelaysEveryApiResponse() throws {
        let sim = try Sims.with(["--contacts", "20", "--orgs", "1", "--latency-ms", "120"])
        let org = sim.orgs[0]
        let client = CurlClient()
        for rest in ["summary", "customers?limit=3", "nope"] {
            let r = client.get(sim.reportURL(org, rest), headers: ["X-Api-Key": org.apiKey])
            #expect(r.seconds >= 0.12, "\(rest) took \(r.seconds) s")
        }
    }

    @Test func statsCountRequestsByRouteAndStatusAndReset() throws {
        let sim = try SimProcess(["--contacts", "20", "--orgs", "1"])
        let org = sim.orgs[0]
        let client = CurlClient()
        let key = ["X-Api-Key": org.apiKey]
        for _ in 0..<3 { _ = client.get(sim.reportURL(org, "summary"), headers: key) }
        _ = client.get(sim.reportURL(org, "customers?limit=0"), headers: key)
        _ = client.get(sim.reportURL(org, "customers"))
        _ = client.get(sim.url + "/_sim/dataset", headers: key)  // not an API call: not counted
        let stats = try JSONParser.parse(client.get(sim.url + "/_sim/stats?reset=1").body)
        #expect(stats["requests"] == 5)
        #expect(stats["routes"]!["GET /organizations/:orgId/reports/summary"] == ["200": 3])
        #expect(stats["routes"]!["GET /organizations/:orgId/reports/customers"] == ["400": 1, "401": 1])
        let after = try JSONParser.parse(client.get(sim.url + "/_sim/stats").body)
        #expect(after["requests"] == 0)
        _ = client.get(sim.reportURL(org, "billing"), headers: key)
        let deleted = try JSONParser.parse(client.get(sim.url + "/_sim/stats", method: "DELETE").body)
        #expect(deleted["requests"] == 0)
    }
}
