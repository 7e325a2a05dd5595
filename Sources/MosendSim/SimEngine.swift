import MQCore
import Synchronization

/// An HTTP request as the simulator sees it, already parsed by the server library.
public struct SimRequest: Sendable {
    public var method: String
    /// The path without the query, percent-encoded as received.
    public var path: String
    /// Query parameters in order, percent-decoded.
    public var query: [(String, String)]
    public var apiKey: String?
    public var authorization: String?

    public init(method: String = "GET", path: String, query: [(String, String)] = [], apiKey: String? = nil,
                authorization: String? = nil)
    {
        self.method = method
        self.path = path
        self.query = query
        self.apiKey = apiKey
        self.authorization = authorization
    }

    /// The path and query as a stable string: the identity of a request for fault draws.
    var identity: String {
        method + " " + path + "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
}

/// What to send back. `dropAfter` asks the server to close the connection after that many
/// body bytes, having announced the full length.
public struct SimResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var dropAfter: Int?
    /// Bytes streamed after `body` (the `huge` fault), so the simulator never holds them.
    public var filler: Filler?

    public struct Filler: Sendable {
        public var count: Int
        public var byte: UInt8
        /// Sent after the filler.
        public var suffix: [UInt8]
    }

    init(status: Int, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.body = body
        self.headers = [("Content-Type", "application/json; charset=utf-8")] + headers
    }
}

/// An error response travels as a `Result` failure through validation and auth.
extension SimResponse: Error {}

/// The simulated Mosend Reports API: routing, auth, validation, reports, faults and
/// statistics, as a pure function of configuration, data and request (plus a clock for
/// the rate limiter). The HTTP server around it only moves bytes.
public final class SimEngine: Sendable {
    public let configuration: SimConfiguration
    public let datasets: [OrgDataset]
    let builders: [ReportBuilder]
    private let orgIndexById: [String: Int]
    private let faults: FaultInjector
    public let stats = SimStats()

    /// Generates the data; this is the simulator's start-up cost.
    public init(configuration: SimConfiguration, clock: @escaping @Sendable () -> Int = SimEngine.monotonicMs) {
        self.configuration = configuration
        let generator = DatasetGenerator(seed: configuration.seed, now: configuration.now,
                                         contactsPerOrg: configuration.contacts)
        datasets = generator.organizations(count: configuration.orgs)
        builders = datasets.map { ReportBuilder(data: $0, now: configuration.now) }
        orgIndexById = Dictionary(uniqueKeysWithValues: datasets.enumerated().map { ($1.org.id, $0) })
        faults = FaultInjector(configuration: configuration, clock: clock)
    }

    private static let processStart = ContinuousClock.now

    /// Milliseconds on a monotonic clock: the rate limiter's windows.
    public static func monotonicMs() -> Int {
        let d = processStart.duration(to: .now).components
        return Int(d.seconds) * 1000 + Int(d.attoseconds / 1_000_000_000_000_000)
    }

    public var organizations: [Organization] { datasets.map(\.org) }

    /// The object cli.md specifies as the first line of stdout, given the bound URL.
    public func announcement(url: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("url"); w.string(url)
        w.key("orgs")
        w.beginArray()
        for o in organizations {
            w.beginObject()
            w.key("id"); w.string(o.id)
            w.key("name"); w.string(o.name)
            w.key("apiKey"); w.string(o.apiKey)
            w.key("token"); w.string(o.token)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    // MARK: handling

    public func handle(_ request: SimRequest) -> SimResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.first == "_sim" { return handleSim(request, segments) }

        let route = Route(segments)
        let routeName = request.method + " " + (route?.pattern ?? "(unmatched)")
        var response: SimResponse
        var fault: FaultInjector.Outcome? = nil
        var draw = 0
        if route != nil {
            (fault, draw) = faults.before(request)
        }
        switch fault {
        case .rateLimited(let retryAfter):
            response = SimErrors.tooManyRequests(retryAfter: retryAfter)
        case .failed(let status):
            response = status == 503 ? SimErrors.serviceUnavailable() : SimErrors.internalError()
        default:
            response = respond(request, route: route)
            if response.status == 200, route != nil {
                fault = faults.after(request, draw: draw, response: &response)
            }
        }
        stats.record(route: routeName, status: response.status, fault: fault)
        return response
    }

    private func respond(_ request: SimRequest, route: Route?) -> SimResponse {
        guard let route, request.method == "GET" || request.method == "HEAD" else {
            return SimErrors.cannot(request.method, request.path)
        }
        let orgIndex: Int
        switch authorize(request, orgId: route.orgId) {
        case .failure(let e): return e
        case .success(let i): orgIndex = i
        }
        let b = builders[orgIndex]
        switch route.kind {
        case .summary:
            if let e = Validation.onlyAllowed([], request.query) { return e }
            return envelope { b.writeSummary(&$0) }
        case .billing:
            if let e = Validation.onlyAllowed([], request.query) { return e }
            return envelope { b.writeBilling(&$0) }
        case .messaging:
            switch Validation.messaging(request.query, now: configuration.now) {
            case .failure(let e): return e
            case .success(let since): return envelope { b.writeMessaging(since: since, &$0) }
            }
        case .customers:
            switch Validation.customers(request.query, configuration: configuration) {
            case .failure(let e): return e
            case .success(let q): return customersPage(b, q)
            }
        case .customer(let id):
            if let e = Validation.onlyAllowed([], request.query) { return e }
            guard Validation.isUUID(id) else { return SimErrors.badRequest("Validation failed (uuid is expected)") }
            // A uuid column matches either case, as Postgres does.
            guard let ci = b.contactIndex(id: id.lowercased()) else { return SimErrors.notFound("Contact not found") }
            return envelope { b.writeDetail(contact: ci, &$0) }
        }
    }

    private func authorize(_ request: SimRequest, orgId: String) -> Result<Int, SimResponse> {
        var presented: String? = request.apiKey
        if presented == nil, let auth = request.authorization {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { presented = String(parts[1]) }
        }
        guard let key = presented, let owner = datasets.firstIndex(where: { $0.org.apiKey == key || $0.org.token == key })
        else {
            return .failure(SimErrors.unauthorized(missing: presented == nil))
        }
        guard let target = orgIndexById[orgId.lowercased()] else {
            return .failure(SimErrors.notFound("Organization not found"))
        }
        guard target == owner else { return .failure(SimErrors.forbidden()) }
        return .success(target)
    }

    private func envelope(_ writeData: (inout JSONWriter) -> Void) -> SimResponse {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("data")
        writeData(&w)
        w.key("timestamp")
        w.string(configuration.now.iso8601)
        w.endObject()
        return SimResponse(status: 200, body: w.bytes)
    }

    // MARK: customers paging

    private func customersPage(_ b: ReportBuilder, _ q: Validation.CustomersQuery) -> SimResponse {
        let index = b.customers(since: q.since, until: q.until)
        let contacts = b.data.contacts
        var i = q.cursor.map { index.position(after: $0.last, id: $0.id, contacts: contacts) } ?? 0
        let needle = q.search?.lowercased()
        func matches(_ r: CustomerAggregate) -> Bool {
            if let c = q.category, b.data.conversations[Int(r.latest)].category != c { return false }
            if let o = q.outcome, b.data.conversations[Int(r.latest)].outcome != o { return false }
            if let n = needle, !contacts[Int(r.contact)].searchText.contains(n) { return false }
            return true
        }
        let budget = configuration.scanBudget > 0 ? configuration.scanBudget : Int.max
        var page: [CustomerAggregate] = []
        var examined = 0
        var lastExamined: CustomerAggregate? = nil
        while i < index.rows.count && page.count < q.limit && examined < budget {
            let r = index.rows[i]
            if matches(r) { page.append(r) }
            lastExamined = r
            examined += 1
            i += 1
        }
        // Is there more? Look ahead (within the budget, a budgeted scan just says "maybe").
        var more = false
        if examined >= budget {
            more = i < index.rows.count
        } else {
            var j = i
            while j < index.rows.count {
                if matches(index.rows[j]) {
                    more = true
                    break
                }
                j += 1
            }
        }
        let pageNumber = (q.cursor?.page ?? 0) + 1
        var next: String? = nil
        if more, let anchor = (examined >= budget ? lastExamined : page.last) {
            next = PageCursor(page: pageNumber, last: anchor.last, id: contacts[Int(anchor.contact)].id).encoded
        }
        if configuration.repeatCursorAfter > 0, let incoming = q.rawCursor, pageNumber > configuration.repeatCursorAfter {
            next = incoming
        }

        var w = JSONWriter(capacity: 512 * max(page.count, 1))
        w.beginObject()
        w.key("data")
        w.beginArray()
        for r in page { b.writeCustomer(r, &w) }
        w.endArray()
        writeCursor(next, limit: q.limit, &w)
        w.key("timestamp")
        w.string(configuration.now.iso8601)
        w.endObject()
        return SimResponse(status: 200, body: w.bytes)
    }

    private func writeCursor(_ next: String?, limit: Int, _ w: inout JSONWriter) {
        let name = configuration.cursorStyle == .snake || configuration.cursorStyle == .nextCursor ? "next_cursor" : "nextCursor"
        func value(_ w: inout JSONWriter) -> Bool {
            if let next {
                w.key(name)
                w.string(next)
                return true
            }
            switch configuration.endCursor {
            case .absent: return false
            case .null: w.key(name); w.null()
            case .empty: w.key(name); w.string("")
            }
            return true
        }
        switch configuration.cursorStyle {
        case .top, .nextCursor:
            _ = value(&w)
        case .meta, .pagination, .snake:
            w.key(configuration.cursorStyle == .meta ? "meta" : "pagination")
            w.beginObject()
            w.key("limit")
            w.int(limit)
            _ = value(&w)
            w.endObject()
        }
    }

    // MARK: /_sim

    private func handleSim(_ request: SimRequest, _ segments: [String]) -> SimResponse {
        switch (request.method, segments.dropFirst().first) {
        case ("GET", "dataset"):
            guard let key = request.apiKey ?? request.authorization?.split(separator: " ").last.map(String.init),
                  let i = datasets.firstIndex(where: { $0.org.apiKey == key || $0.org.token == key })
            else { return SimErrors.unauthorized(missing: request.apiKey == nil && request.authorization == nil) }
            return SimResponse(status: 200, body: GroundTruth.json(datasets[i], configuration: configuration))
        case ("GET", "stats"):
            let body = stats.json()
            if request.query.contains(where: { $0.0 == "reset" && $0.1 != "false" && $0.1 != "0" }) { stats.reset() }
            return SimResponse(status: 200, body: body)
        case ("DELETE", "stats"):
            stats.reset()
            return SimResponse(status: 200, body: stats.json())
        default:
            return SimErrors.cannot(request.method, request.path)
        }
    }
}

/// The five API routes, recognised from path segments.
struct Route {
    enum Kind {
        case summary, messaging, billing, customers
        case customer(String)
    }
    let orgId: String
    let kind: Kind

    init?(_ s: [String]) {
        guard s.count >= 4, s[0] == "organizations", s[2] == "reports" else { return nil }
        orgId = s[1].removingPercentEncodingSafely
        switch (s.count, s[3]) {
        case (4, "summary"): kind = .summary
        case (4, "messaging"): kind = .messaging
        case (4, "billing"): kind = .billing
        case (4, "customers"): kind = .customers
        case (5, "customers"): kind = .customer(s[4].removingPercentEncodingSafely)
        default: return nil
        }
    }

    var pattern: String {
        switch kind {
        case .summary: return "/organizations/:orgId/reports/summary"
        case .messaging: return "/organizations/:orgId/reports/messaging"
        case .billing: return "/organizations/:orgId/reports/billing"
        case .customers: return "/organizations/:orgId/reports/customers"
        case .customer: return "/organizations/:orgId/reports/customers/:contactId"
        }
    }
}

extension String {
    /// Percent-decodes, leaving the text as it was when it is not valid.
    var removingPercentEncodingSafely: String {
        guard contains("%") else { return self }
        var out: [UInt8] = []
        let b = Array(utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let v = UInt8(String(decoding: b[i + 1...i + 2], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self) ?? self
    }
}
