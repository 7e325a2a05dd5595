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

/// How `--malformed-rate` spoils a 200 response. Each is a way a real proxy, server or
/// bug has broken JSON; `--malformed-kinds` picks which are drawn from.
public enum MalformedKind: String, Sendable, CaseIterable {
    // Broken documents.
    /// Cut somewhere inside.
    case truncated
    /// A comma before the final `}`.
    case trailingComma = "trailing-comma"
    /// A proxy's HTML error page.
    case html
    /// Bytes C3 28 inside the first string.
    case invalidUTF8 = "invalid-utf8"
    /// No bytes at all.
    case empty
    /// The first number value written `NaN`.
    case nan
    /// The first number value written `1e999` (outside a double's range).
    case bigNumber = "big-number"
    // Well-formed documents that are still wrong.
    /// `data` inside 100,000 nested arrays.
    case deep
    /// `{"data":null, …}` before the real members: the real `data` is the last one.
    case duplicateKeys = "duplicate-keys"
    /// `data` is a string.
    case dataString = "data-string"
    /// Each row is a number (an object's `data` becomes `[1,2,3]`).
    case rowNumbers = "row-numbers"
    /// Every field of every row has another type than documented: strings become numbers,
    /// numbers and booleans strings, null `true`, arrays objects and objects arrays.
    case fieldTypes = "field-types"
    /// The next cursor is an object (`{"after": …}`), on the last page too.
    case cursorObject = "cursor-object"
    /// The envelope padded to `hugeBodyBytes` (200 MB by default), streamed without a length.
    case huge

    /// What `--malformed-rate` draws from unless told otherwise.
    public static let classic: [MalformedKind] = [.truncated, .trailingComma, .html, .invalidUTF8]
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
    /// The kinds a malformed response is drawn from (empty: `MalformedKind.classic`).
    public var malformedKinds: [MalformedKind] = []
    /// The size of the `huge` kind's padding.
    public var hugeBodyBytes = 200 * 1024 * 1024
    /// From the page after this one on, every cursor is answered with itself (0: never).
    public var repeatCursorAfter = 0

    public init() {}
}
