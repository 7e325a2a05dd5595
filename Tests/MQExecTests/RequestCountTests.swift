import Foundation
import MQCore
import MQExec
import MQTestSupport
import Testing

/// How many requests a statement costs, counted by the client and by the simulator.
@Suite struct RequestCountTests {
    static func simRequests(_ sim: SimProcess) throws -> Int {
        try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)["requests"]!.intValue!
    }

    @Test func aPushedFilterAndLimitIsOneRequest() async throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"])
        let r = try await Runner.run("customers where category=billing | limit 5", sim: sim)
        #expect(r.status == 0)
        #expect(r.urls.count == 1)
        #expect(r.urls.first?.hasSuffix("/reports/customers?category=billing&limit=5") == true, "\(r.urls)")
        #expect(try Self.simRequests(sim) == 1)
    }

    @Test func aCountOverNRowsIsCeilingNOver100Requests() async throws {
        let sim = try SimProcess(["--contacts", "1234", "--orgs", "1"])
        let r = try await Runner.run("customers | count", sim: sim, format: .ndjson)
        #expect(r.output == "{\"count\":1234}\n")
        #expect(r.requests == 13)
        #expect(try Self.simRequests(sim) == 13)
    }

    @Test func aLocalLimitStopsPagingOnceMet() async throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"])
        // The local where keeps about half the rows: 150 of them arrive within 4 pages, not 20.
        let r = try await Runner.run("customers | where conversations > 1 | limit 150 | count", sim: sim, format: .ndjson)
        #expect(r.output == "{\"count\":150}\n")
        #expect(r.requests <= 5, "\(r.requests) requests")
    }

    @Test func aRepeatedQueryCostsNoRequest() async throws {
        let sim = try SimProcess(["--contacts", "800", "--orgs", "1"])
        let once = try await Runner.run("customers | count", sim: sim, format: .ndjson)
        let twice = try await Runner.run("customers | count; customers | where csat > 4 | count; summary; summary", sim: sim,
                                         format: .ndjson)
        #expect(once.requests == 8)
        // The second scan (other local stages) and the second summary come from the cache.
        #expect(twice.requests == once.requests + 1, "\(twice.urls)")
    }

    /// A scan that a pushed limit ends (`| limit 5` stops pulling after its page) is kept
    /// too: running it again, or with other local stages, makes no request.
    @Test func aRepeatedLimitedQueryCostsNoRequest() async throws {
        let sim = try SimProcess(["--contacts", "800", "--orgs", "1"])
        let q = "customers where category=billing | limit 5; customers | limit 250 | count"
        let once = try await Runner.run(q, sim: sim, format: .ndjson)
        let twice = try await Runner.run(q + "; " + q + "; customers where category=billing | limit 5 | select name", sim: sim,
                                         format: .ndjson)
        #expect(once.requests == 1 + 3)
        #expect(twice.requests == once.requests, "\(twice.urls)")
    }

    /// A scan longer than the cache keeps (2,500 rows) streams in constant memory and is
    /// fetched again when repeated.
    @Test func aLongScanIsNotKept() async throws {
        let sim = try SimProcess(["--contacts", "3000", "--orgs", "1"])
        let twice = try await Runner.run("customers | count; customers | count", sim: sim, format: .ndjson)
        #expect(twice.output == "{\"count\":3000}\n{\"count\":3000}\n")
        #expect(twice.requests == 2 * 30)
    }

    /// `customer "+34…"` (issue 15): one search of the customers list for the id, then the
    /// detail request with the id found; nothing else.
    @Test func aLookupIsOneSearchAndOneDetailRequest() async throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"])
        let r = try await Runner.run("customer \"+34607411197\" | select name", sim: sim, format: .ndjson)
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output == "{\"name\":\"Lucía García\"}\n")
        #expect(r.urls.count == 2, "\(r.urls)")
        #expect(r.urls.first?.hasSuffix("/reports/customers?q=%2B34607411197&limit=10") == true, "\(r.urls)")
        #expect(r.urls.last?.hasSuffix("/reports/customers/f2f34d25-d8e6-4c94-9e50-80a58d6527f4") == true, "\(r.urls)")
        #expect(try Self.simRequests(sim) == 2)
    }

    /// The same lookup again, or the timeline of the same contact, comes from the cache:
    /// the search is the same request, and the timeline is the same detail.
    @Test func aRepeatedLookupCostsNoRequest() async throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"])
        let q = "customer \"+34607411197\" | select name; timeline \"+34607411197\" | count; customer \"+34607411197\" | select id"
        let r = try await Runner.run(q, sim: sim, format: .ndjson)
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output.split(separator: "\n").count == 3, "\(r.output)")
        #expect(r.requests == 2, "\(r.urls)")
        #expect(try Self.simRequests(sim) == 2)
    }

    /// Several matches stop the statement after the search: no detail request is sent.
    @Test func anAmbiguousLookupSendsNoDetailRequest() async throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"])
        let r = try await Runner.run("customer \"Ana Oliveira\"", sim: sim)
        #expect(r.status == 1)
        #expect(r.errors.contains("\"Ana Oliveira\" matches 7 contacts"), "\(r.errors)")
        #expect(r.urls.count == 1, "\(r.urls)")
        #expect(r.urls.first?.contains("/reports/customers?q=Ana%20Oliveira&limit=10") == true, "\(r.urls)")
    }

    @Test func pushdownOffCostsMoreButAnswersTheSame() async throws {
        let sim = try SimProcess(["--contacts", "600", "--orgs", "1"])
        // Without pushdown every page is fetched and filtered here; with it, only matches come.
        let q = "customers where resolutionOutcome = escalated | select name"
        let on = try await Runner.run(q, sim: sim)
        let off = try await Runner.run(q, sim: sim, pushdown: false)
        #expect(on.output == off.output)
        #expect(on.requests == 1)
        #expect(off.requests == 6, "600 contacts: 6 pages")
        #expect(off.urls.allSatisfy { !$0.contains("resolutionOutcome=") })
    }

    /// The contact that would pass `--max-requests` stops the join there: the rest of the
    /// list is not read and no request past the limit is sent.
    @Test func joinCustomerStopsAtTheRequestLimit() throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1"])
        let r = try CLITests.mq(["--max-requests", "10", "--no-cache", "-c", "customers | join customer on id | count"], sim: sim)
        #expect(r.status == 1)
        #expect(r.err.contains("needs more than --max-requests 10 requests (one a contact): it stopped at contact 11"), "\(r.err)")
        #expect(r.out.isEmpty)
        // One list page (the first holds more than 11 contacts) and at most 10 details;
        // reading the whole list first would be 20 pages.
        let sent = try Self.simRequests(sim)
        #expect(sent >= 1 && sent <= 11, "\(sent) requests")
    }
}
