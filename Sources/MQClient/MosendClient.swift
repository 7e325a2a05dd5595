import Foundation
import MQCore
import Synchronization

/// Where and how to reach the API.
public struct ClientConfiguration: Sendable {
    public var baseURL: String
    public var orgId: String
    public var credentials: Credentials
    public var transport = TransportOptions()
    public var retry = RetryPolicy()
    /// Allows plain http to hosts other than loopback (`--insecure-http`).
    public var insecureHTTP = false
    /// Parallel detail requests of a fan-out (`--concurrency`); the transport's cap
    /// bounds the whole process.
    public var concurrency = 8
    /// A scan that needs more pages than this ends with an error instead of running away.
    public var pageCap = 10_000
    /// Rows asked for per page: the documented maximum, so a full scan takes the fewest
    /// requests. Servers that cap lower just send fewer.
    public var pageSize = Catalog.customers.pageSize!
    /// Same-origin redirects followed per request.
    public var maxRedirects = 5

    public init(baseURL: String, orgId: String, credentials: Credentials) {
        self.baseURL = baseURL
        self.orgId = orgId
        self.credentials = credentials
    }
}

/// What `.trace on` prints for every attempt of every request.
/// The trace hook, in a struct so that a Mutex holds it as it is. Held bare, the closure
/// was re-abstracted by every `withLock` (its inout access converts a generic value to
/// the concrete function type and back), each time inside another thunk: a call then
/// recursed once per earlier request, and a script of 29,000 statements overflowed the
/// stack (a segfault).
struct TraceHook: Sendable {
    let call: @Sendable (TraceEvent) -> Void
}

public struct TraceEvent: Sendable {
    public var method: String
    /// The full URL; it never holds the key, which travels in a header.
    public var url: String
    public var status: Int?
    /// The transport's error, when there was no response.
    public var error: String?
    public var bytes: Int
    public var seconds: Double
    /// 1 for the first try.
    public var attempt: Int
    /// Seconds slept before this attempt (retry backoff or Retry-After).
    public var waitedBefore: Double
    public var httpVersion: String?
}

/// What the client is doing right now, for a progress line: requests on the wire and
/// retries sleeping before their next attempt.
public final class ClientActivity: Sendable {
    public let inFlight = Atomic<Int>(0)
    public let retriesWaiting = Atomic<Int>(0)
    public init() {}
}

/// The Mosend Reports API over libcurl: typed endpoints, paging, retries, fan-out.
public final class MosendClient: ReportsAPI {
    public let configuration: ClientConfiguration
    let environment: ClientEnvironment
    let transport: CurlTransport
    /// Whether this client made its transport (and so ends it when released).
    private let ownsTransport: Bool
    let bucket = RetryTokenBucket()
    let origin: Origin
    let base: String
    /// Requests in flight and retries waiting, read by the progress line.
    public let activity = ClientActivity()
    private let traceHook = Mutex<TraceHook?>(nil)

    /// Checks the base URL against the transport rules before anything is sent.
    public init(_ configuration: ClientConfiguration, environment: ClientEnvironment = .live,
                transport: CurlTransport? = nil) throws(APIError)
    {
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let origin = Origin(base) else {
            throw APIError(category: .refused, path: configuration.baseURL,
                           detail: "the base URL must be an http:// or https:// URL, e.g. https://api.mosend.dev")
        }
        if origin.scheme == "http" && !origin.isLoopback && !configuration.insecureHTTP {
            throw APIError(category: .refused, path: base,
                           detail: "plain http would send the API key unencrypted to \(origin.host); use https, "
                               + "or pass --insecure-http if you really mean it")
        }
        self.configuration = configuration
        self.environment = environment
        self.transport = transport ?? CurlTransport(options: configuration.transport)
        ownsTransport = transport == nil
        self.origin = origin
        self.base = base
    }

    deinit {
        if ownsTransport { transport.shutdown() }
    }

    /// Receives a `TraceEvent` per attempt; nil turns tracing off.
    public func setTrace(_ hook: (@Sendable (TraceEvent) -> Void)?) { traceHook.withLock { $0 = hook.map(TraceHook.init) } }

    func trace(_ e: TraceEvent) { traceHook.withLock { $0 }?.call(e) }

    /// Stops the transport thread; calls after this fail as cancelled.
    public func shutdown() { transport.shutdown() }

    var orgPath: String { "/organizations/" + Self.encodePathSegment(configuration.orgId) + "/reports" }

    /// A curl command that repeats a request, the key redacted (`.curl`).
    public func curlCommand(url: String) -> String {
        "curl -H '\(configuration.credentials.headerName): \(configuration.credentials.redacted)' '\(url)'"
    }

    // MARK: endpoints

    public func object(_ path: String, contact: String?, _ statement: CallContext) async throws(APIError) -> JSON {
        try await fetchObject(orgPath + self.path(path, contact: contact), [], statement, contactId: contact)
    }

    public func list(_ path: String, _ params: [(String, String)], _ statement: CallContext) async throws(APIError) -> [JSON] {
        let body = try await get(orgPath + path, params, statement, envelope: Self.listProblem)
        return try rows(of: body, path: orgPath + path, params)
    }

    /// A catalog path with the contact id in place, percent-encoded.
    func path(_ path: String, contact: String?) -> String {
        guard let contact else { return path }
        return CatalogEntry.path(path, contact: Self.encodePathSegment(contact))
    }

    public func customerPages(_ query: ListQuery, _ statement: CallContext) -> any PageSource {
        CustomerPager(client: self, query: query, statement: statement)
    }

    /// `data` of an endpoint documented to return one object.
    func fetchObject(_ path: String, _ params: [(String, String)], _ statement: CallContext, contactId: String? = nil,
                gate: AdaptiveLimit? = nil) async throws(APIError) -> JSON
    {
        let body = try await get(path, params, statement, contactId: contactId, gate: gate, envelope: Self.objectProblem)
        guard case .object = body["data"] else {
            throw APIError(category: .invalidResponse, path: path, params: params,
                           detail: "expected {\"data\": {…}} but \"data\" is \(Self.describe(body["data"]))")
        }
        return body["data"]!
    }

    /// What is wrong with the envelope of an endpoint documented to return one object.
    static func objectProblem(_ body: JSON) -> String? {
        if case .object = body["data"] { return nil }
        return "expected {\"data\": {…}} but \"data\" is \(describe(body["data"]))"
    }

    /// What is wrong with a list endpoint's envelope (see `rows(of:)`).
    static func listProblem(_ body: JSON) -> String? {
        switch body["data"] {
        case .array(let a)?:
            guard let i = a.firstIndex(where: { $0.objectValue == nil }) else { return nil }
            return "expected rows that are objects, but row \(i + 1) of \(a.count) in \"data\" is " + describe(a[i])
        case .null?, .object?: return nil
        default: return "expected {\"data\": […]} but \"data\" is \(describe(body["data"]))"
        }
    }

    /// `data` of a list endpoint as rows. Lenient where it costs nothing: null is no rows,
    /// and a lone object is one row. A row that is not an object is an error, never
    /// dropped in silence.
    func rows(of body: JSON, path: String, _ params: [(String, String)]) throws(APIError) -> [JSON] {
        switch body["data"] {
        case .array(let a)?:
            if let i = a.firstIndex(where: { $0.objectValue == nil }) {
                throw APIError(category: .invalidResponse, path: path, params: params,
                               detail: "expected rows that are objects, but row \(i + 1) of \(a.count) in \"data\" is "
                                   + Self.describe(a[i]))
            }
            return a
        case .null?: return []
        case .object(let o)?: return [.object(o)]
        default:
            throw APIError(category: .invalidResponse, path: path, params: params,
                           detail: "expected {\"data\": […]} but \"data\" is \(Self.describe(body["data"]))")
        }
    }

    static func describe(_ v: JSON?) -> String {
        switch v {
        case nil: return "missing"
        case .null?: return "null"
        case .bool?: return "a boolean"
        case .int?, .double?: return "a number"
        case .string?: return "a string"
        case .array?: return "an array"
        case .object?: return "an object"
        }
    }

    // MARK: URLs

    private static let unreserved: CharacterSet = {
        var s = CharacterSet.alphanumerics
        s.insert(charactersIn: "-._~")
        return s
    }()

    static func encodePathSegment(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    static func query(_ params: [(String, String)]) -> String {
        params.map { "\(encodePathSegment($0.0))=\(encodePathSegment($0.1))" }.joined(separator: "&")
    }

    /// The full URL of a request to a reports path (a catalog entry's), as sent: for
    /// `explain`, from the same encoding as the requests themselves.
    public func requestURL(_ path: String, _ params: [(String, String)]) -> String { url(orgPath + path, params) }

    func url(_ path: String, _ params: [(String, String)]) -> String {
        let q = Self.query(params)
        return base + path + (q.isEmpty ? "" : "?" + q)
    }
}
