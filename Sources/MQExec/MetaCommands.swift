import Foundation
import MQCore
import MQFormat
import MQPlanner
import MQSyntax

/// Every meta command in one table: name, arguments, help line, handler. `.help` is
/// generated from it, and an unknown name is matched against it for did-you-mean.
enum MetaCommands {
    struct Invocation: Sendable {
        let args: String
        let span: Span
        let source: SourceText
        var words: [String] { args.split(separator: " ").map(String.init) }
    }

    /// What a meta command did: the table, not the shell, decides that `.quit` ends the
    /// run (in a script too, where the next lines do not run).
    enum Result: Sendable, Equatable {
        case ok
        /// Ran and failed with this exit status (`.read` of a failing script).
        case failed(Int32)
        /// Ends the session: the REPL or the script stops here, with status 0.
        case exit
    }

    struct Command: Sendable {
        let name: String
        /// Other names it answers to (`.exit` for `.quit`).
        var aliases: [String] = []
        let arguments: String
        /// The words its argument completes to (`on`, `off`).
        var completions: [String] = []
        let help: String
        let run: @Sendable (Session, Invocation) async throws -> Result

        init(name: String, aliases: [String] = [], arguments: String, completions: [String]? = nil, help: String,
             run: @escaping @Sendable (Session, Invocation) async throws -> Result)
        {
            self.name = name
            self.aliases = aliases
            self.arguments = arguments
            // `on|off|auto` completes to its words, unless told otherwise.
            self.completions = completions ?? (arguments.contains("|") && arguments == arguments.lowercased()
                ? arguments.split(separator: "|").map(String.init) : [])
            self.help = help
            self.run = run
        }
    }

    /// The command a name (or alias) calls.
    static func command(_ name: String) -> Command? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    static func onOff(_ name: String, _ inv: Invocation) throws -> Bool {
        guard let w = inv.words.first?.lowercased(), w == "on" || w == "off" else {
            throw Diagnostic.badMetaArgument(name, takes: "on or off", at: inv.span, hint: "e.g. `.\(name) on`")
        }
        return w == "on"
    }

    static let all: [Command] = [
        Command(name: "help", arguments: "[TOPIC]", help: "list the meta commands; `.help sort`, `.help customers`, `.help .format` explain one") { s, inv in
            if let word = inv.words.first {
                let name = word.hasPrefix(".") ? String(word.dropFirst()) : word
                if let topic = HelpTopics.topic(name), !word.hasPrefix(".") {
                    var text = "\(topic.synopsis)\n\n\(topic.text)\n"
                    if !topic.examples.isEmpty {
                        text += "\nexamples:\n" + topic.examples.map { "  \($0)\n" }.joined()
                    }
                    s.say(text)
                    return .ok
                }
                if let c = all.first(where: { $0.name == name }) {
                    s.say(".\(c.name) \(c.arguments)".trimmingCharacters(in: .whitespaces) + "\n  \(c.help)\n")
                    return .ok
                }
                let names = HelpTopics.all.map(\.name) + all.map { "." + $0.name }
                throw Diagnostic.noHelp(word, names: names, topics: HelpTopics.all.map(\.name), at: inv.span)
            }
            let width = all.map { ".\($0.name) \($0.arguments)".count }.max() ?? 0
            var text = ""
            for c in all {
                text += ".\(c.name) \(c.arguments)".padding(toLength: width, withPad: " ", startingAt: 0) + "  \(c.help)\n"
            }
            text += "\nsources:    " + HelpTopics.all.map(\.name).filter(Source.names.contains).joined(separator: " ")
            text += "\nstages:     " + Usage.stageNames.joined(separator: " ")
            text += "\nstatements: let explain"
            text += "\nfunctions:  " + FunctionSpec.scalarNames.joined(separator: " ") + "; in summarize: "
                + FunctionSpec.aggregateNames.joined(separator: " ") + "; with over: " + FunctionSpec.windowNames.joined(separator: " ")
            text += "\n`.help NAME` for one of them, with examples; Tab completes names, fields and values.\n"
            s.say(text)
            return .ok
        },
        Command(name: "format", arguments: "NAME", help: "output format: " + OutputFormat.names(separator: " ")) { s, inv in
            guard let f = inv.words.first.flatMap({ OutputFormat(rawValue: $0.lowercased()) }) else {
                throw Diagnostic.unknownFormat(inv.args, at: inv.span,
                                               suggestion: Hints.closest(inv.args, in: OutputFormat.allCases.map(\.rawValue)))
            }
            s.settings.format = f
            return .ok
        },
        Command(name: "timing", arguments: "on|off", help: "show time and requests after each result") { s, inv in
            s.settings.timing = try onOff("timing", inv)
            return .ok
        },
        Command(name: "trace", arguments: "on|off", help: "print each HTTP request (URL, status, time, retries; no key)") { s, inv in
            s.describe?.setTrace(try onOff("trace", inv))
            return .ok
        },
        Command(name: "curl", arguments: "", help: "the last statement's requests as curl commands, the key redacted") { s, _ in
            guard let from = s.lastQueryFirstRequest, let d = s.describe else {
                s.say("(no request yet)\n")
                return .ok
            }
            var last: String? = nil
            for url in d.urls(from) where url != last {  // retries repeat a URL
                s.say(d.curl(url) + "\n")
                last = url
            }
            return .ok
        },
        Command(name: "pushdown", arguments: "on|off", help: "send filters and limits to the API (off: the same rows, more requests)") { s, inv in
            s.settings.pushdown = try onOff("pushdown", inv)
            return .ok
        },
        Command(name: "cache", arguments: "on|off|clear", help: "reuse identical responses within 5 minutes") { s, inv in
            if inv.words.first == "clear" { s.cache?.clear() } else { s.setCache(enabled: try onOff("cache", inv)) }
            return .ok
        },
        Command(name: "inspect", arguments: "SOURCE|$NAME|QUERY",
                help: "a source's fields and types, and what pushes down; a file's columns and kinds; `describe` of a result or a query") { s, inv in
            if inv.words.first?.lowercased() == "from" {
                s.say(try FileInspection.describe(inv.args, baseDirectory: s.baseDirectory))
                return .ok
            }
            // A kept result or a query: its rows described (`describe`).
            if inv.args.hasPrefix("$") || inv.args.hasPrefix("(") || inv.words.count > 1 {
                let text = inv.args.hasPrefix("$") && inv.words.count == 1 ? "\(inv.args) | describe" : "(\(inv.args)) | describe"
                let status = await s.run(SourceText(text, name: inv.source.name))
                return status == 0 ? .ok : .failed(status)
            }
            guard let n = inv.words.first, let entry = Catalog.entry(named: n.lowercased()) else {
                throw Diagnostic.unknownSource(inv.args, at: inv.span, suggestion: Hints.closest(inv.args, in: Catalog.all.map(\.name)))
            }
            s.say(Catalog.describe(entry))
            return .ok
        },
        Command(name: "vars", arguments: "", help: "the variables kept with let, --set and script arguments") { s, _ in
            for (k, v) in s.variables.sorted(by: { $0.key < $1.key }) {
                switch v {
                case .value(let j): s.say("$\(k) = \(j.jsonText)\n")
                case .rows(let rows, let cols): s.say("$\(k): \(rows.count) rows (\(cols.joined(separator: ", ")))\n")
                }
            }
            return .ok
        },
        Command(name: "last", arguments: "", help: "show the last result again (marked when partial)") { s, _ in
            guard let last = s.last else {
                s.say("(no result yet)\n")
                return .ok
            }
            var options = RenderOptions()
            options.width = s.settings.width
            options.color = s.settings.color && !s.outputRedirected
            options.terminal = s.settings.terminal && !s.outputRedirected
            let r = makeRenderer(s.settings.format, options: options, sink: s.out)
            let rows = last.kept
            try r.begin(columns: Session.columns(of: rows))
            for row in rows { try r.row(row) }
            var summary = RenderSummary(rows: rows.count)
            if s.lastPartial {
                summary.partial = "partial result: the statement stopped before its end"
                    + (s.lastNoResultStage.map { " (the source's rows read; `\($0)` gave no result)" } ?? "")
            } else if last.isCut {
                summary.partial = "the first \(rows.count) of the result's \(last.total) rows: `.last` keeps at most \(Session.lastLimit) rows or \(ByteSize.text(s.lastBytes)), re-run the query for all"
            }
            try r.end(summary)
            // Only table and vertical have a footer: for the others the note goes to stderr.
            if let note = summary.partial, s.settings.format != .table, s.settings.format != .vertical { s.warn(note + "\n") }
            return .ok
        },
        Command(name: "read", arguments: "FILE", help: "run the statements of a file") { s, inv in
            let path = inv.args.hasPrefix("/") ? inv.args : s.baseDirectory + "/" + inv.args
            guard !inv.args.isEmpty, let data = FileManager.default.contents(atPath: path) else {
                throw ExecError("cannot read \(inv.args.isEmpty ? "(no file given)" : inv.args)")
            }
            let status = await s.run(SourceText(String(decoding: data, as: UTF8.self), name: inv.args))
            return s.exitRequested ? .exit : status == 0 ? .ok : .failed(status)
        },
        Command(name: "output", arguments: "FILE|-", help: "send results to a file (- for standard output again)") { s, inv in
            let target = inv.args
            if target.isEmpty || target == "-" {
                s.out = s.stdout
                return .ok
            }
            let path = target.hasPrefix("/") ? target : s.baseDirectory + "/" + target
            guard let sink = FileSink(path: path) else {
                throw ExecError("cannot write \(target): \(String(cString: strerror(errno)))")
            }
            s.out = sink
            return .ok
        },
        Command(name: "pager", arguments: "on|off|auto", help: "page results through $PAGER (auto: when taller than the screen)") { s, inv in
            guard let w = inv.words.first?.lowercased(), let mode = PagerMode(rawValue: w) else {
                throw Diagnostic.badMetaArgument("pager", takes: "on, off or auto", at: inv.span,
                                                 hint: "auto pages a result taller than the screen, when stdout is a terminal")
            }
            s.settings.pager = mode
            return .ok
        },
        Command(name: "org", arguments: "[ID]", help: "show the organization, or switch to another with the same key") { s, inv in
            guard let hook = s.hooks.org else { throw ExecError("`.org` needs the mq shell") }
            s.say(try hook(inv.words.first) + "\n")
            return .ok
        },
        Command(name: "profile", arguments: "[NAME]", help: "show the profiles of the config file, or switch to one") { s, inv in
            guard let hook = s.hooks.profile else { throw ExecError("`.profile` needs the mq shell") }
            s.say(try hook(inv.words.first) + "\n")
            return .ok
        },
        Command(name: "history", arguments: "[N]", help: "the last N lines typed (default 20); lines with keys are never kept") { s, inv in
            guard let lines = s.hooks.history?() else {
                s.say("(no history: mq keeps it in the interactive shell only)\n")
                return .ok
            }
            let n = inv.words.first.flatMap { Int($0) } ?? 20
            let first = max(0, lines.count - n)
            for (i, line) in lines.enumerated().dropFirst(first) {
                let shown = line.replacingOccurrences(of: "\n", with: "\n      ")
                s.say(String(repeating: " ", count: max(0, 5 - String(i + 1).count)) + "\(i + 1)  \(shown)\n")
            }
            return .ok
        },
        Command(name: "quit", aliases: ["exit"], arguments: "", help: "leave (Ctrl-D does too); in a script, stop there") { _, _ in .exit },
    ]
}

/// `.output FILE`: results appended to a file, written through.
final class FileSink: OutputSink {
    let fd: Int32
    init?(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { return nil }
    }
    deinit { close(fd) }
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExecError("cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
