import MQClient
import MQCore
import MQTestSupport
import Testing

/// The page stream against mosend-sim: every shape, every end, limits, loops and caps.
@Suite struct PagingTests {
    static func requests(_ sim: SimProcess) throws -> Int {
        try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)["requests"]!.intValue!
    }

    @Test(arguments: [("top", "null"), ("meta", "null"), ("pagination", "absent"), ("snake", "empty"),
                      ("next_cursor", "null"), ("top", "absent"), ("meta", "empty")])
    func fullScanUnderEveryCursorShape(style: String, end: String) async throws {
        let sim = try Sims.with(["--contacts", "400", "--orgs", "1", "--cursor-style", style, "--end-cursor", end])
        let truth = try Sims.truth(sim, sim.orgs[0])
        let client = try Clients.forSim(sim)
        let (rows, pages, error) = await Clients.scanAll(client, ListQuery(since: "2026-03"))
        #expect(error == nil)
        expectSameRows(rows.map { $0.objectValue! }, truth.customers(since: Instant(year: 2026, month: 3, day: 1)))
        #expect(pages.count == (rows.count + 99) / 100, "pages of 100")
        #expect(pages.last?.nextCursor == nil)
        #expect(zip(pages, pages.dropFirst()).allSatisfy { $0.nextCursor == $1.cursor })
    }

    @Test func everyFilterIsSentAndAnswered() async throws {
        let sim = try Sims.standard()
        let truth = try Sims.truth(sim, sim.orgs[0])
        let client = try Clients.forSim(sim)
        let q = ListQuery(since: "2026-01-01", until: "2026-10-01T00:00:00Z", category: "support",
                               resolutionOutcome: "resolved", search: "+5")
        let (rows, _, error) = await Clients.scanAll(client, q)
        #expect(error == nil)
        let expected = truth.customers(since: Instant(year: 2026, month: 1, day: 1), until: Instant(year: 2026, month: 10, day: 1),
                                       category: "support", outcome: "resolved", q: "+5")
        #expect(!expected.isEmpty)
        expectSameRows(rows.map { $0.objectValue! }, expected)
    }

    /// A met limit sends no further request, and asks only for the rows it needs.
    @Test(arguments: [1, 20, 100, 101, 250])
    func aRowLimitStopsPaging(limit: Int) async throws {
        let sim = try SimProcess(["--contacts", "600", "--orgs", "1"])
        let truth = try Sims.truth(sim, sim.orgs[0])
        let client = try Clients.forSim(sim)
        let (rows, pages, error) = await Clients.scanAll(client, ListQuery(rowLimit: limit))
        #expect(error == nil)
        expectSameRows(rows.map { $0.objectValue! }, Array(truth.customers().prefix(limit)))
        #expect(pages.count == (limit + 99) / 100)
        #expect(try Self.requests(sim) == pages.count, "no request after the limit was met")
    }

    @Test func anEmptyPageThatCarriesACursorIsFollowed() async throws {
        let sim = try Sims.with(["--contacts", "600", "--orgs", "1", "--scan-budget", "25"])
        let truth = try Sims.truth(sim, sim.orgs[0])
        let client = try Clients.forSim(sim)
        let (rows, pages, error) = await Clients.scanAll(client, ListQuery(resolutionOutcome: "escalated"))
        #expect(error == nil)
        #expect(pages.dropLast().contains { $0.rows.isEmpty && $0.nextCursor != nil })
        expectSameRows(rows.map { $0.objectValue! }, truth.customers(outcome: "escalated"))
    }

    /// A repeating cursor is an error within 3 requests, and the rows before it stay.
    @Test func aRepeatedCursorEndsTheScanQuickly() async throws {
        let sim = try SimProcess(["--contacts", "300", "--orgs", "1", "--repeat-cursor-after", "2"])
        let truth = try Sims.truth(sim, sim.orgs[0])
        let client = try Clients.forSim(sim)
        let (rows, pages, error) = await Clients.scanAll(client, ListQuery(rowLimit: nil))
        let e = try #require(error)
        #expect(e.category == .cursorLoop)
        #expect(e.stoppedAtCursor != nil)
        #expect(e.detail.contains("already followed"))
        // Pages 1 and 2 advanced; page 3 came back with its own cursor: 3 requests in all.
        #expect(try Self.requests(sim) == 3)
        #expect(pages.count == 2)
        expectSameRows(rows.map { $0.objectValue! }, Array(truth.customers().prefix(200)))
        // It said "stops with 300 rows" while the 200 before were what the scan kept.
        #expect(e.detail.contains("the scan stops with the 200 rows before that page"), "\(e.detail)")
    }

    /// A server whose pages repeat the same ids gave `count` 10 for 2 contacts: a row id
    /// seen again in one scan is left out, and the page says how many.
    @Test func rowsServedTwiceInOneScanAreKeptOnce() async throws {
        let server = try await ScriptedServer { n, _ in
            let rows = n == 0 ? #"[{"id":"a"},{"id":"b"}]"# : n < 4 ? #"[{"id":"a"},{"id":"b"}]"# : #"[{"id":"b"},{"id":"c"}]"#
            let next = n < 4 ? #""p\#(n + 1)""# : "null"
            return ScriptedServer.Reply(body: #"{"data":\#(rows),"nextCursor":\#(next)}"#)
        }
        let client = try Clients.forServer(server.url)
        let (rows, pages, error) = await Clients.scanAll(client)
        #expect(error == nil)
        #expect(rows.compactMap { $0["id"]?.stringValue } == ["a", "b", "c"])
        #expect(pages.map(\.repeatedRows) == [0, 2, 2, 2, 1])
        client.shutdown()
        await server.stop()
    }

    @Test func thePageCapEndsARunawayScan() async throws {
        let sim = try SimProcess(["--contacts", "500", "--orgs", "1", "--page-max", "10"])
        let client = try Clients.forSim(sim) { $0.pageCap = 4 }
        let (rows, pages, error) = await Clients.scanAll(client)
        let e = try #require(error)
        #expect(e.category == .pageCap)
        #expect(pages.count == 4 && rows.count == 40)
        #expect(try Self.requests(sim) == 4)
        #expect(e.stoppedAtCursor == pages.last?.nextCursor)
    }

    @Test func aServerCapBelowThePageSizeIsJustFollowed() async throws {
        let sim = try SimProcess(["--contacts", "300", "--orgs", "1", "--page-max", "30"])
        let truth = try Sims.truth(sim, sim.orgs[0])
        let client = try Clients.forSim(sim)
        let (rows, pages, error) = await Clients.scanAll(client)
        #expect(error == nil)
        #expect(pages.allSatisfy { $0.rows.count <= 30 })
        expectSameRows(rows.map { $0.objectValue! }, truth.customers())
    }

    @Test(arguments: [
        (#"{"data":null,"timestamp":"t"}"#, 0),
        (#"{"data":{"id":"only"},"timestamp":"t"}"#, 1),
        (#"{"data":[{"id":"a"},{"id":"b"}],"meta":{"nextCursor":""}}"#, 2),
    ])
    func dataNullOrAnObjectIsAPage(body: String, count: Int) async throws {
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(body: body) }
        let client = try Clients.forServer(server.url)
        let (rows, pages, error) = await Clients.scanAll(client)
        #expect(error == nil)
        #expect(rows.count == count && pages.count == 1)
        await server.stop()
    }

    @Test func aBodyWithoutDataIsAnInvalidResponse() async throws {
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(body: #"{"items":[]}"#) }
        let client = try Clients.forServer(server.url)
        let (_, _, error) = await Clients.scanAll(client)
        #expect(error?.category == .invalidResponse)
        #expect(error?.detail.contains("\"data\" is missing") == true)
        await server.stop()
    }

    @Test func aBearerTokenWorksAsTheKeyDoes() async throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let withKey = try Clients.forSim(sim)
        let withToken = try MosendClient(ClientConfiguration(baseURL: sim.url, orgId: org.id,
                                                             credentials: Credentials(bearer: org.token)))
        #expect(try await withToken.summary(CallContext()) == withKey.summary(CallContext()))
    }

    @Test func everyEndpointReturnsItsData() async throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let client = try Clients.forSim(sim)
        let st = CallContext()
        func served(_ rest: String) throws -> JSON {
            try JSONParser.parse(CurlClient().get(sim.reportURL(org, rest), headers: ["X-Api-Key": org.apiKey]).body)["data"]!
        }
        #expect(try await client.summary(st) == served("summary"))
        #expect(try await client.billing(st) == served("billing"))
        #expect(try await .array(client.messaging(since: nil, st)) == served("messaging"))
        #expect(try await .array(client.messaging(since: "2026-11-01", st)) == served("messaging?since=2026-11-01"))
        let id = try Sims.truth(sim, org).contacts[3]["id"]!.stringValue!
        #expect(try await client.customer(id: id, st) == served("customers/\(id)"))
    }
}
