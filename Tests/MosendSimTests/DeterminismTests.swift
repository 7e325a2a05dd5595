import MQCore
import MQTestSupport
import Testing

/// Same seed, same bytes; another seed, other data.
@Suite struct DeterminismTests {
    /// Responses that cover every report and the raw data.
    func bodies(_ sim: SimProcess) throws -> [[UInt8]] {
        let client = CurlClient()
        var out: [[UInt8]] = []
        for org in sim.orgs {
            let key = ["X-Api-Key": org.apiKey]
            for rest in ["summary", "billing", "messaging", "messaging?since=2025-06-01", "customers",
                         "customers?limit=100&since=2026-03&category=support"] {
                let r = client.get(sim.reportURL(org, rest), headers: key)
                #expect(r.status == 200)
                out.append(r.body)
            }
            let scan = try Paging.scan(sim, org, [("limit", "37")], client: client)
            let someone = scan.rows[scan.rows.count / 2]["id"]!.stringValue!
            out.append(client.get(sim.reportURL(org, "customers/\(someone)"), headers: key).body)
            out.append(client.get(sim.url + "/_sim/dataset", headers: key).body)
        }
        return out
    }

    @Test func sameSeedGivesByteIdenticalResponsesAcrossStarts() throws {
        let a = try SimProcess(["--contacts", "1500", "--seed", "7"])
        let b = try SimProcess(["--contacts", "1500", "--seed", "7"])
        #expect(a.url != b.url, "two servers")
        // Same ids and keys in the first line, apart from the URL.
        #expect(a.announcement.replacingOccurrences(of: a.url, with: "") == b.announcement.replacingOccurrences(of: b.url, with: ""))
        let (x, y) = (try bodies(a), try bodies(b))
        #expect(x.count == y.count)
        for (i, (p, q)) in zip(x, y).enumerated() { #expect(p == q, "response \(i) differs") }
    }

    @Test func anotherSeedGivesOtherData() throws {
        let a = try Sims.standard()
        let b = try Sims.with(["--contacts", "2000", "--seed", "43"])
        #expect(a.orgs.map(\.id) != b.orgs.map(\.id))
        #expect(a.orgs.map(\.apiKey) != b.orgs.map(\.apiKey))
        let ta = try Sims.truth(a, a.orgs[0])
        let tb = try Sims.truth(b, b.orgs[0])
        #expect(ta.contacts.map { $0["name"]! } != tb.contacts.map { $0["name"]! })
        #expect(ta.conversations.count != tb.conversations.count)
    }

    @Test func theClockMovesTheData() throws {
        let sim = try Sims.with(["--contacts", "200", "--now", "2025-03-01T00:00:00Z", "--orgs", "1"])
        let truth = try Sims.truth(sim, sim.orgs[0])
        #expect(truth.now == Instant(year: 2025, month: 3, day: 1))
        #expect(truth.conversations.allSatisfy { Truth.at($0, "openedAt") < truth.now })
        #expect(Truth.at(truth.conversations.first!, "openedAt") >= truth.now.adding(days: -549))
        let r = CurlClient().get(sim.reportURL(sim.orgs[0], "billing"), headers: ["X-Api-Key": sim.orgs[0].apiKey])
        #expect(try JSONParser.parse(r.body)["data"]!["period"]!["start"] == "2025-03-01T00:00:00.000Z")
    }

    @Test func theFirstLineFollowsTheContract() throws {
        let sim = try Sims.with(["--contacts", "10", "--orgs", "3"])
        let line = try JSONParser.parse(sim.announcement)
        #expect(line.objectValue!.keys == ["url", "orgs"])
        #expect(sim.url.hasPrefix("http://127.0.0.1:"))
        #expect(sim.orgs.count == 3)
        for o in sim.orgs {
            #expect(o.apiKey.hasPrefix("mk_test_") && o.apiKey.contains("."))
            #expect(!o.token.isEmpty && !o.name.isEmpty)
            #expect(o.id.count == 36)
        }
        #expect(Set(sim.orgs.map(\.id)).count == 3)
    }
}
