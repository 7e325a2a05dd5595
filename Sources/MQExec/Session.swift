import Foundation
import MQCore
import MQFiles
import MQFormat
import MQPlanner
import MQSyntax

/// Thrown by a sink whose reader has gone (`mq … | head`): the run ends quietly.
public struct OutputClosed: Error {
    public init() {}
}

/// A sink that buffers, and can be told to write what it holds.
public protocol FlushableSink: OutputSink {
    func flush() throws
}

/// Session settings: the flags of cli.md and the meta commands that change them.
public struct SessionSettings: Sendable {
    public var format = OutputFormat.table
    public var pushdown = true
    public var timing = false
    public var color = false
    /// Standard output is a terminal: null shows as `∅` in tables.
    public var terminal = false
    /// Colour in diagnostics, which go to stderr (a terminal or not on its own).
    public var errorColor = false
    public var width = 120
    /// Detail requests one `join customer` may make (`--max-requests`).
    public var maxRequests = 1000
    /// `.pager`: page output taller than the screen (auto), always, or never.
    public var pager = PagerMode.auto
    public init() {}
}

public enum PagerMode: String, Sendable, CaseIterable {
    case on, off, auto
}

/// What only the shell around a session can do: its history, and connecting to another
/// org or profile. Each returns a line to show, or throws a message.
public struct ShellHooks {
    public var history: (() -> [String])? = nil
    public var org: ((_ id: String?) throws -> String)? = nil
    public var profile: ((_ name: String?) throws -> String)? = nil
    /// Profile names of the config file, for completion.
    public var profileNames: () -> [String] = { [] }
    public init() {}
}

/// What the session knows about the API besides the protocol: for `explain` and timing.
public struct APIDescription: Sendable {
    /// The full URL of a request (base URL, org, path, query).
    public var url: @Sendable (_ path: String, _ params: [(String, String)]) -> String
    /// HTTP requests made so far (attempts included).
    public var requestCount: @Sendable () -> Int
    /// The URLs of the requests made since request number `from` (for `.curl`).
    public var urls: @Sendable (_ from: Int) -> [String] = { _ in [] }
    /// A curl command repeating a request, the key redacted.
    public var curl: @Sendable (_ url: String) -> String = { "curl '\($0)'" }
    /// Turns the printing of each request on or off (`.trace`).
    public var setTrace: @Sendable (Bool) -> Void = { _ in }

    public init(url: @escaping @Sendable (String, [(String, String)]) -> String, requestCount: @escaping @Sendable () -> Int) {
        self.url = url
        self.requestCount = requestCount
    }
}

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
    /// The last result, for `.last`.
    var lastRows: [JSONObject]? = nil
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
    public private(set) var learned = Learned()
    /// The directory relative file names are read from.
    public var baseDirectory: String

    public init(api: (any ReportsAPI)?, describe: APIDescription?, settings: SessionSettings, out: OutputSink,
                err: OutputSink, baseDirectory: String, now: @escaping @Sendable () -> Instant,
                monotonic: @escaping @Sendable () -> Double)
    {
        if let api {
            let c = CachingReportsAPI(api, clock: monotonic)
            self.api = c
            cache = c
        } else {
            self.api = nil
            cache = nil
        }
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
        if let api {
            let c = CachingReportsAPI(api, clock: monotonic)
            c.isEnabled = enabled
            self.api = c
            cache = c
        } else {
            self.api = nil
            cache = nil
        }
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
        case .date, .day, .duration, .bool, .null: break
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

    func report(_ d: Diagnostic, _ source: SourceText) {
        warn(d.render(source, color: settings.errorColor, width: settings.width))
    }

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
        } catch let d as Diagnostic {
            report(d, source)
            return 1
        } catch let e as APIError {
            warn(Session.errorText(e, source: source, span: s.span))
            return e.exitStatus
        } catch let e as FileError {
            let (line, col) = source.location(of: s.span.start)
            var text = "\(source.name):\(line):\(col): error: \(e)\n"
            if e.line == nil, !e.path.hasPrefix("/"), access(baseDirectory + "/" + e.path, F_OK) != 0 {
                text += "  hint: a relative path starts at \(baseDirectory)\n"
            }
            warn(text)
            return 1
        } catch is CancellationError {
            // Ctrl-C during local work (a long sort, a regular expression, a file read).
            let (line, col) = source.location(of: s.span.start)
            warn("\(source.name):\(line):\(col): interrupted: the statement was stopped\n")
            return 130
        } catch let e as ExecError {
            var text = "error: \(e.message)\n"
            for h in e.hints { text += "  hint: \(h)\n" }
            warn(text)
            return e.status
        } catch {
            warn("error: \(error)\n")
            return 1
        }
    }

    static func errorText(_ e: APIError, source: SourceText, span: Span) -> String {
        let (line, col) = source.location(of: span.start)
        let kind = e.category == .network ? "network error" : e.category == .cancelled ? "interrupted" : "API error"
        return "\(source.name):\(line):\(col): \(kind): \(e)\n"
    }

    func plannerContext() -> PlannerContext {
        var c = PlannerContext(now: now())
        c.pushdown = settings.pushdown
        let base = baseDirectory
        c.fileColumns = { Session.sampledColumns($0, baseDirectory: base) }
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

    // MARK: running a query

    /// A plan's stream chain, with the state its sources report a failure to.
    func stream(_ plan: Plan) throws -> (RowStream, ExecutionState) {
        let progress = QueryProgress(source: Session.sourceKey(plan), started: monotonic(),
                                     requestsAtStart: describe?.requestCount() ?? 0)
        progressBoard.start(progress)
        let state = ExecutionState(progress: progress, keepsSourceRows: plan.isBlocking, keepLimit: Session.lastLimit)
        let exec = Executor(api: api, statement: CallContext(), variables: variables, eval: Evaluator(now: now()),
                            state: state, maxRequests: settings.maxRequests, baseDirectory: baseDirectory)
        return (try exec.stream(plan, isStatement: true), state)
    }

    /// A blocking stage's input was cut short: no rows are shown, `.last` keeps the source
    /// rows read, and the error that cut it says what happened.
    func noResult(_ incomplete: IncompleteInput, _ state: ExecutionState) -> any Error {
        let kept = state.sourceRows
        lastRows = kept
        lastPartial = true
        lastNoResultStage = incomplete.stage
        let n = incomplete.rowsRead
        warn("no result: `\(incomplete.stage)` needs every row, and the source stopped after \(n) row\(n == 1 ? "" : "s")"
            + (kept.isEmpty ? "" : " (`.last` shows \(kept.count == n ? "them" : "the first \(kept.count)"))") + "\n")
        return incomplete.underlying
    }

    /// Every row of a plan, and the error that cut it short, if one did.
    func execute(_ plan: Plan) async throws -> ([JSONObject], (any Error)?) {
        let (stream, state) = try self.stream(plan)
        var rows: [JSONObject] = []
        do {
            while let b = try await stream.next() { rows += b }
        } catch let e as IncompleteInput {
            throw noResult(e, state)
        }
        return (rows, state.partialError)
    }

    func runQuery(_ plan: Plan, _ source: SourceText) async throws -> Int32 {
        let started = monotonic()
        let requestsBefore = describe?.requestCount() ?? 0
        lastQueryFirstRequest = requestsBefore
        lastNoResultStage = nil
        let (stream, state) = try self.stream(plan)
        // What the operators found while running, said after the result (or the error).
        defer {
            // A filter already warned about at plan time (an unknown category) is not
            // warned about again for matching nothing.
            let said = plan.warnings.map(\.span)
            for d in state.diagnostics where !said.contains(where: { $0.start >= d.span.start && $0.end <= d.span.end }) {
                report(d, source)
            }
            for w in state.warnings { warn("warning: \(w)\n") }
        }

        if let last = plan.operators.last, case .chart = last { return try await chart(stream, last, state) }
        if let last = plan.operators.last, case .spark = last { return try await chart(stream, last, state) }

        if let path = plan.save { return try await save(stream, to: path, format: plan.format, state: state) }

        let format = plan.format.flatMap(OutputFormat.init(rawValue:)) ?? settings.format
        var options = RenderOptions()
        options.width = settings.width
        // `.output FILE` is no terminal: no colour codes, and null as an empty cell.
        options.color = settings.color && !outputRedirected
        options.terminal = settings.terminal && !outputRedirected
        let known = streamedColumns(plan)
        let renderer = makeRenderer(format, options: options, sink: out, columnsKnown: known != nil)
        var count = 0
        var shown: [JSONObject] = []
        do {
            if renderer.isStreaming {
                var begun = false
                do {
                    while let batch = try await stream.next() {
                        if !begun, !batch.isEmpty {
                            try renderer.begin(columns: Session.columns(of: batch, then: known ?? []))
                            begun = true
                        }
                        for r in batch { try renderer.row(r) }
                        count += batch.count
                        if shown.count < Session.lastLimit { shown += batch.prefix(Session.lastLimit - shown.count) }
                    }
                } catch let e where !(e is OutputClosed) {
                    // A file that breaks on line 5,000: the rows before it are out already,
                    // so the output is finished as its format needs (`]` for json) and
                    // marked partial, then the error is said.
                    if begun {
                        lastRows = shown
                        lastPartial = true
                        var summary = RenderSummary(rows: count)
                        summary.partial = "partial result: \(count) row\(count == 1 ? "" : "s") before the error below"
                        try renderer.end(summary)
                        warn(summary.partial! + "\n")
                    }
                    throw e
                }
                if !begun { try renderer.begin(columns: known ?? []) }
            } else {
                var all: [JSONObject] = []
                while let batch = try await stream.next() { all += batch }
                try renderer.begin(columns: Session.columns(of: all))
                for r in all { try renderer.row(r) }
                count = all.count
                shown = Array(all.prefix(Session.lastLimit))
            }
        } catch let e as IncompleteInput {
            throw noResult(e, state)
        }
        lastRows = shown
        lastPartial = state.partialError != nil
        learned.note(source: Session.sourceKey(plan), rows: shown)
        var summary = RenderSummary(rows: count)
        if settings.timing {
            summary.seconds = monotonic() - started
            summary.requests = (describe?.requestCount() ?? 0) - requestsBefore
        }
        if let e = state.partialError {
            // Nothing arrived: there is no partial result to show, only the error.
            guard count > 0 else { throw e }
            summary.partial = "partial result: \(count) row\(count == 1 ? "" : "s") before the error below"
            try renderer.end(summary)
            // Only table and vertical have a footer: for the others the note goes to stderr.
            if format != .table && format != .vertical { warn(summary.partial! + "\n") }
            throw e
        }
        try renderer.end(summary)
        if !renderer.droppedColumns.isEmpty {
            let d = renderer.droppedColumns
            warn("warning: \(d.count == 1 ? "a field" : "\(d.count) fields") not in the header written before \(d.count == 1 ? "it" : "them") left out of the output: "
                + d.prefix(6).joined(separator: ", ") + (d.count > 6 ? ", …" : "") + " — `select` them, or use --format json\n")
        }
        return 0
    }

    /// `| save "path"`: the rows into a file, in the format its extension names (or a
    /// `| format` before it), written to a temporary file beside it and renamed into
    /// place, so a failure never leaves a partial file.
    func save(_ stream: RowStream, to path: String, format named: String?, state: ExecutionState) async throws -> Int32 {
        let ext = path.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        guard let format = named.flatMap(OutputFormat.init(rawValue:)) ?? OutputFormat(fileExtension: ext) else {
            throw ExecError("cannot tell the format of \"\(path)\" from its extension",
                            hints: ["use .csv, .tsv, .json, .ndjson, .md or .txt, or `| format NAME | save …`"])
        }
        var rows: [JSONObject] = []
        while let b = try await stream.next() { rows += b }
        if let e = state.partialError {
            warn("nothing saved: the query did not complete\n")
            throw e
        }
        // Only now, with every row in hand: a failing query never creates a file.
        let file = try AtomicFile(path.hasPrefix("/") ? path : baseDirectory + "/" + path)
        var options = RenderOptions()
        options.width = 1 << 20  // a file is not a terminal: never cut cells
        let renderer = makeRenderer(format, options: options, sink: file)
        try renderer.begin(columns: Session.columns(of: rows))
        for r in rows { try renderer.row(r) }
        try renderer.end(RenderSummary(rows: rows.count))
        try file.commit()
        warn("saved \(rows.count) row\(rows.count == 1 ? "" : "s") to \(path) (\(format.rawValue))\n")
        return 0
    }

    func chart(_ stream: RowStream, _ op: Operator, _ state: ExecutionState) async throws -> Int32 {
        var rows: [JSONObject] = []
        do {
            while let b = try await stream.next() { rows += b }
            // A chart of part of the rows would draw wrong bars: none is drawn.
            if case .spark = op { try state.checkComplete("spark") } else { try state.checkComplete("chart") }
        } catch let e as IncompleteInput {
            throw noResult(e, state)
        }
        let eval = Evaluator(now: now())
        switch op {
        case .spark(let e):
            // A null is a gap (a space), so each glyph stays on its row's day.
            let values = rows.map { eval.eval(e, $0).number ?? .nan }
            let present = values.filter(\.isFinite)
            var line = Charts.sparkline(values)
            if let low = present.min(), let high = present.max(), let last = present.last {
                func n(_ d: Double) -> String { Charts.formatValue(d) }
                line += "  min \(n(low)) · max \(n(high)) · last \(n(last)) · \(values.count) value\(values.count == 1 ? "" : "s")"
            }
            say(line + "\n")
        case .chart(let es) where es.count == 2:
            say(Charts.bars(rows.map { (eval.eval(es[0], $0).text, eval.eval(es[1], $0).number ?? 0) }, width: min(settings.width, Session.chartWidth)))
        case .chart(let es):
            let counted = Aggregation.count(rows, by: [es[0]], eval)
            say(Charts.bars(counted.map { (Value($0[Planner.columnName(es[0])] ?? .null).text, Double($0["count"]?.intValue ?? 0)) },
                            width: min(settings.width, Session.chartWidth)))
        default: break
        }
        if let e = state.partialError { throw e }
        return 0
    }

    /// The name completion knows a plan's source by: `customers`, a file's path, `$name`.
    static func sourceKey(_ plan: Plan) -> String {
        switch plan.source {
        case .remote(let call): return call.entry.name
        case .file(let path): return path
        case .variable(let v): return "$" + v
        case .value, .subquery: return ""
        }
    }

    /// A completer that knows this session's variables and what its results showed.
    public func completer() -> Completer {
        var c = Completer()
        c.learned = learned
        c.profiles = hooks.profileNames()
        c.baseDirectory = baseDirectory
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

    /// Column order: the first row's keys, then keys first seen later, then `then`'s.
    static func columns(of rows: [JSONObject], then more: [String] = []) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for r in rows {
            for k in r.keys where seen.insert(k).inserted { out.append(k) }
        }
        for k in more where seen.insert(k).inserted { out.append(k) }
        return out
    }

    /// The columns a plan's rows will have when they are known before its rows, so that
    /// csv and tsv can write their header at once and stream: an API list's catalog
    /// fields, a kept result's columns, or what its stages name. A file is not read for
    /// this (only the data can tell), and a one-row source needs no streaming.
    func streamedColumns(_ plan: Plan) -> [String]? {
        if case .remote(let call) = plan.source, call.entry.isOneRow { return Planner.outputColumns(plan.operators[...], start: nil) }
        var context = plannerContext()
        context.fileColumns = nil
        return Planner(context).columns(of: plan)
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

    /// The keys of a file's first batch of rows (a CSV's header), or nil when it cannot
    /// be read: what "the file has a field" means before the query runs.
    static func sampledColumns(_ path: String, baseDirectory: String) -> [String]? {
        guard let reader = try? RowReader(path: Executor.resolvePath(path, baseDirectory: baseDirectory)), let batch = try? reader.next(max: 2048) else { return nil }
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

    static var metaNames: [String] { MetaCommands.all.flatMap { [$0.name] + $0.aliases } }
}

