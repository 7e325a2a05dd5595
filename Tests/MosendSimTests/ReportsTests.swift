import MQCore
import MosendSim
import MQTestSupport
import Testing

/// Summary, billing, messaging and customer detail against the ground truth, and the
/// reports against one another.
@Suite struct ReportsTests {
    func get(_ sim: SimProcess, _ org: SimProcess.Org, _ rest: String, client: CurlClient = CurlClient()) throws -> JSON {
        let r = client.get(sim.reportURL(org, rest), headers: ["X-Api-Key": org.apiKey])
        guard r.status == 200 else { throw TestFailure("\(rest): HTTP \(r.status) \(r.text)") }
        let body = try JSONParser.parse(r.body)
        // The envelope: data plus the simulator's clock as the timestamp.
        #expect(body["timestamp"]?.stringValue == "2026-11-15T12:00:00.000Z")
        return body["data"]!
    }

    @Test func summaryEqualsGroundTruth() throws {
        let sim = try Sims.standard()
        for org in sim.orgs {
            expectSameJSON(try get(sim, org, "summary"), try Sims.truth(sim, org).summary(), org.name)
        }
    }

    @Test func billingEqualsGroundTruth() throws {
        let sim = try Sims.standard()
        for org in sim.orgs {
            let billing = try get(sim, org, "billing")
            expectSameJSON(billing, try Sims.truth(sim, org).billing(), org.name)
            #expect(billing["usage"]!.arrayValue!.count == 4)
        }
    }

    @Test(arguments: [nil, "2026-11-01", "2026-10-15T18:30:00Z", "2025-01-01", "2026-11-15", "2027-01-01"])
    func messagingEqualsGroundTruth(since: String?) throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let truth = try Sims.truth(sim, org)
        let data = try get(sim, org, "messaging" + (since.map { "?since=\($0)" } ?? ""))
        let from = since.map { Instant.parseISO8601($0)!.instant } ?? truth.now.adding(days: -30)
        let expected = truth.messaging(since: from)
        expectSameJSON(data, .array(expected))
        if since == nil { #expect(expected.count == 31, "30 days ago through today") }
    }

    @Test func customerDetailEqualsGroundTruth() throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let truth = try Sims.truth(sim, org)
        let client = CurlClient()
        // The busiest contact, one without email, and a few others.
        let byContact = Dictionary(grouping: truth.conversations, by: { $0["contactId"]!.stringValue! })
        let busiest = byContact.max { $0.value.count < $1.value.count }!.key
        let noEmail = truth.contacts.first { $0["email"]!.isNull }!["id"]!.stringValue!
        let ids = [busiest, noEmail] + truth.contacts.prefix(5).map { $0["id"]!.stringValue! }
        for id in ids {
            var detail = try get(sim, org, "customers/\(id)", client: client).objectValue!
            let timeline = detail["timeline"]!.arrayValue!.map { $0.objectValue! }
            detail["timeline"] = nil
            expectSameRows([detail], [truth.detail(id: id)], "contact \(id)")
            checkTimeline(timeline, truth.conversations(ofContact: id), now: truth.now)
        }
    }

    /// The timeline is generated, so check what it must agree with: one `opened` and
    /// `message_in`/`message_out` per message of each conversation, a final `resolved` at
    /// `resolvedAt`, labels added, newest first, nothing after the clock.
    func checkTimeline(_ events: [JSONObject], _ convs: [JSONObject], now: Instant) {
        let times = events.map { Truth.at($0, "at") }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 >= $1 }, "newest first")
        #expect(times.allSatisfy { $0 <= now })
        for c in convs {
            let id = c["id"]!.stringValue!
            let mine = events.filter { $0["conversationId"]!.stringValue == id }
            func count(_ t: String) -> Int { mine.filter { $0["type"]!.stringValue == t }.count }
            #expect(count("conversation_opened") == 1)
            #expect(count("message_in") == c["messagesIn"]!.intValue!)
            #expect(count("message_out") == c["messagesOut"]!.intValue!)
            #expect(count("label_added") == c["labels"]!.arrayValue!.count)
            if let r = c["resolvedAt"]!.stringValue {
                #expect(mine.contains { $0["type"]!.stringValue == "resolved" && $0["at"]!.stringValue == r })
                #expect(count("resolved") == count("reopened") + 1)
            } else {
                #expect(count("resolved") == 0)
            }
            #expect(count("agent_assigned") == (c["agent"]!.isNull ? 0 : 1))
            let opened = mine.first { $0["type"]!.stringValue == "conversation_opened" }!
            #expect(opened["at"] == c["openedAt"])
            #expect(mine.allSatisfy { Truth.at($0, "at") >= Truth.at(c, "openedAt") })
        }
        #expect(Set(events.map { $0["type"]!.stringValue! }).isSubset(of: [
            "conversation_opened", "message_in", "message_out", "agent_assigned", "label_added", "resolved", "reopened",
        ]))
    }

    /// api.md: customers sum to the summary's totals, and messaging days sum to the same
    /// message totals.
    @Test func reportsAgreeWithOneAnother() throws {
        let sim = try Sims.standard()
        for org in sim.orgs {
            let summary = try get(sim, org, "summary")
            let rows = try Paging.scan(sim, org, [("limit", "100")]).rows
            func sum(_ k: String) -> Int { rows.reduce(0) { $0 + $1[k]!.intValue! } }
            #expect(rows.count == summary["contacts"]!.intValue!)
            #expect(sum("conversations") == summary["conversations"]!["total"]!.intValue!)
            #expect(sum("messagesOut") == summary["messages"]!["sent"]!.intValue!)
            #expect(sum("messagesIn") == summary["messages"]!["received"]!.intValue!)

            let from = String(summary["period"]!["from"]!.stringValue!.prefix(10))
            let days = try get(sim, org, "messaging?since=\(from)").arrayValue!
            func daySum(_ k: String) -> Int { days.reduce(0) { $0 + $1[k]!.intValue! } }
            #expect(daySum("sent") == summary["messages"]!["sent"]!.intValue!)
            #expect(daySum("received") == summary["messages"]!["received"]!.intValue!)
            #expect(daySum("conversationsOpened") == summary["conversations"]!["total"]!.intValue!)
            #expect(daySum("conversationsResolved") == summary["conversations"]!["resolved"]!.intValue!)
            #expect(daySum("delivered") == daySum("sent") - daySum("failed"))

            // A window's rows sum to the messaging days of the same window.
            let windowRows = try Paging.scan(sim, org, [("since", "2026-10-01"), ("limit", "100")]).rows
            let windowDays = try get(sim, org, "messaging?since=2026-10-01").arrayValue!
            #expect(windowRows.reduce(0) { $0 + $1["conversations"]!.intValue! }
                    == windowDays.reduce(0) { $0 + $1["conversationsOpened"]!.intValue! })

            let billing = try get(sim, org, "billing")
            let usage = billing["usage"]!.arrayValue!
            #expect(usage.reduce(0) { $0 + $1["conversations"]!.intValue! } == billing["conversationsBilled"]!.intValue!)
            let monthDays = try get(sim, org, "messaging?since=2026-11-01").arrayValue!
            #expect(monthDays.reduce(0) { $0 + $1["conversationsOpened"]!.intValue! } == billing["conversationsBilled"]!.intValue!)
        }
    }
}

/// Every timeline of a data set, in process: a conversation's replies come from its first
/// response on, spread out (not stacked on one instant), and before its resolution.
@Suite struct TimelineOrderTests {
    @Test(arguments: ["2026-11-15T12:00:00Z", "2026-11-29T15:03:00Z"])
    func repliesFollowTheFirstResponseAndPrecedeTheResolution(now: String) throws {
        var config = SimConfiguration()
        config.orgs = 1
        config.now = Instant.parseISO8601(now)!.instant
        let engine = SimEngine(configuration: config)
        let org = engine.organizations[0]
        func get(_ path: String) throws -> JSON {
            let r = engine.handle(SimRequest(path: "/organizations/\(org.id)/reports/" + path, apiKey: org.apiKey))
            guard r.status == 200 else { throw TestFailure("\(path): HTTP \(r.status)") }
            return try JSONParser.parse(r.body)["data"]!
        }
        var stacked: [String] = [], late: [String] = [], early: [String] = []
        var checked = 0
        // Every contact of the org, through the list's cursor.
        var cursor: String? = nil
        repeat {
            let r = engine.handle(SimRequest(path: "/organizations/\(org.id)/reports/customers",
                                             query: [("limit", "100")] + (cursor.map { [("cursor", $0)] } ?? []),
                                             apiKey: org.apiKey))
            let body = try JSONParser.parse(r.body)
            cursor = body["nextCursor"]?.stringValue
            for row in body["data"]!.arrayValue! {
                let id = row["id"]!.stringValue!
                let detail = try get("customers/\(id)")
                let events = detail["timeline"]!.arrayValue!
                for (conversation, mine) in Dictionary(grouping: events, by: { $0["conversationId"]!.stringValue! }) {
                    let replies = mine.filter { $0["type"]?.stringValue == "message_out" }.map { $0["at"]!.stringValue! }
                    let resolved = mine.filter { $0["type"]?.stringValue == "resolved" }.map { $0["at"]!.stringValue! }.max()
                    let opened = mine.first { $0["type"]?.stringValue == "conversation_opened" }!["at"]!.stringValue!
                    // ISO 8601 in UTC with milliseconds: text order is time order.
                    if replies.count > 1 && Set(replies).count < replies.count - 1 { stacked.append(conversation) }
                    if let r = resolved, replies.contains(where: { $0 > r }) { late.append(conversation) }
                    if replies.contains(where: { $0 < opened }) { early.append(conversation) }
                    checked += 1
                }
            }
        } while cursor != nil
        #expect(checked > 5000, "\(checked) conversations")
        #expect(stacked.isEmpty, "replies on one instant: \(stacked.prefix(5))")
        #expect(late.isEmpty, "replies after the resolution: \(late.prefix(5))")
        #expect(early.isEmpty, "replies before the opening: \(early.prefix(5))")
    }
}
