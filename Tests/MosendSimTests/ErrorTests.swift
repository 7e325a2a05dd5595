import MQCore
import MQTestSupport
import Testing

/// NestJS-style errors: status, `statusCode` in the body, `error`, and `message` as a string
/// or (for validation) an array of strings.
@Suite struct ErrorTests {
    enum Credentials: Sendable { case key, token, none, wrongKey, otherOrgKey }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String  // after /organizations/ORG/reports/, or absolute when it starts with /
        var credentials = Credentials.key
        var method = "GET"
        let status: Int
        /// Every one of these must appear among the message(s).
        let messages: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no credentials", path: "summary", credentials: .none, status: 401,
             messages: ["Missing credentials"]),
        Case(name: "unknown key", path: "customers", credentials: .wrongKey, status: 401,
             messages: ["Invalid API key"]),
        Case(name: "another org's key", path: "billing", credentials: .otherOrgKey, status: 403,
             messages: ["does not belong to this organization"]),
        Case(name: "unknown org", path: "/organizations/00000000-0000-4000-8000-000000000000/reports/summary",
             status: 404, messages: ["Organization not found"]),
        Case(name: "unknown contact", path: "customers/00000000-0000-4000-8000-000000000000", status: 404,
             messages: ["Contact not found"]),
        Case(name: "contact id not a uuid", path: "customers/42", status: 400,
             messages: ["Validation failed (uuid is expected)"]),
        Case(name: "unknown route", path: "agents", status: 404, messages: ["Cannot GET /organizations/"]),
        Case(name: "wrong method", path: "summary", method: "POST", status: 404, messages: ["Cannot POST"]),
        Case(name: "bad since", path: "customers?since=yesterday", status: 400,
             messages: ["since must be a valid ISO 8601 date string"]),
        Case(name: "bad until", path: "customers?until=2026-13-01", status: 400,
             messages: ["until must be a valid ISO 8601 date string"]),
        Case(name: "until before since", path: "customers?since=2026-05-01&until=2026-04-01", status: 400,
             messages: ["until must be later than since"]),
        Case(name: "bad category", path: "customers?category=Billing", status: 400,
             messages: ["category must be one of the following values: sales, support, billing"]),
        Case(name: "bad outcome", path: "customers?resolutionOutcome=done", status: 400,
             messages: ["resolutionOutcome must be one of the following values"]),
        Case(name: "limit not a number", path: "customers?limit=ten", status: 400,
             messages: ["limit must be an integer number"]),
        Case(name: "limit zero", path: "customers?limit=0", status: 400, messages: ["limit must not be less than 1"]),
        Case(name: "forged cursor", path: "customers?cursor=bm90LWEtY3Vyc29y", status: 400,
             messages: ["cursor is not valid"]),
        Case(name: "unknown parameter", path: "customers?sort=name", status: 400,
             messages: ["property sort should not exist"]),
        Case(name: "parameter given twice", path: "customers?category=sales&category=billing", status: 400,
             messages: ["category must be a string"]),
        Case(name: "every problem at once", path: "customers?limit=-1&since=x&page=2", status: 400,
             messages: ["property page should not exist", "since must be a valid ISO 8601 date string",
                        "limit must not be less than 1"]),
        Case(name: "messaging takes no until", path: "messaging?until=2026-01-01", status: 400,
             messages: ["property until should not exist"]),
        Case(name: "summary takes no parameters", path: "summary?since=2026-01-01", status: 400,
             messages: ["property since should not exist"]),
    ]

    @Test(arguments: cases)
    func errorResponse(_ c: Case) throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let url = c.path.hasPrefix("/") ? sim.url + c.path : sim.reportURL(org, c.path)
        var headers: [String: String] = [:]
        switch c.credentials {
        case .key: headers["X-Api-Key"] = org.apiKey
        case .token: headers["Authorization"] = "Bearer \(org.token)"
        case .none: break
        case .wrongKey: headers["X-Api-Key"] = "mk_test_00000000.notARealSecret"
        case .otherOrgKey: headers["X-Api-Key"] = sim.orgs[1].apiKey
        }
        let r = CurlClient().get(url, headers: headers, method: c.method)
        #expect(r.status == c.status, "\(r.text)")
        #expect(r.header("content-type")?.hasPrefix("application/json") == true)
        let body = try JSONParser.parse(r.body)
        #expect(body["statusCode"] == .int(c.status))
        #expect(body["error"]?.stringValue != nil)
        let messages: [String]
        switch body["message"] {
        case .string(let s)?: messages = [s]
        case .array(let a)?:
            messages = a.compactMap(\.stringValue)
            #expect(c.status == 400, "only validation errors carry an array")
        default: messages = []
        }
        for m in c.messages {
            #expect(messages.contains { $0.contains(m) }, "expected “\(m)” in \(messages)")
        }
    }

    @Test func aLargeLimitIsCappedSilently() throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        let r = CurlClient().get(sim.reportURL(org, "customers?limit=1000"), headers: ["X-Api-Key": org.apiKey])
        #expect(r.status == 200)
        #expect(try JSONParser.parse(r.body)["data"]!.arrayValue!.count == 100)
    }
}
