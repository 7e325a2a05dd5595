import MQCore
import Synchronization

/// The session's response cache: an identical request within `ttl` seconds is answered
/// from memory, so running a query again with other local stages costs no request.
///
/// A customers scan is cached as its whole page sequence once it has ended (the last
/// page, or a pushed row limit met), if it is at most `maxScanRows` rows long; a scan
/// stopped early by the caller is not, since the next one may need more pages.
public final class CachingReportsAPI: ReportsAPI {
    let base: any ReportsAPI
    let ttl: Double
    let clock: @Sendable () -> Double
    private let entries = Mutex<[String: (at: Double, value: Entry)]>([:])
    private let enabled = Mutex(true)

    enum Entry: Sendable {
        case one(JSON)
        case rows([JSON])
        case pages([Page])
    }

    /// A scan longer than this is not kept: a streaming `customers | count` over 100,000
    /// contacts must run in constant memory, and such a scan is rarely repeated at once.
    let maxScanRows: Int

    public init(_ base: any ReportsAPI, ttl: Double = 300, maxScanRows: Int = 2_500, clock: @escaping @Sendable () -> Double) {
        self.base = base
        self.maxScanRows = maxScanRows
        self.ttl = ttl
        self.clock = clock
    }

    public var isEnabled: Bool {
        get { enabled.withLock { $0 } }
        set { enabled.withLock { $0 = newValue } }
    }

    public func clear() { entries.withLock { $0.removeAll() } }

    func lookup(_ key: String) -> Entry? {
        guard isEnabled else { return nil }
        let now = clock()
        return entries.withLock { e in
            guard let hit = e[key] else { return nil }
            if now - hit.at > ttl {
                e[key] = nil
                return nil
            }
            return hit.value
        }
    }

    func store(_ key: String, _ value: Entry) {
        guard isEnabled else { return }
        let now = clock()
        entries.withLock { $0[key] = (now, value) }
    }

    func cached(_ key: String, _ fetch: () async throws(APIError) -> JSON) async throws(APIError) -> JSON {
        if case .one(let j)? = lookup(key) { return j }
        let j = try await fetch()
        store(key, .one(j))
        return j
    }

    public func object(_ path: String, contact: String?, _ s: CallContext) async throws(APIError) -> JSON {
        try await cached(CatalogEntry.path(path, contact: contact)) { () async throws(APIError) -> JSON in
            try await base.object(path, contact: contact, s)
        }
    }

    public func list(_ path: String, _ params: [(String, String)], _ s: CallContext) async throws(APIError) -> [JSON] {
        let key = CachingReportsAPI.key(path, params)
        if case .rows(let r)? = lookup(key) { return r }
        let r = try await base.list(path, params, s)
        store(key, .rows(r))
        return r
    }

    /// A request's key: its path and parameters, as sent.
    static func key(_ path: String, _ params: [(String, String)]) -> String {
        path + "?" + params.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Cached details are answered here; the rest go on to the live fan-out as they come.
    public func customers(streaming ids: AsyncStream<String>, _ s: CallContext) async -> [String: Result<JSON, APIError>] {
        let (missing, feed) = AsyncStream.makeStream(of: String.self)
        async let fetched = base.customers(streaming: missing, s)
        var results: [String: Result<JSON, APIError>] = [:]
        for await id in ids where results[id] == nil {
            if case .one(let j)? = lookup(CatalogEntry.path(Catalog.contactDetail.path, contact: id)) {
                results[id] = .success(j)
            } else {
                feed.yield(id)
            }
        }
        feed.finish()
        for (id, r) in await fetched {
            results[id] = r
            if case .success(let j) = r { store(CatalogEntry.path(Catalog.contactDetail.path, contact: id), .one(j)) }
        }
        return results
    }

    public func customerPages(_ query: ListQuery, _ s: CallContext) -> any PageSource {
        let key = CachingReportsAPI.key(Catalog.customers.path, query.wireParams) + "|\(query.rowLimit.map(String.init) ?? "")"
        if case .pages(let pages)? = lookup(key) { return ReplayPages(pages) }
        return RecordingPages(base.customerPages(query, s), rowLimit: query.rowLimit, maxRows: maxScanRows) { [weak self] pages in
            self?.store(key, .pages(pages))
        }
    }
}

/// Pages served from the cache.
final class ReplayPages: PageSource {
    private let pages: [Page]
    private let index = Mutex(0)
    init(_ pages: [Page]) { self.pages = pages }
    func next() async throws(APIError) -> Page? {
        let i = index.withLock { i -> Int in
            defer { i += 1 }
            return i
        }
        return i < pages.count ? pages[i] : nil
    }
}

/// A live scan that hands its pages to the cache once it has ended: at the page without
/// a next cursor, or once a pushed row limit is met. Either may be the last page the
/// caller asks for (`| limit 5` stops pulling after it), so it is stored then, not
/// when a `nil` is asked for that may never be.
final class RecordingPages: PageSource {
    private let live: any PageSource
    private let rowLimit: Int?
    private let maxRows: Int
    private let done: @Sendable ([Page]) -> Void
    private let pages = Mutex<(pages: [Page], rows: Int, stored: Bool)>(([], 0, false))
    init(_ live: any PageSource, rowLimit: Int?, maxRows: Int, done: @escaping @Sendable ([Page]) -> Void) {
        self.live = live
        self.rowLimit = rowLimit
        self.maxRows = maxRows
        self.done = done
    }
    func next() async throws(APIError) -> Page? {
        let p = try await live.next()
        let complete = pages.withLock { state -> [Page]? in
            guard !state.stored else { return nil }
            if let p {
                state.rows += p.rows.count
                guard state.rows <= maxRows else {
                    // Too long to keep: let the pages go as they pass.
                    state.pages.removeAll()
                    state.stored = true
                    return nil
                }
                state.pages.append(p)
            }
            let ended = p == nil || p?.nextCursor == nil || rowLimit.map { state.rows >= $0 } == true
            guard ended else { return nil }
            state.stored = true
            return state.pages
        }
        if let complete { done(complete) }
        return p
    }
}
