import MQCore

// `OutputFormat` is declared in MQCore, so that the parser, which cannot see this
// module, names the same formats.

/// How a renderer may use the terminal.
public struct RenderOptions: Sendable {
    /// Terminal columns: the caller passes the tty width, or 120 when not a tty.
    public var width: Int = 120
    /// Whether ANSI colour is allowed: bold header, dim footer, dim `∅` for null.
    public var color: Bool = false
    /// Whether the output is a terminal (a person reads it): null shows as `∅` there, and
    /// as an empty cell in a file or pipe, in every table-like format alike.
    public var terminal: Bool = false

    public init() {}

    var nullText: String { terminal ? "∅" : "" }
}

/// What the footer says after table, vertical and markdown output (never after
/// csv, tsv, json or ndjson, whose readers are programs).
public struct RenderSummary: Sendable {
    public var rows: Int
    /// Shown only when set (`.timing on`).
    public var seconds: Double? = nil
    /// Shown only when set.
    public var requests: Int? = nil
    /// Shown on a line of its own when set, e.g. "partial: stopped at page 7 (HTTP 503)".
    public var partial: String? = nil

    public init(rows: Int) {
        self.rows = rows
    }
}

/// Turns a stream of rows into bytes for one output format.
///
/// The caller calls `begin` once, `row` for each row, then `end`, and writes nothing
/// to the sink in between.
public protocol Renderer: AnyObject {
    /// True when rows are written as they arrive (csv, tsv, json, ndjson); false when the
    /// renderer must see all rows first (table, vertical, markdown measure column widths).
    var isStreaming: Bool { get }
    /// Called once before any row. `columns` is the column order (the caller takes the
    /// first row's keys, plus keys first seen later for non-streaming formats).
    func begin(columns: [String]) throws
    func row(_ row: JSONObject) throws
    func end(_ summary: RenderSummary) throws
    /// Keys of rows that a header written before them lacked, so were not written
    /// (csv and tsv streaming under a known header); the caller says so.
    var droppedColumns: [String] { get }
}

extension Renderer {
    public var droppedColumns: [String] { [] }
}

/// A renderer that writes rows straight from their packed bytes (`PackedRows`' format, a
/// full sort's rows) exactly as it writes them unpacked, without making the objects.
public protocol PackedRowRenderer: Renderer {
    /// Rows `order` of `rows`, in that order.
    func rows(packed rows: PackedRows, order: ArraySlice<Int>) throws
}

/// The renderer for `format`, writing to `sink`.
/// `columnsKnown`: the caller knows every column the rows can have and passes them to
/// `begin`, which lets csv and tsv write their header at once and stream.
public func makeRenderer(_ format: OutputFormat, options: RenderOptions, sink: OutputSink, columnsKnown: Bool = false) -> any Renderer {
    switch format {
    case .table: TableRenderer(options: options, sink: sink)
    case .vertical: VerticalRenderer(options: options, sink: sink)
    case .csv: DelimitedRenderer(style: .csv, sink: sink, streaming: columnsKnown)
    case .tsv: DelimitedRenderer(style: .tsv, sink: sink, streaming: columnsKnown)
    case .json: JSONArrayRenderer(sink: sink)
    case .ndjson: NDJSONRenderer(sink: sink)
    case .markdown: MarkdownRenderer(sink: sink)
    }
}

/// Rows and columns kept by the renderers that measure before they print.
///
/// Columns start as the caller's order; a key first seen in a later row is appended, so
/// no value is silently dropped even when the caller passed only the first row's keys.
struct CollectedRows {
    private(set) var columns: [String] = []
    private(set) var rows: [JSONObject] = []
    private var known: Set<String> = []

    mutating func begin(_ columns: [String]) {
        for c in columns where known.insert(c).inserted { self.columns.append(c) }
    }

    mutating func append(_ row: JSONObject) {
        for k in row.keys where known.insert(k).inserted { columns.append(k) }
        rows.append(row)
    }
}
