/// The Reports API as the executor sees it. The libcurl client implements it; so can a
/// reader of local files, or a test double, so the engine runs without a network.
public protocol ReportsAPI: Sendable {
    func summary(_ statement: CallContext) async throws(APIError) -> JSON
    func billing(_ statement: CallContext) async throws(APIError) -> JSON
    /// One row a day from `since` (default: the server's, 30 days ago) to today.
    func messaging(since: String?, _ statement: CallContext) async throws(APIError) -> [JSON]
    /// One contact with its metrics and timeline.
    func customer(id: String, _ statement: CallContext) async throws(APIError) -> JSON
    /// Many contacts' details, fetched in parallel, each id once; results in input order.
    func customers(ids: [String], _ statement: CallContext) async -> [Result<JSON, APIError>]
    /// The customers list as pages the caller pulls; it stops asking when the caller stops.
    func customerPages(_ query: CustomersQuery, _ statement: CallContext) -> any PageSource
}

/// The customers list's parameters, as the API takes them (strings on the wire).
public struct CustomersQuery: Sendable, Hashable {
    public var since: String?
    public var until: String?
    public var category: String?
    public var resolutionOutcome: String?
    /// The API's `q`.
    public var search: String?
    /// Rows wanted in all; nil for every row. Paging stops as soon as it is met.
    public var rowLimit: Int?

    public init(since: String? = nil, until: String? = nil, category: String? = nil, resolutionOutcome: String? = nil,
                search: String? = nil, rowLimit: Int? = nil)
    {
        self.since = since
        self.until = until
        self.category = category
        self.resolutionOutcome = resolutionOutcome
        self.search = search
        self.rowLimit = rowLimit
    }
}

extension CustomersQuery {
    /// The list's parameters on the wire, without `limit` and `cursor`: what the pager
    /// sends and what `explain` shows, from one place so the two never disagree.
    public var wireParams: [(String, String)] {
        var p: [(String, String)] = []
        if let v = since { p.append(("since", v)) }
        if let v = until { p.append(("until", v)) }
        if let v = category { p.append(("category", v)) }
        if let v = resolutionOutcome { p.append(("resolutionOutcome", v)) }
        if let v = search { p.append(("q", v)) }
        return p
    }
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
