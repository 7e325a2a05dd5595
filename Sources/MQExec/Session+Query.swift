import Foundation
import MQCore
import MQFiles
import MQFormat
import MQPlanner
import MQSyntax

extension Session {
    // MARK: running a query

    /// A plan's stream chain, with the state its sources report a failure to.
    func stream(_ plan: Plan) throws -> (RowStream, ExecutionState) {
        let progress = QueryProgress(source: Session.sourceKey(plan), started: monotonic(),
                                     requestsAtStart: describe?.requestCount() ?? 0)
        progressBoard.start(progress)
        let state = ExecutionState(progress: progress, keepsSourceRows: plan.isBlocking, keepLimit: Session.lastLimit, keepBytes: sourceKeepBytes)
        let exec = Executor(api: api, statement: CallContext(), variables: variables, eval: Evaluator(now: now()),
                            state: state, maxRequests: settings.maxRequests, memoryLimit: settings.memoryLimit,
                            baseDirectory: baseDirectory)
        return (try exec.stream(plan, isStatement: true), state)
    }

    /// A blocking stage's input was cut short: no rows are shown, `.last` keeps the source
    /// rows read, and the error that cut it says what happened.
    func noResult(_ incomplete: IncompleteInput, _ state: ExecutionState) -> any Error {
        let kept = state.sourceRows
        last = LastResult(kept, maxRows: Session.lastLimit, maxBytes: .max)
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
        var shown = LastResult(maxRows: Session.lastLimit, maxBytes: lastBytes)
        do {
            if renderer.isStreaming {
                var begun = false
                do {
                    let packedRenderer = renderer as? PackedRowRenderer
                    while let next = try await stream.nextBatch() {
                        // A full sort's rows are written from their packed bytes, and made
                        // objects only for the first batch's columns and while `.last`
                        // keeps them.
                        if case .packed(let rows, let order) = next, let packedRenderer, begun, !shown.wantsRows {
                            try packedRenderer.rows(packed: rows, order: order)
                            count += order.count
                            shown.skip(order.count)
                            continue
                        }
                        let batch = next.objects
                        if !begun, !batch.isEmpty {
                            try renderer.begin(columns: Session.columns(of: batch, then: known ?? []))
                            begun = true
                        }
                        for r in batch { try renderer.row(r) }
                        count += batch.count
                        shown.add(batch)
                    }
                } catch let e where !(e is OutputClosed) {
                    // A file that breaks on line 5,000: the rows before it are out already,
                    // so the output is finished as its format needs (`]` for json) and
                    // marked partial, then the error is said.
                    if begun {
                        last = shown
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
                shown.add(all)
            }
        } catch let e as IncompleteInput {
            throw noResult(e, state)
        }
        last = shown
        lastPartial = state.partialError != nil
        learned.note(source: Session.sourceKey(plan), rows: shown.sample)
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
            let counted = try Aggregation.count(rows, by: [es[0]], eval)
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
}
