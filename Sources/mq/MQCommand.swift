import ArgumentParser
import CEditShim
import Foundation
import MQClient
import MQConfig
import MQCore
import MQExec
import MQFormat
import MQSyntax
import MosendSim
import Synchronization

struct MQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mq",
        abstract: "A query shell for the Mosend Reports API.",
        discussion: """
            mq --demo                   the shell, on built-in demo data
            mq                          the shell, on $MOSEND_BASE_URL and $MOSEND_ORG
            mq -c 'customers | count by category'
            mq FILE.mq [ARG…]           run a script; ARGs are $1, $2, …
            echo 'summary' | mq         statements from standard input
            In the shell: .help, and .help TOPIC for a source or a stage.
            """)

    @Option(name: .customShort("c"), help: ArgumentHelp("Run these statements (separated by ; or newlines) and exit.", valueName: "statements"))
    var command: String?

    @Option(help: "API base URL (MOSEND_BASE_URL).") var baseUrl: String?
    @Option(help: "Organization id (MOSEND_ORG).") var org: String?
    @Option(help: ArgumentHelp(
        "API key, sent as X-Api-Key (MOSEND_API_KEY). MOSEND_TOKEN is sent as Authorization: Bearer. "
            + "`-` reads one line from standard input. A key on the command line is visible to other users in ps "
            + "until mq starts and overwrites it: prefer --api-key-file, MOSEND_API_KEY or the config file.",
        valueName: "key"))
    var apiKey: String?
    @Option(help: ArgumentHelp("Read the API key from the first line of this file, which only you may read (chmod 600).",
                               valueName: "path"))
    var apiKeyFile: String?
    @Option(help: "A profile of the config file (MQ_PROFILE).") var profile: String?
    @Option(help: "Output format: table, vertical, csv, tsv, json, ndjson, markdown.") var format: String?
    @Option(name: .customLong("set"), help: "A script variable, as `let NAME = VALUE`.") var sets: [String] = []
    // `.unconditional`: `--concurrency -5` takes -5 as the value, so the message says what
    // is wrong with it, not "Missing value".
    @Option(parsing: .unconditional, help: "Parallel requests for `join customer` (default 8).") var concurrency: Int?
    @Option(parsing: .unconditional, help: "Most detail requests one `join customer` may make.") var maxRequests = 1000
    @Option(help: "A PEM file of extra trusted CAs (MQ_CA_BUNDLE).") var cacert: String?
    @Flag(help: "Do not reuse responses within the session.") var noCache = false
    @Flag(help: "Run every filter locally (the same rows, more requests).") var noPushdown = false
    @Flag(help: "Print each HTTP request to stderr.") var trace = false
    @Flag(help: "Show time and requests after each result.") var timing = false
    @Flag(help: "Plain output (also NO_COLOR).") var noColor = false
    @Flag(help: "Allow plain http:// to hosts other than loopback.") var insecureHttp = false
    @Flag(help: "Print mq's version and exit.") var version = false
    @Flag(help: "Run on the built-in simulator's demo data (2,000 contacts), started in-process on 127.0.0.1.")
    var demo = false

    /// Everything after the script's path is its own (`mq t.mq -30d --format x` gives $1 = -30d).
    @Argument(parsing: .captureForPassthrough, help: "A script file, then its arguments ($1, $2, …).")
    var script: [String] = []

    func validate() throws {
        if version { throw CleanExit.message("mq \(mqVersion)") }
        if let format, OutputFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be one of: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        for s in sets where !s.contains("=") { throw ValidationError("--set takes NAME=VALUE, not `\(s)`") }
        if let c = concurrency, c < 1 { throw ValidationError("--concurrency must be at least 1, not \(c)") }
        if maxRequests < 0 { throw ValidationError("--max-requests must be 0 or more, not \(maxRequests)") }
        if command != nil && !script.isEmpty { throw ValidationError("give either -c or a script file, not both") }
        if apiKey != nil && apiKeyFile != nil { throw ValidationError("give either --api-key or --api-key-file, not both") }
        // Arguments after the script are its own; an option before it is mq's: help and
        // version, which passthrough parsing captures too, or else unknown.
        if let first = script.first, first.hasPrefix("-"), first != "-" {
            if first == "-h" || first == "--help" { throw CleanExit.helpRequest(self) }
            throw ValidationError("Unknown option '\(first)'")
        }
    }
}

/// Flags, environment and the config profile merged: flag > environment > profile > default.
struct Resolved {
    var baseURL: String
    var org: String?
    var credentials: Credentials?
    var format: String?
    var concurrency: Int

    init(_ cmd: MQCommand, env: [String: String], profile: Profile?, configPath: String) throws(ConfigError) {
        baseURL = cmd.baseUrl ?? env["MOSEND_BASE_URL"] ?? profile?.baseURL ?? "https://api.mosend.dev"
        org = cmd.org ?? env["MOSEND_ORG"] ?? profile?.org
        if cmd.apiKey == "-" {
            credentials = Credentials(apiKey: try KeyInput.lineFromStandardInput(), source: "--api-key - (standard input)")
        } else if let k = cmd.apiKey {
            credentials = Credentials(apiKey: k, source: "--api-key")
        } else if let path = cmd.apiKeyFile {
            credentials = Credentials(apiKey: try KeyInput.file(path), source: "--api-key-file \(path)")
        } else if let k = env["MOSEND_API_KEY"] {
            credentials = Credentials(apiKey: k, source: "MOSEND_API_KEY")
        } else if let t = env["MOSEND_TOKEN"] {
            credentials = Credentials(bearer: t, source: "MOSEND_TOKEN")
        } else if let p = profile, let k = p.apiKey {
            credentials = Credentials(apiKey: k, source: "profile \(p.name) in \(configPath)")
        } else if let p = profile, let command = p.apiKeyCommand {
            credentials = Credentials(apiKey: try Config.runKeyCommand(command), source: "api_key_command of profile \(p.name)")
        }
        format = cmd.format ?? profile?.format
        concurrency = cmd.concurrency ?? profile?.concurrency ?? 8
    }
}

/// Standard output with a buffer; a closed pipe (`mq … | head`) ends the run quietly, and
/// any other failure to write (a full disk, `> /dev/full`) is an error that says so.
final class StdoutSink: FlushableSink {
    private var buffer: [UInt8] = []
    let fd: Int32
    /// Runs before bytes reach the descriptor (the progress line erases itself).
    var beforeWrite: (() -> Void)? = nil
    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        if !buffer.isEmpty { beforeWrite?() }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                buffer.removeAll()
                if code == EPIPE { throw OutputClosed() }
                throw OutputFailed(fd: fd, code: code)
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Standard output or error could not be written (not a closed pipe: that is `OutputClosed`).
struct OutputFailed: Error, CustomStringConvertible {
    let fd: Int32
    let code: Int32
    var description: String {
        "cannot write to standard \(fd == 2 ? "error" : "output"): \(String(cString: strerror(code)))"
    }
}

/// Counts and remembers requests (for `.timing` and `.curl`), and prints them when
/// tracing (`--trace`, `.trace on`).
final class RequestLog: Sendable {
    /// The most recent URLs (`.curl` wants the last statement's), and how many older ones
    /// were let go: a shell that runs for days must not keep every URL it ever fetched.
    private let log = Mutex<(dropped: Int, urls: [String])>((0, []))
    static let kept = 5_000
    private let printing: Mutex<Bool>
    init(printing: Bool) { self.printing = Mutex(printing) }
    var total: Int { log.withLock { $0.dropped + $0.urls.count } }
    func setPrinting(_ on: Bool) { printing.withLock { $0 = on } }
    func urls(from: Int) -> [String] { log.withLock { Array($0.urls.dropFirst(max(0, from - $0.dropped))) } }

    func record(_ e: TraceEvent) {
        log.withLock { l in
            l.urls.append(e.url)
            if l.urls.count > RequestLog.kept {
                l.urls.removeFirst(RequestLog.kept / 2)
                l.dropped += RequestLog.kept / 2
            }
        }
        guard printing.withLock({ $0 }) else { return }
        var line = "→ GET \(e.url)"
        if let s = e.status { line += " ← \(s)" } else if let err = e.error { line += " ✗ \(err)" }
        line += String(format: " %.1f ms, %d B", e.seconds * 1000, e.bytes)
        if e.attempt > 1 { line += ", attempt \(e.attempt)" }
        if e.waitedBefore > 0 { line += String(format: " after waiting %.2f s", e.waitedBefore) }
        writeStderr(Data((line + "\n").utf8))
    }
}

/// How wide a table may be: the terminal's width; else COLUMNS; else no limit, so that
/// `mq … > report.txt` keeps every cell whole.
func terminalWidth(environment env: [String: String]) -> Int {
    if let columns = terminalColumns() { return columns }
    if let c = env["COLUMNS"].flatMap({ Int($0) }), c > 0 { return c }
    return 1 << 20
}

/// The width of the terminal on stdout, when stdout is one.
func terminalColumns() -> Int? {
    var w = winsize()
    if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 { return Int(w.ws_col) }
    return nil
}

func runMain() async -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let closedInput = mq_stdin_was_closed() != 0 || StandardDescriptors.reopenClosed()
    // The arguments are copied before the key is blanked in the process's own argv.
    let commandLine = Array(CommandLine.arguments.dropFirst())
    KeyInput.blankKeyInArgv()
    let cmd: MQCommand
    do {
        cmd = try MQCommand.parseAsRoot(commandLine) as! MQCommand
    } catch {
        let code = MQCommand.exitCode(for: error)
        let message = MQCommand.fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        writeStderr(Data((message + "\n").utf8))
        return 2  // cli.md: usage error
    }
    var env = ProcessInfo.processInfo.environment
    var demoServer: SimServer? = nil
    if cmd.demo {
        // The demo org replaces whatever the environment names.
        let started = ContinuousClock.now
        var config = SimConfiguration()
        config.contacts = 2000
        // Demo data ends this hour, so `since -7d` and `today` mean what they say.
        // With MQ_NOW, the demo's data ends then, so that a script gives the same answer.
        let pinned = env["MQ_NOW"].flatMap { Instant.parseISO8601($0)?.instant.milliseconds }
        let nowMs = pinned ?? Int(Date().timeIntervalSince1970 * 1000)
        config.now = Instant(milliseconds: nowMs - nowMs % 3_600_000)
        do {
            let server = try await SimServer.start(config)
            let org = server.engine.organizations[0]
            env["MOSEND_BASE_URL"] = server.url
            env["MOSEND_ORG"] = org.id
            env["MOSEND_API_KEY"] = org.apiKey
            env["MOSEND_TOKEN"] = nil
            demoServer = server
            let ms = started.duration(to: .now).components
            let elapsed = Double(ms.seconds) + Double(ms.attoseconds) * 1e-18
            writeStderr(Data(String(
                format: "demo: %@ (%d contacts, simulated) at %@, started in %.2f s\n",
                org.name, config.contacts, server.url, elapsed).utf8))
        } catch {
            writeStderr(Data("mq: the demo simulator did not start: \(error)\n".utf8))
            return 2
        }
    }
    let resolved: Resolved
    do {
        let path = Config.defaultPath(environment: env)
        let config = try Config.load(path: path)
        let name = cmd.profile ?? env["MQ_PROFILE"]
        if config == nil, let name {
            throw ConfigError(message: "no profile `\(name)`: there is no config file at \(path)")
        }
        resolved = try Resolved(cmd, env: env, profile: try config?.profile(named: name), configPath: path)
        if let f = resolved.format, OutputFormat(rawValue: f.lowercased()) == nil {
            throw ConfigError(message: "format `\(f)` in the profile is not one of: "
                + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
    } catch {
        writeStderr(Data("mq: \(error)\n".utf8))
        return 2
    }

    // Where the statements come from.
    let source: SourceText
    var interactive = false
    var arguments: [String] = []
    if let c = cmd.command {
        source = SourceText(c, name: "<command>")
    } else if let path = cmd.script.first {
        guard let data = FileManager.default.contents(atPath: path) else {
            writeStderr(Data("mq: cannot read \(path): \(String(cString: strerror(errno)))\n".utf8))
            return 2
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("#!") { text = "#" + text.dropFirst() }
        source = SourceText(text, name: path)
        arguments = Array(cmd.script.dropFirst())
    } else if closedInput {
        // `mq <&-`: no statements to read (it used to die on a `try!` in Foundation).
        writeStderr(Data("mq: standard input is closed: no statements to run\n".utf8))
        source = SourceText("", name: "<stdin>")
    } else if isatty(0) == 0 {
        switch StandardDescriptors.readAll(0) {
        case .success(let bytes): source = SourceText(String(decoding: bytes, as: UTF8.self), name: "<stdin>")
        case .failure(let e):
            writeStderr(Data("mq: cannot read standard input: \(String(cString: strerror(e.code)))\n".utf8))
            return 2
        }
    } else {
        // Interactive: the REPL, once the session is set up below.
        source = SourceText("", name: "<stdin>")
        interactive = true
    }

    // The API client, when there are credentials.
    let requests = RequestLog(printing: cmd.trace)
    let connection = Connection(cmd: cmd, env: env, requests: requests, demo: demoServer)
    var api: MosendClient? = nil
    var describe: APIDescription? = nil
    if resolved.credentials != nil {
        do {
            (api, describe) = try connection.connect(resolved)
        } catch {
            writeStderr(Data("mq: \(error)\n".utf8))
            return 2
        }
    }

    var settings = SessionSettings()
    if let f = resolved.format { settings.format = OutputFormat(rawValue: f.lowercased())! }
    settings.pushdown = !cmd.noPushdown
    settings.timing = cmd.timing
    // Colour only on a terminal, and never with --no-color or NO_COLOR (no-color.org: set
    // and not empty).
    let colorAllowed = !cmd.noColor && (env["NO_COLOR"] ?? "").isEmpty
    settings.color = isatty(1) != 0 && colorAllowed
    settings.terminal = isatty(1) != 0
    settings.errorColor = isatty(2) != 0 && colorAllowed
    settings.width = terminalWidth(environment: env)
    settings.maxRequests = cmd.maxRequests
    let terminalOut = StdoutSink(fd: 1)
    let err = StdoutSink(fd: 2)
    // In the shell, on a terminal, results taller than the screen go through a pager.
    let pager: PagerSink? = interactive && isatty(1) != 0 ? PagerSink(terminal: terminalOut) : nil
    let out: FlushableSink = pager ?? terminalOut
    // MQ_NOW pins "now" (`today`, `-7d`) so that a saved script gives the same answer
    // tomorrow; the examples' golden outputs rely on it.
    var now: @Sendable () -> Instant = { Instant(milliseconds: Int(Date().timeIntervalSince1970 * 1000)) }
    if let pinned = env["MQ_NOW"], !pinned.isEmpty {
        guard let instant = Instant.parseISO8601(pinned)?.instant else {
            writeStderr(Data("mq: MQ_NOW=\(pinned) is not an ISO 8601 date or time (e.g. 2026-11-15T12:00:00Z)\n".utf8))
            return 2
        }
        now = { instant }
    }
    let session = Session(
        api: api, describe: describe, settings: settings, out: out, err: err,
        baseDirectory: FileManager.default.currentDirectoryPath,
        now: now,
        monotonic: { ProcessInfo.processInfo.systemUptime })
    session.setCache(enabled: !cmd.noCache)
    session.hooks.org = { [unowned session] in try connection.switchOrg($0, session: session) }
    session.hooks.profile = { [unowned session] in try connection.switchProfile($0, session: session) }
    session.hooks.profileNames = {
        ((try? Config.load(path: Config.defaultPath(environment: env))) ?? nil)?.profiles.keys.sorted() ?? []
    }
    if isatty(2) != 0 {
        let progress = ProgressLine(board: session.progressBoard, requests: { requests.total },
                                    activity: { connection.client?.activity },
                                    monotonic: { ProcessInfo.processInfo.systemUptime })
        terminalOut.beforeWrite = { progress.outputStarted() }
        err.beforeWrite = { progress.erase() }
        progress.start()
    }
    for s in cmd.sets {
        let parts = s.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        session.set(String(parts[0]), text: parts.count > 1 ? String(parts[1]) : "")
    }
    for (i, a) in arguments.enumerated() { session.set(String(i + 1), text: a) }
    if let pager { pager.mode = { [unowned session] in session.settings.pager } }
    if interactive && resolved.credentials == nil {
        writeStderr(Data(Connection.noCredentials(configPath: Config.defaultPath(environment: env)).utf8))
    }
    let status: Int32
    if interactive {
        status = await Repl(session: session, promptName: { connection.promptName },
                            historyPath: Repl.path(environment: env), secrets: { connection.secrets }).run()
    } else {
        Interrupts.install(exitOnSecond: true)
        let (ran, stopped) = await Interrupts.run(session, source)
        status = stopped ? 130 : ran  // cli.md: 130 interrupted
    }
    try? out.flush()
    try? err.flush()
    connection.client?.shutdown()
    await demoServer?.stop()
    return status
}

/// Makes the API client for a resolved configuration; `.org` and `.profile` make another.
final class Connection: @unchecked Sendable {
    let cmd: MQCommand
    let env: [String: String]
    let requests: RequestLog
    let demo: SimServer?
    /// The client in use (the progress line reads its activity).
    private(set) var client: MosendClient? = nil
    private(set) var resolved: Resolved? = nil

    init(cmd: MQCommand, env: [String: String], requests: RequestLog, demo: SimServer?) {
        self.cmd = cmd
        self.env = env
        self.requests = requests
        self.demo = demo
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func connect(_ resolved: Resolved) throws -> (MosendClient, APIDescription) {
        guard let credentials = resolved.credentials else {
            throw Failure(description: "no API key: set MOSEND_API_KEY (or --api-key, or a profile's api_key)")
        }
        guard let org = resolved.org else {
            throw Failure(description: "an API key is set but no organization: pass --org or set MOSEND_ORG")
        }
        var config = ClientConfiguration(baseURL: resolved.baseURL, orgId: org, credentials: credentials)
        // Past the open-file limit, connections would fail as "could not connect".
        let room = OpenFiles.requestRoom(socketsPerRequest: demo == nil ? 1 : 2)
        if resolved.concurrency > room {
            writeStderr(Data(
                ("mq: --concurrency \(resolved.concurrency) needs more open files than this process may have "
                    + "(ulimit -n \(OpenFiles.limit)); \(room) requests will run at once\n").utf8))
        }
        config.concurrency = min(resolved.concurrency, room)
        // The transport caps requests in flight for the whole process (8 by default): a
        // larger --concurrency raises the cap with it, or the flag would stop at 8 unseen.
        config.transport.maxInFlight = min(max(config.transport.maxInFlight, config.concurrency), room)
        config.insecureHTTP = cmd.insecureHttp
        config.transport.caBundle = cmd.cacert ?? env["MQ_CA_BUNDLE"]
        let client: MosendClient
        do {
            client = try MosendClient(config)
        } catch {
            throw Failure(description: error.detail)
        }
        let requests = self.requests
        client.setTrace { requests.record($0) }
        let base = resolved.baseURL.hasSuffix("/") ? String(resolved.baseURL.dropLast()) : resolved.baseURL
        let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let orgPath = "/organizations/" + (org.addingPercentEncoding(withAllowedCharacters: unreserved) ?? org) + "/reports"
        var describe = APIDescription(
            url: { path, params in
                let q = params.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? $0.1)" }
                    .joined(separator: "&")
                return base + orgPath + path + (q.isEmpty ? "" : "?" + q)
            },
            requestCount: { requests.total })
        describe.urls = { requests.urls(from: $0) }
        describe.curl = { [client] in client.curlCommand(url: $0) }
        describe.setTrace = { requests.setPrinting($0) }
        self.client?.shutdown()
        self.client = client
        self.resolved = resolved
        return (client, describe)
    }

    /// What the shell says when it starts with no key: how to set one, and the demo.
    static func noCredentials(configPath: String) -> String {
        """
        mq: no API key is set, so only local files can be queried (from "export.csv").
          To query your org:  export MOSEND_API_KEY=mk_live_…  MOSEND_ORG=<org id>
                              (or a profile in \(configPath), then --profile NAME)
          To try mq first:    mq --demo   (built-in demo data, no key needed)

        """
    }

    /// The secret of the credentials in use, for the shell to keep out of its history.
    var secrets: [String] { resolved?.credentials.map { [$0.secret] } ?? [] }

    /// The prompt's name for the org: `demo`, or the start of its id.
    var promptName: String {
        if let demo, let org = resolved?.org, let o = demo.engine.organizations.first(where: { $0.id == org }) {
            return o.id == demo.engine.organizations[0].id ? "demo" : "demo:" + String(o.name.split(separator: " ").first ?? "")
        }
        return String((resolved?.org ?? "").prefix(8))
    }

    /// `.org [ID]`.
    func switchOrg(_ id: String?, session: Session) throws -> String {
        guard var r = resolved ?? (try? Resolved(cmd, env: env, profile: nil, configPath: "")) else {
            throw Failure(description: "no connection")
        }
        guard let id else {
            var text = "org: \(r.org ?? "(none)") at \(r.baseURL)"
            if let demo {
                text += "\ndemo orgs:"
                for o in demo.engine.organizations { text += "\n  \(o.id)  \(o.name)" }
            }
            return text
        }
        r.org = id
        // On the demo server each org has its own key: use it.
        if let demo, let o = demo.engine.organizations.first(where: { $0.id == id || $0.name.lowercased().hasPrefix(id.lowercased()) }) {
            r.org = o.id
            r.credentials = Credentials(apiKey: o.apiKey, source: "the demo")
        }
        let (client, describe) = try connect(r)
        session.connect(api: client, describe: describe)
        return "org: \(r.org!)"
    }

    /// `.profile [NAME]`: the profile's settings over the current ones.
    func switchProfile(_ name: String?, session: Session) throws -> String {
        let path = Config.defaultPath(environment: env)
        let config: Config?
        do { config = try Config.load(path: path) } catch { throw Failure(description: "\(error)") }
        guard let config else { throw Failure(description: "there is no config file at \(path)") }
        guard let name else {
            return "profiles in \(path): " + config.profiles.keys.sorted().joined(separator: ", ")
        }
        let profile: Profile?
        do { profile = try config.profile(named: name) } catch { throw Failure(description: "\(error)") }
        guard let p = profile else { throw Failure(description: "no profile `\(name)` in \(path)") }
        guard var r = resolved ?? (try? Resolved(cmd, env: env, profile: nil, configPath: path)) else {
            throw Failure(description: "no connection")
        }
        if let u = p.baseURL { r.baseURL = u }
        if let o = p.org { r.org = o }
        if let k = p.apiKey {
            r.credentials = Credentials(apiKey: k, source: "profile \(p.name) in \(path)")
        } else if let command = p.apiKeyCommand {
            do {
                r.credentials = Credentials(apiKey: try Config.runKeyCommand(command), source: "api_key_command of profile \(p.name)")
            } catch { throw Failure(description: "\(error)") }
        }
        if let c = p.concurrency { r.concurrency = c }
        if let f = p.format, let format = OutputFormat(rawValue: f.lowercased()) { session.settings.format = format }
        let (client, describe) = try connect(r)
        session.connect(api: client, describe: describe)
        return "profile \(p.name): org \(r.org ?? "(none)") at \(r.baseURL)"
    }
}

/// Writes to standard error with write(2): FileHandle's old `write(_:)` raises (and kills
/// the process) when the reader has gone, and a diagnostic must never crash mq.
func writeStderr(_ data: Data) {
    data.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(2, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// The three standard descriptors, as mq finds them.
enum StandardDescriptors {
    struct ReadError: Error { let code: Int32 }

    /// Opens /dev/null on any of 0, 1, 2 that is closed (`mq <&-`, `2>&-`), before anything
    /// else opens a file: otherwise the next socket or file would get that number, and
    /// "standard input" would be read from, or errors written to, whatever it was.
    /// Returns whether standard input was closed. CEditShim's constructor does the same
    /// before the Swift runtime starts (which takes a descriptor of its own); this is for
    /// a build without it.
    static func reopenClosed() -> Bool {
        var inputClosed = false
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            if fd == 0 { inputClosed = true }
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
        return inputClosed
    }

    /// Every byte of a descriptor, with read(2), or the error that stopped it (a
    /// directory given as input, EIO): a message, not a crash.
    static func readAll(_ fd: Int32) -> Result<[UInt8], ReadError> {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n > 0 {
                out.append(contentsOf: chunk[0..<n])
            } else if n == 0 {
                return .success(out)
            } else if errno != EINTR {
                return .failure(ReadError(code: errno))
            }
        }
    }
}

/// Where an API key comes from besides the environment and the config file.
enum KeyInput {
    /// `--api-key mk_live_…` is readable by any local user in `ps` and /proc/PID/cmdline
    /// for as long as mq runs: its bytes in the process's argv are overwritten with `x`
    /// at start (as the MySQL client does). What `ps` showed before that instant cannot
    /// be taken back, which is why --help points to --api-key-file.
    static func blankKeyInArgv() {
        let argc = Int(CommandLine.argc)
        let argv = CommandLine.unsafeArgv
        var i = 1
        while i < argc {
            guard let p = argv[i] else { break }
            let arg = String(cString: p)
            if arg == "--" { break }
            if arg == "--api-key", i + 1 < argc, let v = argv[i + 1], String(cString: v) != "-" {
                blank(v, from: 0)
                i += 2
                continue
            }
            if arg.hasPrefix("--api-key=") { blank(p, from: "--api-key=".utf8.count) }
            i += 1
        }
    }

    private static func blank(_ p: UnsafeMutablePointer<CChar>, from start: Int) {
        let n = strlen(p)
        var k = start
        while k < n {
            p[k] = CChar(UInt8(ascii: "x"))
            k += 1
        }
    }

    /// `--api-key -`: one line of standard input (the rest stays for the statements).
    static func lineFromStandardInput() throws(ConfigError) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count <= 64 << 10 {
            let n = read(0, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == 0x0A { break }
            line.append(byte)
        }
        let key = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw ConfigError(message: "--api-key - read no key from standard input") }
        return key
    }

    /// `--api-key-file PATH`: its first line, if only its owner can read it.
    static func file(_ path: String) throws(ConfigError) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw ConfigError(message: "--api-key-file \(path): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw ConfigError(message: "--api-key-file \(path) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))); "
                + "run: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(message: "--api-key-file \(path): cannot read it")
        }
        let key = String(decoding: data.prefix(64 << 10), as: UTF8.self).split(whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !key.isEmpty else { throw ConfigError(message: "--api-key-file \(path) holds no key") }
        return key
    }
}
