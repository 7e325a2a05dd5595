import ArgumentParser
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
            mq -c 'customers where category=billing since 2026-04 | sort resolutionOutcome | limit 20'
            mq FILE.mq [ARG…]        run a script; ARGs are $1, $2, …
            echo 'summary' | mq      statements from standard input
            """)

    @Option(name: .customShort("c"), help: "Run these statements (separated by ; or newlines) and exit.")
    var command: String?

    @Option(help: "API base URL (MOSEND_BASE_URL).") var baseUrl: String?
    @Option(help: "Organization id (MOSEND_ORG).") var org: String?
    @Option(help: "API key, sent as X-Api-Key (MOSEND_API_KEY). MOSEND_TOKEN is sent as Authorization: Bearer.")
    var apiKey: String?
    @Option(help: "A profile of the config file (MQ_PROFILE).") var profile: String?
    @Option(help: "Output format: table, vertical, csv, tsv, json, ndjson, markdown.") var format: String?
    @Option(name: .customLong("set"), help: "A script variable, as `let NAME = VALUE`.") var sets: [String] = []
    @Option(help: "Parallel requests for `join customer` (default 8).") var concurrency: Int?
    @Option(help: "Most detail requests one `join customer` may make.") var maxRequests = 1000
    @Option(help: "A PEM file of extra trusted CAs (MQ_CA_BUNDLE).") var cacert: String?
    @Flag(help: "Do not reuse responses within the session.") var noCache = false
    @Flag(help: "Run every filter locally (the same rows, more requests).") var noPushdown = false
    @Flag(help: "Print each HTTP request to stderr.") var trace = false
    @Flag(help: "Show time and requests after each result.") var timing = false
    @Flag(help: "Plain output (also NO_COLOR).") var noColor = false
    @Flag(help: "Allow plain http:// to hosts other than loopback.") var insecureHttp = false
    @Flag(help: "Run on the built-in simulator's demo data (2,000 contacts), started in-process on 127.0.0.1.")
    var demo = false

    @Argument(help: "A script file, then its arguments ($1, $2, …).") var script: [String] = []

    func validate() throws {
        if let format, OutputFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be one of: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        for s in sets where !s.contains("=") { throw ValidationError("--set takes NAME=VALUE, not `\(s)`") }
        if let c = concurrency, c < 1 { throw ValidationError("--concurrency must be at least 1") }
        if command != nil && !script.isEmpty { throw ValidationError("give either -c or a script file, not both") }
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
        if let k = cmd.apiKey {
            credentials = Credentials(apiKey: k, source: "--api-key")
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

/// Standard output with a buffer; a closed pipe (`mq … | head`) ends the run quietly.
final class StdoutSink: FlushableSink {
    private var buffer: [UInt8] = []
    let fd: Int32
    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                buffer.removeAll()
                throw OutputClosed()
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Counts and remembers requests (for `.timing` and `.curl`), and prints them when
/// tracing (`--trace`, `.trace on`).
final class RequestLog: Sendable {
    private let urls = Mutex<[String]>([])
    private let printing: Mutex<Bool>
    init(printing: Bool) { self.printing = Mutex(printing) }
    var total: Int { urls.withLock { $0.count } }
    func setPrinting(_ on: Bool) { printing.withLock { $0 = on } }
    func urls(from: Int) -> [String] { urls.withLock { Array($0.dropFirst(from)) } }

    func record(_ e: TraceEvent) {
        urls.withLock { $0.append(e.url) }
        guard printing.withLock({ $0 }) else { return }
        var line = "→ GET \(e.url)"
        if let s = e.status { line += " ← \(s)" } else if let err = e.error { line += " ✗ \(err)" }
        line += String(format: " %.1f ms, %d B", e.seconds * 1000, e.bytes)
        if e.attempt > 1 { line += ", attempt \(e.attempt)" }
        if e.waitedBefore > 0 { line += String(format: " after waiting %.2f s", e.waitedBefore) }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

func terminalWidth() -> Int {
    var w = winsize()
    if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 { return Int(w.ws_col) }
    return 120
}

func runMain() async -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let cmd: MQCommand
    do {
        cmd = try MQCommand.parseAsRoot() as! MQCommand
    } catch {
        let code = MQCommand.exitCode(for: error)
        let message = MQCommand.fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
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
        let nowMs = Int(Date().timeIntervalSince1970 * 1000)
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
            FileHandle.standardError.write(Data(String(
                format: "demo: %@ (%d contacts, simulated) at %@, started in %.2f s\n",
                org.name, config.contacts, server.url, elapsed).utf8))
        } catch {
            FileHandle.standardError.write(Data("mq: the demo simulator did not start: \(error)\n".utf8))
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
        FileHandle.standardError.write(Data("mq: \(error)\n".utf8))
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
            FileHandle.standardError.write(Data("mq: cannot read \(path): \(String(cString: strerror(errno)))\n".utf8))
            return 2
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("#!") { text = "#" + text.dropFirst() }
        source = SourceText(text, name: path)
        arguments = Array(cmd.script.dropFirst())
    } else if isatty(0) == 0 {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        source = SourceText(String(decoding: data, as: UTF8.self), name: "<stdin>")
    } else {
        // Interactive: the REPL, once the session is set up below.
        source = SourceText("", name: "<stdin>")
        interactive = true
    }

    // The API client, when there are credentials.
    let requests = RequestLog(printing: cmd.trace)
    var api: MosendClient? = nil
    var describe: APIDescription? = nil
    if let credentials = resolved.credentials {
        guard let org = resolved.org else {
            FileHandle.standardError.write(Data("mq: an API key is set but no organization: pass --org or set MOSEND_ORG\n".utf8))
            return 2
        }
        var config = ClientConfiguration(baseURL: resolved.baseURL, orgId: org, credentials: credentials)
        config.concurrency = resolved.concurrency
        config.insecureHTTP = cmd.insecureHttp
        config.transport.caBundle = cmd.cacert ?? env["MQ_CA_BUNDLE"]
        do {
            let client = try MosendClient(config)
            client.setTrace { requests.record($0) }
            api = client
            let base = resolved.baseURL.hasSuffix("/") ? String(resolved.baseURL.dropLast()) : resolved.baseURL
            let orgPath = "/organizations/" + (org.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? org) + "/reports"
            describe = APIDescription(
                url: { path, params in
                    let q = params.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? $0.1)" }
                        .joined(separator: "&")
                    return base + orgPath + path + (q.isEmpty ? "" : "?" + q)
                },
                requestCount: { requests.total })
            describe?.urls = { requests.urls(from: $0) }
            describe?.curl = { [client] in client.curlCommand(url: $0) }
            describe?.setTrace = { requests.setPrinting($0) }
        } catch {
            FileHandle.standardError.write(Data("mq: \(error.detail)\n".utf8))
            return 2
        }
    }

    var settings = SessionSettings()
    if let f = resolved.format { settings.format = OutputFormat(rawValue: f.lowercased())! }
    settings.pushdown = !cmd.noPushdown
    settings.timing = cmd.timing
    settings.color = isatty(1) != 0 && !cmd.noColor && env["NO_COLOR"] == nil
    settings.width = terminalWidth()
    settings.maxRequests = cmd.maxRequests
    let out = StdoutSink(fd: 1)
    let err = StdoutSink(fd: 2)
    // MQ_NOW pins "now" (`today`, `-7d`) so that a saved script gives the same answer
    // tomorrow; the examples' golden outputs rely on it.
    var now: @Sendable () -> Instant = { Instant(milliseconds: Int(Date().timeIntervalSince1970 * 1000)) }
    if let pinned = env["MQ_NOW"], !pinned.isEmpty {
        guard let instant = Instant.parseISO8601(pinned)?.instant else {
            FileHandle.standardError.write(Data("mq: MQ_NOW=\(pinned) is not an ISO 8601 date or time (e.g. 2026-11-15T12:00:00Z)\n".utf8))
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
    for s in cmd.sets {
        let (name, value) = (String(s.split(separator: "=", maxSplits: 1)[0]), String(s.split(separator: "=", maxSplits: 1).dropFirst().first ?? ""))
        session.set(name, Int(value).map(JSON.int) ?? Double(value).map(JSON.double) ?? .string(value))
    }
    for (i, a) in arguments.enumerated() {
        session.set(String(i + 1), Int(a).map(JSON.int) ?? Double(a).map(JSON.double) ?? .string(a))
    }
    let status: Int32
    if interactive {
        let name = cmd.demo ? "demo" : String((resolved.org ?? "no org").prefix(8))
        status = await Repl(session: session, prompt: "mq \(name)> ", historyPath: Repl.path(environment: env)).run()
    } else {
        status = await session.run(source)
    }
    try? out.flush()
    try? err.flush()
    api?.shutdown()
    await demoServer?.stop()
    return status
}
