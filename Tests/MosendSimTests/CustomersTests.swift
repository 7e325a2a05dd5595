import MQCore
import MQTestSupport
import Testing

/// The customers list: the union of its pages equals the ground-truth aggregation, every
/// row exactly once, in the documented order, for every parameter.
@Suite struct CustomersTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let params: [(String, String)]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no parameters", params: []),
        Case(name: "since a month", params: [("since", "2026-04")]),
        Case(name: "since a date", params: [("since", "2026-10-01")]),
        Case(name: "until a date-time", params: [("until", "2025-09-15T08:30:00Z")]),
        Case(name: "since and until", params: [("since", "2026-01-01"), ("until", "2026-03-01T00:00:00.000Z")]),
        Case(name: "since with an offset", params: [("since", "2026-06-01T02:00:00+02:00")]),
        Case(name: "category", params: [("category", "billing")]),
        Case(name: "resolutionOutcome", params: [("resolutionOutcome", "escalated")]),
        Case(name: "q on email domain", params: [("q", "GMAIL")]),
        Case(name: "q on phone prefix", params: [("q", "+44")]),
        Case(name: "q on name with accent", params: [("q", "garcía")]),
        Case(name: "q matching nothing", params: [("q", "zzzz-no-such-contact")]),
        Case(name: "category, outcome and window", params: [
            ("category", "support"), ("resolutionOutcome", "resolved"), ("since", "2026-05"),
        ]),
        Case(name: "the design card's query", params: [("category", "billing"), ("since", "2026-04")]),
        Case(name: "limit 7", params: [("limit", "7")]),
        Case(name: "limit 100", params: [("limit", "100")]),
        Case(name: "limit above the cap", params: [("limit", "5000"), ("since", "2026-07")]),
    ]

    @Test(arguments: cases)
    func unionOfPagesEqualsGroundTruth(_ c: Case) throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let truth = try Sims.truth(sim, org)
        func param(_ k: String) -> String? { c.params.first { $0.0 == k }?.1 }
        let expected = truth.customers(
            since: param("since").flatMap(Instant.parseISO8601)?.instant,
            until: param("until").flatMap(Instant.parseISO8601)?.instant,
            category: param("category"), outcome: param("resolutionOutcome"), q: param("q"))

        let scan = try Paging.scan(sim, org, c.params)

        #expect(Set(scan.rows.map { $0["id"]! }).count == scan.rows.count, "a row was served twice")
        expectSameRows(scan.rows, expected)
        // Pages are full but for the last, at the requested size capped at pageMax.
        let size = min(param("limit").flatMap(Int.init) ?? truth.pageDefault, truth.pageMax)
        for (i, page) in scan.pages.enumerated() {
            if i < scan.pages.count - 1 { #expect(page.count == size, "page \(i + 1) of \(scan.pages.count)") }
            else { #expect(page.count <= size) }
        }
        // No trailing empty page: the simulator knows when it has served the last row.
        if !expected.isEmpty { #expect(!scan.pages.last!.isEmpty) }
        #expect(scan.pages.count == max(1, (expected.count + size - 1) / size))
    }

    @Test func theDataSetIsRealistic() throws {
        let sim = try Sims.standard()
        let truth = try Sims.truth(sim, sim.orgs[0])
        let perContact = Double(truth.conversations.count) / Double(truth.contacts.count)
        #expect((2.5...3.5).contains(perContact), "conversations per contact: \(perContact)")
        // Skewed: the busiest contact has many times the average.
        let counts = Dictionary(grouping: truth.conversations, by: { $0["contactId"]!.stringValue! }).mapValues(\.count)
        #expect(counts.values.max()! >= 15)
        #expect(Set(truth.conversations.map { $0["category"]!.stringValue! })
                == ["sales", "support", "billing", "onboarding", "complaint", "other"])
        #expect(Set(truth.conversations.map { $0["resolutionOutcome"]!.stringValue! })
                == ["resolved", "unresolved", "escalated", "abandoned", "pending"])
        let agents = Set(truth.conversations.compactMap { $0["agent"]!["id"]?.stringValue })
        #expect(agents.count == 12)
        let labels = Set(truth.conversations.flatMap { $0["labels"]!.arrayValue!.map { $0.stringValue! } })
        #expect(labels.isSuperset(of: ["vip", "churn-risk", "new", "wholesale"]))
        // E.164 from several countries, some emails missing, CSAT sparse.
        let phones = truth.contacts.map { $0["phone"]!.stringValue! }
        #expect(phones.allSatisfy { $0.hasPrefix("+") && (9...15).contains($0.count - 1) && $0.dropFirst().allSatisfy(\.isNumber) })
        let codes = Set(phones.map { String($0.prefix(3)) })
        #expect(codes.count >= 6)
        #expect(Set(phones).count == phones.count, "phones are unique")
        let nullEmails = truth.contacts.filter { $0["email"]!.isNull }.count
        #expect(nullEmails > 0 && nullEmails < truth.contacts.count / 3)
        let withCsat = truth.conversations.filter { !$0["csat"]!.isNull }.count
        #expect(withCsat > 0 && withCsat < truth.conversations.count / 4)
        // History covers the 18 months before the clock, and nothing is in the future.
        let first = Truth.at(truth.conversations.first!, "openedAt")
        let last = Truth.at(truth.conversations.last!, "openedAt")
        #expect(first >= truth.now.adding(days: -549) && first < truth.now.adding(days: -500))
        #expect(last <= truth.now)
        #expect(truth.conversations.allSatisfy { c in
            c["resolvedAt"]!.stringValue.map { Instant.parseISO8601($0)!.instant <= truth.now } ?? true
        })
    }

    @Test func uuidsInThePathMatchEitherCase() throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let id = try Sims.truth(sim, org).contacts[0]["id"]!.stringValue!
        let client = CurlClient()
        let lower = client.get(sim.reportURL(org, "customers/\(id)"), headers: ["X-Api-Key": org.apiKey])
        let upper = client.get("\(sim.url)/organizations/\(org.id.uppercased())/reports/customers/\(id.uppercased())",
                               headers: ["X-Api-Key": org.apiKey])
        #expect(lower.status == 200)
        #expect(upper.body == lower.body)
    }

    @Test func bearerTokenAndApiKeyServeTheSameRows() throws {
        let sim = try Sims.standard()
        let org = sim.orgs[1]
        let client = CurlClient()
        let a = client.get(sim.reportURL(org, "customers?limit=5"), headers: ["X-Api-Key": org.apiKey])
        let b = client.get(sim.reportURL(org, "customers?limit=5"), headers: ["Authorization": "Bearer \(org.token)"])
        #expect(a.status == 200 && b.status == 200)
        #expect(a.body == b.body)
        // The second org's data is its own.
        let other = client.get(sim.reportURL(sim.orgs[0], "customers?limit=5"), headers: ["X-Api-Key": sim.orgs[0].apiKey])
        #expect(other.body != a.body)
    }
}
