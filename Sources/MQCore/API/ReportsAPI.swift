/// The Reports API as the executor sees it. The libcurl client implements it; so can a
/// reader of local files, or a test double, so the engine runs without a network.
public protocol ReportsAPI: Sendable {
    /// `data` of an endpoint that answers one object; `path` is a catalog entry's, and
    /// `contact` fills its `:contactId` (the client encodes it).
    func object(_ path: String, contact: String?, _ statement: CallContext) async throws(APIError) -> JSON
    /// `data` of an endpoint that answers its rows at once.
    func list(_ path: String, _ params: [(String, String)], _ statement: CallContext) async throws(APIError) -> [JSON]
    /// Many contacts' details, fetched in parallel, each id once, each request sent as soon
    /// as its id arrives (so a caller can hand ids over while it is still reading them);
    /// returns when `ids` has finished and every request has been answered. A caller that
    /// stops early cancels its task: the ids not yet sent are not, and the rest end.
    func customers(streaming ids: AsyncStream<String>, _ statement: CallContext) async -> [String: Result<JSON, APIError>]
    /// The customers list as pages the caller pulls; it stops asking when the caller stops.
    func customerPages(_ query: ListQuery, _ statement: CallContext) -> any PageSource
}

/// Each source's call, named, from the catalog's paths.
extension ReportsAPI {
    public func summary(_ statement: CallContext) async throws(APIError) -> JSON {
        try await object(Catalog.summary.path, contact: nil, statement)
    }
    public func billing(_ statement: CallContext) async throws(APIError) -> JSON {
        try await object(Catalog.billing.path, contact: nil, statement)
    }
    /// One row a day from `since` (default: the server's, 30 days ago) to today.
    public func messaging(since: String?, _ statement: CallContext) async throws(APIError) -> [JSON] {
        try await list(Catalog.messaging.path, since.map { [(Catalog.messaging.since!, $0)] } ?? [], statement)
    }
    /// Many contacts' details, each id once; results in the order of `ids`.
    public func customers(ids: [String], _ statement: CallContext) async -> [Result<JSON, APIError>] {
        let (stream, feed) = AsyncStream.makeStream(of: String.self)
        for id in ids { feed.yield(id) }
        feed.finish()
        let results = await customers(streaming: stream, statement)
        return ids.map { results[$0]! }
    }
    /// One contact with its metrics and timeline.
    public func customer(id: String, _ statement: CallContext) async throws(APIError) -> JSON {
        try await object(Catalog.contactDetail.path, contact: id, statement)
    }
}

/// A list's parameters as the API takes them (strings on the wire), in the order
/// requests carry them; the catalog entry says which it takes.
public struct ListQuery: Sendable, Hashable {
    public struct Param: Sendable, Hashable {
        public let name: String
        public var value: String
    }
    public private(set) var params: [Param] = []
    /// Rows wanted in all; nil for every row. Paging stops as soon as it is met.
    public var rowLimit: Int?

    public init(_ params: [(String, String)] = [], rowLimit: Int? = nil) {
        for (k, v) in params { self[k] = v }
        self.rowLimit = rowLimit
    }

    /// A parameter's value; setting one already there replaces it in place.
    public subscript(name: String) -> String? {
        get { params.first { $0.name == name }?.value }
        set {
            let i = params.firstIndex { $0.name == name }
            switch (i, newValue) {
            case (let i?, let v?): params[i].value = v
            case (let i?, nil): params.remove(at: i)
            case (nil, let v?): params.append(Param(name: name, value: v))
            case (nil, nil): break
            }
        }
    }

    /// The parameters in the order of `names` (a catalog entry's), others after.
    public func ordered(by names: [String]) -> ListQuery {
        var q = self
        q.params.sort { (names.firstIndex(of: $0.name) ?? .max) < (names.firstIndex(of: $1.name) ?? .max) }
        return q
    }

    /// The parameters on the wire, without `limit` and `cursor`: what the pager sends and
    /// what `explain` shows, from one place so the two never disagree.
    public var wireParams: [(String, String)] { params.map { ($0.name, $0.value) } }
}

/// One page of a list.
public struct Page: Sendable {
    public var rows: [JSON]
    /// 1-based.
    public var number: Int
    /// The cursor this page was asked for with (nil for the first).
    public var cursor: String?
    /// The cursor of the next page, or nil when this was the last.
    public var nextCursor: String?
    /// Rows of this page whose `id` an earlier row of the same scan had: left out, so a
    /// server that serves a row twice does not count it twice.
    public var repeatedRows: Int

    public init(rows: [JSON], number: Int, cursor: String?, nextCursor: String?, repeatedRows: Int = 0) {
        self.rows = rows
        self.number = number
        self.cursor = cursor
        self.nextCursor = nextCursor
        self.repeatedRows = repeatedRows
    }
}

/// Pages pulled one at a time. After an error the stream is over; the rows of earlier
/// pages stay valid, and the error's `stoppedAtCursor` says where it stopped.
public protocol PageSource: AnyObject, Sendable {
    /// The next page, or nil when there are no more (or the row limit is met).
    func next() async throws(APIError) -> Page?
}
