import Foundation
import Synchronization
import MQCore
import MQFiles
import MQFormat
import MQPlanner
import MQSyntax

/// Runs statements one after another: one loop for scripts, `-c`, stdin (and the REPL
/// later), with variables, settings and the response cache carried between statements.
public final class Session {
    public var settings: SessionSettings
    private(set) var api: (any ReportsAPI)?
    private(set) var cache: CachingReportsAPI?
    private(set) var describe: APIDescription?
    /// Set by the shell (`mq`): history, `.org`, `.profile`.
    public var hooks = ShellHooks()
    /// Where results go: standard output, or a file after `.output FILE`.
    var out: OutputSink {
        didSet { outputRedirected = (out as AnyObject) !== (stdout as AnyObject) }
    }
    /// Results go to a file (`.output FILE`): no colour codes, no terminal spellings.
    private(set) var outputRedirected = false
    let stdout: OutputSink
    let err: OutputSink
    /// The last result, for `.last`: its first rows, packed (`LastResult`).
    var last: LastResult? = nil
    var lastPartial = false
    /// When the last result is a blocking statement's source rows (it gave no result):
    /// the stage that needed them all.
    var lastNoResultStage: String? = nil
    /// The request count when the last query started, for `.curl`.
    var lastQueryFirstRequest: Int? = nil
    /// Standard output was closed by its reader: nothing more is run or written.
    public private(set) var outputClosed = false
    /// `.quit` ran: the REPL or script stops after it.
    public private(set) var exitRequested = false
    let now: @Sendable () -> Instant
    let monotonic: @Sendable () -> Double
    var variables: [String: StoredValue] = [:]
    /// The statement running now, for a progress line.
    public let progressBoard = ProgressBoard()
    /// Columns and values seen in results, for completion.
    public internal(set) var learned = Learned()
    /// The directory relative file names are read from.
    public var baseDirectory: String

    public init(api: (any ReportsAPI)?, describe: APIDescription?, settings: SessionSettings, out: OutputSink,
                err: OutputSink, baseDirectory: String, now: @escaping @Sendable () -> Instant,
                monotonic: @escaping @Sendable () -> Double)
    {
        cache = api.map { CachingReportsAPI($0, clock: monotonic) }
        self.api = cache
        self.describe = describe
        self.settings = settings
        self.out = out
        stdout = out
        self.err = err
        self.baseDirectory = baseDirectory
        self.now = now
        self.monotonic = monotonic
    }

    /// Another API client (`.org`, `.profile`): a fresh cache (responses belong to an
    /// org), the same variables and settings.
    public func connect(api: (any ReportsAPI)?, describe: APIDescription?) {
        let enabled = cache?.isEnabled ?? true
        cache = api.map { CachingReportsAPI($0, clock: monotonic) }
        cache?.isEnabled = enabled
        self.api = cache
        self.describe = describe
        lastQueryFirstRequest = nil
    }

    /// After the reader of the output went away (a pager quit early), the next input
    /// is run and shown again.
    public func resumeOutput() { outputClosed = false }

    /// Sets a variable from outside (`--set`, script arguments).
    public func set(_ name: String, _ value: JSON) { variables[name] = .value(value) }

    /// Sets a variable from a command-line text (`--set NAME=TEXT`, `$1`), read as
    /// `let NAME = TEXT` would read it when TEXT is one literal: a date (`2026-04`), a
    /// day (`today`), a duration or relative date (`15m`, `-7d`), true, false, null, or a
    /// number written the way mq would print it. Anything else, a phone number such as
    /// `+447700900123` or an id such as `007` included, stays the text it is.
    public func set(_ name: String, text: String) {
        variables[name] = .value(Session.argumentValue(text, now: now()))
    }

    static func argumentValue(_ text: String, now: Instant) -> JSON {
        guard let statements = try? Parser.parse(SourceText("let arg = " + text)), statements.count == 1,
              case .letValue(_, let e) = statements[0].kind
        else { return .string(text) }
        var literal = e
        if case .unary("-", let x) = e.kind { literal = x }
        switch literal.kind {
        case .int(let n):
            guard String(e.kind == literal.kind ? n : -n) == text else { return .string(text) }
        case .double:
            guard Double(text) != nil, text.first != "+", !text.hasPrefix("0") || text.hasPrefix("0.") || text.hasPrefix("-0.") else {
                return .string(text)
            }
        case .date, .day, .duration, .months, .bool, .null: break
        default: return .string(text)
        }
        guard let value = try? Planner(PlannerContext(now: now)).resolveConstant(e) else { return .string(text) }
        return Evaluator(now: now).eval(value, JSONObject()).json
    }

    /// Disables or clears the response cache (`--no-cache`, `.cache off|clear`).
    public func setCache(enabled: Bool) { cache?.isEnabled = enabled }

    /// Runs every statement of a script; stops at the first error. Returns the exit status.
    public func run(_ source: SourceText) async -> Int32 {
        let statements: [Statement]
        do {
            statements = try Parser.parse(source)
        } catch {
            report(error, source)
            try? (err as? FlushableSink)?.flush()
            return 1
        }
        for s in statements {
            let status = await run(s, source)
            if outputClosed { return 0 }
            if exitRequested {
                try? (out as? FlushableSink)?.flush()
                try? (err as? FlushableSink)?.flush()
                return 0
            }
            // Results and diagnostics appear in the order the statements ran.
            do {
                try (out as? FlushableSink)?.flush()
            } catch is OutputClosed {
                outputClosed = true
                return 0
            } catch {
                // A full disk or `> /dev/full`: the results are lost, which is a failure.
                warn("error: \(error)\n")
                try? (err as? FlushableSink)?.flush()
                return 1
            }
            try? (err as? FlushableSink)?.flush()
            if status != 0 { return status }
        }
        return 0
    }

    func say(_ text: String) { try? out.write(Array(text.utf8)) }
    func warn(_ text: String) { try? err.write(Array(text.utf8)) }

    /// Runs one statement; returns its exit status (0, or cli.md's for its failure).
    public func run(_ s: Statement, _ source: SourceText) async -> Int32 {
        defer { progressBoard.end() }
        do {
            switch s.kind {
            case .meta(let name, let args):
                switch try await meta(name, args, s.span, source) {
                case .ok: return 0
                case .failed(let status): return status
                case .exit:
                    exitRequested = true
                    return 0
                }
            case .letValue(let name, let e):
                let value = try Planner(plannerContext()).resolveConstant(e)
                variables[name] = .value(Evaluator(now: now()).eval(value, JSONObject()).json)
                return 0
            case .param(let name, let e):
                // `--set NAME=…` (or an earlier statement) gave it a value: that stands.
                if variables[name] == nil {
                    let value = try Planner(plannerContext()).resolveConstant(e)
                    variables[name] = .value(Evaluator(now: now()).eval(value, JSONObject()).json)
                }
                return 0
            case .letQuery(let name, let q):
                let plan = try Planner(plannerContext()).plan(q)
                let (rows, partial) = try await execute(plan)
                if let partial { throw partial }
                variables[name] = .rows(rows, columns: Session.columns(of: rows))
                learned.note(source: Session.sourceKey(plan), rows: rows)
                return 0
            case .explain(let q):
                say(explain(try Planner(plannerContext()).plan(q)))
                return 0
            case .query(let q):
                let plan = try Planner(plannerContext()).plan(q)
                for w in plan.warnings { report(w, source) }
                return try await runQuery(plan, source)
            }
        } catch is OutputClosed {
            // The reader has what it wanted (`| head`): stop fetching and say nothing.
            outputClosed = true
            return 0
        } catch {
            return report(error, source, at: s.span)
        }
    }

    func plannerContext() -> PlannerContext {
        var c = PlannerContext(now: now())
        c.pushdown = settings.pushdown
        c.evaluate = Session.constantEvaluator(now: c.now)
        c.fileColumns = Session.fileColumnReader(baseDirectory: baseDirectory)
        for (k, v) in variables {
            switch v {
            case .value(let j): c.variables[k] = .value(j)
            case .rows(let rows, let columns):
                let single = rows.count == 1 && columns.count == 1 ? rows[0][columns[0]] : nil
                c.variables[k] = .result(columns: columns, single: single, rows: rows.count)
            }
        }
        return c
    }

    /// The planner's evaluator of expressions that read no row (`since month(today) - 1mo`):
    /// this module's `Evaluator`, which the planner cannot import. Public for what plans
    /// as a session does (the fuzzer, the tests).
    public static func constantEvaluator(now: Instant) -> @Sendable (Expr) -> JSON {
        { e in Evaluator(now: now).eval(e, JSONObject()).json }
    }

    /// A completer that knows this session's variables and what its results showed.
    public func completer() -> Completer {
        var c = Completer()
        c.learned = learned
        c.profiles = hooks.profileNames()
        c.baseDirectory = baseDirectory
        c.fileColumns = Session.fileColumnReader(baseDirectory: baseDirectory)
        for (k, v) in variables {
            c.variables.append(k)
            if case .rows(_, let cols) = v { c.variableColumns[k] = cols }
        }
        c.listDirectory = { dir in
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
            return names.map { name in
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir)
                return (name, isDir.boolValue)
            }
        }
        return c
    }

    // MARK: explain

    /// The plan of a query in this session (its variables, its pushdown setting), as
    /// `explain` prints it.
    public func explainText(_ q: Query) throws(Diagnostic) -> String {
        explain(try Planner(plannerContext()).plan(q))
    }

    public func explain(_ plan: Plan) -> String {
        let describe = describe
        return PlanPrinter(url: describe.map { d in { d.url($0, $1) } }).print(plan)
    }

    /// `sampledColumns` read once per file for the life of the closure (one statement's
    /// planning, one completion snapshot): bare words, each join's left and right sides
    /// and the fields a stage names would otherwise each read the file's first rows again.
    static func fileColumnReader(baseDirectory: String) -> @Sendable (String) -> [String]? {
        let read = Mutex<[String: [String]?]>([:])
        return { path in
            if let known = read.withLock({ $0[path] }) { return known }
            let columns = Session.sampledColumns(path, baseDirectory: baseDirectory)
            read.withLock { $0[path] = .some(columns) }
            return columns
        }
    }

    /// The keys of a file's first batch of rows (a CSV's header), or nil when it cannot
    /// be read: what "the file has a field" means before the query runs.
    static func sampledColumns(_ path: String, baseDirectory: String) -> [String]? {
        guard let reader = try? RowReader.sampling(path: Executor.resolvePath(path, baseDirectory: baseDirectory)), let batch = try? reader.next(max: 2048) else { return nil }
        return Session.columns(of: batch)
    }

    // MARK: meta commands

    func meta(_ name: String, _ args: String, _ span: Span, _ source: SourceText) async throws -> MetaCommands.Result {
        guard let command = MetaCommands.command(name) else {
            throw Diagnostic.unknownMeta(name, at: span, suggestion: Hints.closest(name, in: Session.metaNames))
        }
        return try await command.run(self, MetaCommands.Invocation(args: args, span: span, source: source))
    }

    /// Bars never grow wider than this, however wide the terminal (or a file: no limit).
    static let chartWidth = 120

    /// `.last` keeps at most this many rows of a result.
    static let lastLimit = 100_000

    /// ... and at most this many bytes of them (packed): an eighth of `--memory-limit`, up
    /// to 64 MB. They are held beside the statement's own state, which the limit bounds.
    var lastBytes: Int { Swift.min(64 << 20, settings.memoryLimit / 8) }

    /// The source rows a blocking statement keeps, for `.last` when its input is cut short
    /// (the statement's result is then none): 8 MB at most, so that `customers | count`
    /// over 100,000 contacts stays a streaming scan's size.
    var sourceKeepBytes: Int { Swift.min(8 << 20, settings.memoryLimit / 16) }

    static var metaNames: [String] { MetaCommands.all.flatMap { [$0.name] + $0.aliases } }
}

/// The first rows of a result, as `.last` shows them again, and how many there were.
struct LastResult {
    private(set) var rows = PackedRows()
    private(set) var total = 0
    /// A few rows as they came, for the completer's field names.
    private(set) var sample: [JSONObject] = []
    let maxRows: Int
    let maxBytes: Int

    init(maxRows: Int, maxBytes: Int) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
    }

    init(_ all: [JSONObject], maxRows: Int, maxBytes: Int) {
        self.init(maxRows: maxRows, maxBytes: maxBytes)
        add(all)
    }

    mutating func add(_ batch: [JSONObject]) {
        total += batch.count
        if sample.count < 1000 { sample += batch.prefix(1000 - sample.count) }
        for r in batch {
            guard rows.count < maxRows, rows.footprint < maxBytes else { break }
            rows.append(r)
        }
    }

    /// Whether `add` would keep any of the next rows (else `skip` counts them alike).
    var wantsRows: Bool { sample.count < 1000 || (rows.count < maxRows && rows.footprint < maxBytes) }

    /// Counts `n` rows that `add` would not have kept (`wantsRows` is false).
    mutating func skip(_ n: Int) { total += n }

    var kept: [JSONObject] { (0..<rows.count).map { rows.row($0) } }
    var isCut: Bool { rows.count < total }
}
