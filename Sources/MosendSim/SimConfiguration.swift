import MQCore

/// Where a list response puts its next cursor: the five shapes api.md says a client must
/// recognise.
public enum CursorStyle: String, Sendable, CaseIterable {
    /// `{"data": [...], "nextCursor": "…"}`
    case top
    /// `{"data": [...], "meta": {"nextCursor": "…"}}`
    case meta
    /// `{"data": [...], "pagination": {"nextCursor": "…"}}`
    case pagination
    /// `{"data": [...], "pagination": {"next_cursor": "…"}}`
    case snake
    /// `{"data": [...], "next_cursor": "…"}`
    case nextCursor = "next_cursor"
}

/// How the last page says there is no more: api.md requires clients to stop on all three.
public enum EndCursor: String, Sendable, CaseIterable {
    case null, absent, empty
}

/// Everything that shapes the simulator's data and behaviour. Same values, same bytes.
public struct SimConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 0
    public var seed: UInt64 = 42
    public var orgs = 2
    public var contacts = 2000
    /// The simulator's clock: data is generated relative to it, and it is the envelope's
    /// `timestamp`, so responses never depend on the wall clock.
    public var now = Instant(year: 2026, month: 11, day: 15, hour: 12)

    public var defaultPageSize = 50
    public var pageMax = 100
    public var cursorStyle = CursorStyle.top
    public var endCursor = EndCursor.null
    /// Examine at most this many rows per customers page (0: no budget). With a selective
    /// filter a page can then come back empty but still carry a cursor, as scan-based
    /// backends do.
    public var scanBudget = 0

    // Faults.
    public var latencyMs = 0
    public var failRate = 0.0
    /// Requests per second served before answering 429 (0: unlimited).
    public var rateLimit = 0
    public var dropRate = 0.0
    public var malformedRate = 0.0
    /// From the page after this one on, every cursor is answered with itself (0: never).
    public var repeatCursorAfter = 0

    public init() {}
}
