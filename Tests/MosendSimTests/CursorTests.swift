import MQCore
import MQTestSupport
import Testing

/// Every cursor shape and every way of saying "last page": a full scan still equals the
/// ground truth, and the cursor sits where the style says.
@Suite struct CursorTests {
    static let styles = ["top", "meta", "pagination", "snake", "next_cursor"]
    static let ends = ["null", "absent", "empty"]

    @Test(arguments: styles, ends)
    func fullScanUnderEveryStyle(style: String, end: String) throws {
        let sim = try Sims.with(["--contacts", "400", "--orgs", "1", "--cursor-style", style, "--end-cursor", end])
        let org = sim.orgs[0]
        let truth = try Sims.truth(sim, org)
        let params = [("limit", "30"), ("since", "2026-02")]
        let scan = try Paging.scan(sim, org, params)
        expectSameRows(scan.rows, truth.customers(since: Instant(year: 2026, month: 2, day: 1)))
        #expect(scan.pages.count > 2)

        // Where the cursor lives, on a middle page and on the last one.
        let client = CurlClient()
        let first = try JSONParser.parse(client.get(sim.reportURL(org, "customers?" + Paging.query(params)),
                                                    headers: ["X-Api-Key": org.apiKey]).body)
        let lastQuery = Paging.query(params + [("cursor", scan.cursors.last!)])
        let last = try JSONParser.parse(client.get(sim.reportURL(org, "customers?" + lastQuery),
                                                   headers: ["X-Api-Key": org.apiKey]).body)
        let (container, key): (String?, String) = switch style {
        case "top": (nil, "nextCursor")
        case "meta": ("meta", "nextCursor")
        case "pagination": ("pagination", "nextCursor")
        case "snake": ("pagination", "next_cursor")
        default: (nil, "next_cursor")
        }
        func holder(_ body: JSON) -> JSONObject? { container.map { body[$0]?.objectValue } ?? body.objectValue }
        #expect(holder(first)?[key]?.stringValue?.isEmpty == false, "a middle page carries \(key)")
        let onLast = holder(last)?[key]
        switch end {
        case "null": #expect(onLast == .null)
        case "absent": #expect(onLast == nil)
        default: #expect(onLast == "")
        }
        // No other shape is present, so a client cannot get lucky.
        let everyKey = Set(first.objectValue!.keys)
        #expect(everyKey == Set(["data", "timestamp"] + (container.map { [$0] } ?? [key])))
    }

    @Test func aRepeatingCursorIsServedOnDemand() throws {
        let sim = try Sims.with(["--contacts", "300", "--orgs", "1", "--repeat-cursor-after", "2"])
        let org = sim.orgs[0]
        let client = CurlClient()
        var cursor: String? = nil
        var seen: [String] = []
        for _ in 0..<4 {
            let q = cursor.map { "?limit=10&cursor=\($0)" } ?? "?limit=10"
            let body = try JSONParser.parse(client.get(sim.reportURL(org, "customers" + q), headers: ["X-Api-Key": org.apiKey]).body)
            cursor = Paging.nextCursor(body)
            seen.append(cursor!)
        }
        // Pages 1 and 2 advance; from page 3 on, the cursor sent comes back.
        #expect(seen[0] != seen[1])
        #expect(seen[2] == seen[1])
        #expect(seen[3] == seen[1])
        #expect(throws: TestFailure.self) { try Paging.scan(sim, org, [("limit", "10")]) }
    }

    @Test func aScanBudgetServesEmptyPagesThatCarryACursor() throws {
        let sim = try Sims.with(["--contacts", "600", "--orgs", "1", "--scan-budget", "25"])
        let org = sim.orgs[0]
        let truth = try Sims.truth(sim, org)
        let scan = try Paging.scan(sim, org, [("resolutionOutcome", "escalated")])
        expectSameRows(scan.rows, truth.customers(outcome: "escalated"))
        #expect(scan.pages.dropLast().contains { $0.isEmpty }, "some page before the last is empty")
    }
}
