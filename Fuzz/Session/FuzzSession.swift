// libFuzzer target: whole statements run by a Session, as mq runs them, against an
// in-memory Reports API and three small data files: planning, evaluation of every
// expression and function on awkward rows (nulls, the largest Int, 1e308, strings where
// numbers are expected, dates at the ends of the calendar), aggregation, sorting, joins,
// flatten, charts and every output format.
//
// The session may touch only what it is given: statements that write (`save`, `.output`),
// read other files (`from "/path"`, `.read`) or reach outside (`.org`, `.profile`,
// `.history`, `.pager`) are skipped, checked on the parsed tree before anything runs.
//
// Built only by scripts/fuzz (MQ_FUZZ=1, --sanitize=fuzzer): libFuzzer supplies `main`.
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import MQCore
import MQExec
import MQFormat
import MQSyntax

/// 2026-11-15T12:00:00Z, the demo's clock, so a crash reproduces whatever the date.
let now = Instant(year: 2026, month: 11, day: 15, hour: 12)

func json(_ text: String) -> JSON {
    do { return try JSONParser.parse(text) } catch { fatalError("fixture: \(error)") }
}

/// Customers rows: one as the API sends it, then the awkward ones.
let customerRows: [JSON] = json("""
    [
    {"id":"653c917e-13bb-4bf8-a7e6-955cf4aea9cd","name":"Carlos López","phone":"+528102293059","email":"carlos54@outlook.com",
     "createdAt":"2026-11-03T08:35:26.861Z","category":"support","resolutionOutcome":"pending","conversations":3,
     "messagesIn":6,"messagesOut":8,"firstConversationAt":"2026-11-06T07:56:05.953Z","lastConversationAt":"2026-11-15T03:12:58.381Z",
     "avgFirstResponseSeconds":1611.3,"avgResolutionSeconds":null,"csat":4.5,"labels":["new","vip"],
     "agent":{"id":"a1","name":"Mei Tanaka"}},
    {"id":"3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c","name":"","phone":"","email":null,"createdAt":"0001-01-01T00:00:00Z",
     "category":"billing","resolutionOutcome":"resolved","conversations":9223372036854775807,"messagesIn":-9223372036854775808,
     "messagesOut":0,"firstConversationAt":"0001-01-01","lastConversationAt":"9999-12-31T23:59:59.999Z",
     "avgFirstResponseSeconds":1e308,"avgResolutionSeconds":-1e-308,"csat":-0.0,"labels":[],"agent":null},
    {"id":"x","name":"Ωmega 🚀 e\\u0301","phone":5551234,"email":"","createdAt":"not a date","category":"sales",
     "resolutionOutcome":"escalated","conversations":"3","messagesIn":2.5,"messagesOut":true,
     "firstConversationAt":"2026-02-30","lastConversationAt":"2026-13","avgFirstResponseSeconds":"fast",
     "avgResolutionSeconds":[1,2],"csat":{"v":1},"labels":"vip","agent":{"name":["x",null]},
     "nested":{"a":{"b":[1,{"c":null}]}}},
    {"id":"y"},
    {"id":"653c917e-13bb-4bf8-a7e6-955cf4aea9cd","name":"Carlos López","category":"support","conversations":1,
     "csat":null,"labels":["vip","vip",null,3],"agent":{"name":"Mei Tanaka"},"lastConversationAt":"2026-11-15T03:12:58Z"}
    ]
    """).arrayValue!

let summaryReport = json("""
    {"contacts":2000,"conversations":{"resolved":5000,"open":12,"total":5012},"messages":{"sent":1,"received":2},
     "topLabels":[{"label":"vip","conversations":3}],"period":{"start":"2025-05-16","end":"2026-11-15"},"activeAgents":12}
    """)
let billingReport = json("""
    {"plan":"growth","currency":"USD","period":{"start":"2026-11-01","end":"2026-12-01"},"credits":1e300,"amountDue":0,
     "usage":[{"billingCategory":"marketing","conversations":3,"cost":0.19},{"billingCategory":"service","conversations":-1,"cost":null}]}
    """)
let messagingRows: [JSON] = json("""
    [{"date":"2026-11-13","sent":0,"delivered":0,"read":0,"failed":0,"received":0},
     {"date":"2026-11-14","sent":9223372036854775807,"delivered":1,"read":null,"failed":1e308,"received":-5},
     {"date":"2026-11-15","sent":3,"delivered":3,"read":2,"failed":"n/a","received":1}]
    """).arrayValue!

/// A contact's detail: the row, its monthly metrics and a timeline.
func detail(_ id: String) -> JSON? {
    guard var row = customerRows.first(where: { $0["id"] == .string(id) })?.objectValue else { return nil }
    row["metrics"] = json("""
        {"byMonth":[{"month":"2026-10","conversations":2,"messagesIn":1,"messagesOut":1,"avgFirstResponseSeconds":null},
                    {"month":"2026-11","conversations":1e308,"messagesIn":0,"messagesOut":0,"avgFirstResponseSeconds":3.5}]}
        """)
    row["timeline"] = json("""
        [{"at":"2026-11-15T03:12:58.381Z","type":"resolved","conversationId":"c1"},
         {"at":"2026-11-14T00:00:00Z","type":"label_added","label":"vip","conversationId":"c1"},
         {"at":"bad","type":"message_in","conversationId":null}]
        """)
    return .object(row)
}

final class MemoryPages: PageSource, @unchecked Sendable {
    var rows: ArraySlice<JSON>
    var number = 0
    let limit: Int?
    var served = 0

    init(_ rows: [JSON], limit: Int?) {
        self.rows = rows[...]
        self.limit = limit
    }

    func next() async throws(APIError) -> Page? {
        if rows.isEmpty || (limit.map { served >= $0 } ?? false) { return nil }
        // Two rows a page, so paging and a met limit are exercised.
        let page = Array(rows.prefix(2))
        rows = rows.dropFirst(2)
        number += 1
        served += page.count
        return Page(rows: page, number: number, cursor: number == 1 ? nil : "c\(number)",
                    nextCursor: rows.isEmpty ? nil : "c\(number + 1)")
    }
}

/// The Reports API, answered from the rows above.
final class MemoryAPI: ReportsAPI {
    /// The catalog's one-object paths: summary, billing and a contact's detail.
    func object(_ path: String, contact: String?, _ statement: CallContext) async throws(APIError) -> JSON {
        if let contact { return try contactDetail(contact) }
        return path == Catalog.billing.path ? billingReport : summaryReport
    }

    func list(_ path: String, _ params: [(String, String)], _ statement: CallContext) async throws(APIError) -> [JSON] {
        messagingRows
    }

    func contactDetail(_ id: String) throws(APIError) -> JSON {
        guard let d = detail(id) else {
            throw APIError(category: .http, status: 404, serverMessages: ["Contact \(id) not found"],
                           path: "/organizations/ORG/reports/customers/\(id)", detail: "no contact with that id")
        }
        return d
    }

    func customers(streaming ids: AsyncStream<String>, _ statement: CallContext) async -> [String: Result<JSON, APIError>] {
        var out: [String: Result<JSON, APIError>] = [:]
        for await id in ids where out[id] == nil {
            do throws(APIError) { out[id] = .success(try contactDetail(id)) } catch { out[id] = .failure(error) }
        }
        return out
    }

    func customerPages(_ query: ListQuery, _ statement: CallContext) -> any PageSource {
        MemoryPages(customerRows, limit: query.rowLimit)
    }
}

/// The files `from "NAME"` may read: small, and each with its own oddities.
let files: [String: String] = [
    "crm.csv": "phone,account,tier,since,score\n+528102293059,Acme,gold,2024-01-05,9223372036854775807\n"
        + "5551234,\"Quote, \"\"Inc\"\"\",,2026-13-01,1e308\n,,,,\n\"multi\nline\",x,y,z,-0\n",
    "events.ndjson": "{\"id\":\"653c917e-13bb-4bf8-a7e6-955cf4aea9cd\",\"event\":\"open\",\"at\":\"2026-11-15T00:00:00Z\",\"n\":1}\n"
        + "{\"id\":\"y\",\"event\":null,\"at\":\"9999-12-31\",\"n\":-9223372036854775808,\"tags\":[[1],[]]}\n\n"
        + "{\"id\":\"x\",\"n\":1e-308,\"at\":17}\n",
    "vips.json": "[{\"id\":\"653c917e-13bb-4bf8-a7e6-955cf4aea9cd\",\"note\":\"vip\"},{\"id\":\"3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c\",\"note\":null},{}]",
]

let directory: String = {
    var template = Array("/tmp/mq-fuzz-session-XXXXXX".utf8CString)
    guard let p = mkdtemp(&template) else { fatalError("mkdtemp: \(String(cString: strerror(errno)))") }
    let dir = String(cString: p)
    for (name, text) in files {
        guard let f = fopen(dir + "/" + name, "w") else { fatalError("cannot write \(name)") }
        fputs(text, f)
        fclose(f)
    }
    atexit {
        for name in files.keys { unlink(directory + "/" + name) }
        rmdir(directory)
    }
    return dir
}()

/// Meta commands that only change or show the session's own state.
let safeMeta: Set<String> = ["format", "timing", "pushdown", "cache", "vars", "last", "inspect", "help"]

func isSafe(_ s: MQSyntax.Statement) -> Bool {
    switch s.kind {
    case .meta(let name, _): return safeMeta.contains(name)
    case .query(let q), .explain(let q), .letQuery(_, let q): return isSafe(q)
    case .letValue, .param: return true
    }
}

func isSafe(_ q: Query) -> Bool {
    switch q.source.kind {
    case .file(let path): if files[path] == nil { return false }
    case .subquery(let sub): if !isSafe(sub) { return false }
    default: break
    }
    for stage in q.stages {
        switch stage.kind {
        case .save: return false
        case .join(let j):
            switch j.target {
            case .file(let path): if files[path] == nil { return false }
            case .subquery(let sub): if !isSafe(sub) { return false }
            default: break
            }
        default: break
        }
    }
    return true
}

final class DiscardSink: OutputSink {
    func write(_ bytes: [UInt8]) throws {}
}

let formats: [OutputFormat] = [.table, .vertical, .csv, .tsv, .json, .ndjson, .markdown]
let widths = [120, 30, 8]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSession(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Parse first: only statements that stay inside the session run.
    let source = SourceText(text, name: "fuzz.mq")
    guard let statements = try? Parser.parse(source), statements.allSatisfy(isSafe) else { return 0 }
    // The format and table width come from the input's length, so one input always runs
    // the same way and the corpus covers them all.
    let format = formats[size % formats.count]
    let width = widths[(size / formats.count) % widths.count]
    let work = Work(statements: statements, source: source, format: format, width: width)
    // The task holds the work unretained, and `finished` is a global: when the task's
    // context is torn down on another thread after `signal()`, it releases nothing of
    // the statement's. Otherwise LeakSanitizer, checking as soon as this returns, could
    // catch an AST node whose owner was freed a moment before the node itself and call
    // it a leak (seen once in 10 million runs, not reproducible alone).
    let unretained = Unmanaged.passUnretained(work)
    Task {
        await run(unretained.takeUnretainedValue())
        finished.signal()
    }
    finished.wait()
    withExtendedLifetime(work) {}
    return 0
}

let finished = DispatchSemaphore(value: 0)

final class Work: Sendable {
    let statements: [MQSyntax.Statement]
    let source: SourceText
    let format: OutputFormat
    let width: Int
    init(statements: [MQSyntax.Statement], source: SourceText, format: OutputFormat, width: Int) {
        self.statements = statements
        self.source = source
        self.format = format
        self.width = width
    }
}

/// Runs the statements in a session of their own, which is gone when this returns.
func run(_ work: Work) async {
    var settings = SessionSettings()
    settings.format = work.format
    settings.width = work.width
    settings.pager = .off
    let session = Session(
        api: MemoryAPI(),
        describe: APIDescription(url: { path, _ in "http://memory" + path }, requestCount: { 0 }),
        settings: settings, out: DiscardSink(), err: DiscardSink(), baseDirectory: directory,
        now: { now }, monotonic: { 0 })
    // Session.run(source) without parsing again: statement by statement, stopping at the
    // first that fails, as a script does.
    for statement in work.statements {
        if await session.run(statement, work.source) != 0 { break }
    }
}
