import CEditShim
import Foundation
import MQClient
import MQConfig
import MQCore
import MQExec
import MQSyntax
import MosendSim

/// mq from its command line to its exit status (cli.md): 0 after help or `--version`;
/// 2, a usage error, when the command line is wrong or a step of the start fails; else
/// the statements'.
func runMain() async -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let closedInput = mq_stdin_was_closed() != 0 || StandardDescriptors.reopenClosed()
    // The arguments are copied before the key is blanked in the process's own argv.
    let commandLine = Array(CommandLine.arguments.dropFirst())
    KeyInput.blankKeyInArgv()
    let cmd: MQCommand
    do {
        // `parse`, not `parseAsRoot`: it gives an MQCommand, where the other gives any
        // ParsableCommand to cast (and a HelpCommand would have failed the cast).
        cmd = try MQCommand.parse(commandLine)
    } catch {
        return reportCommandLine(error)
    }
    do {
        return try await runCommand(cmd, closedInput: closedInput)
    } catch {
        writeStderr("mq: \(error)\n")
        return 2  // cli.md: usage error
    }
}

/// Prints ArgumentParser's message for help, `--version` or a usage error, and returns
/// the status to exit with.
func reportCommandLine(_ error: any Error) -> Int32 {
    let message = MQCommand.fullMessage(for: error)
    guard MQCommand.exitCode(for: error) == .success else {
        writeStderr(message + "\n")
        return 2  // cli.md: usage error
    }
    print(message)
    return 0
}

/// The steps after the command line, each a function: the demo, the settings, the
/// statements, the connection, the session, then the chosen mode.
func runCommand(_ cmd: MQCommand, closedInput: Bool) async throws(ShellError) -> Int32 {
    var env = ProcessInfo.processInfo.environment
    // MQ_NOW is read once, here, for the demo's data too; a bad one is reported once the
    // settings and the statements have been read, after their errors, as it always was.
    let clockOrError = Result { () throws(ShellError) in try WallClock(environment: env) }
    var demo: SimServer? = nil
    if cmd.demo {
        // With a bad MQ_NOW the data ends now, which no statement will see.
        demo = try await startDemo(endingAt: ((try? clockOrError.get()) ?? .system).now(), environment: &env)
    }
    let configPath = Config.defaultPath(environment: env)
    let resolved = try resolveSettings(cmd, env: env, configPath: configPath)
    let input = try readInput(cmd, closedInput: closedInput)
    let connection = Connection(cmd: cmd, env: env, configPath: configPath, requests: RequestLog(printing: cmd.trace),
                                demo: demo)
    // Without credentials there is no client: local files can still be queried.
    let api = try resolved.credentials == nil ? nil : connection.connect(resolved)
    let clock = try clockOrError.get()
    let (session, out, err) = buildSession(cmd, resolved, input: input, env: env, clock: clock, api: api,
                                           connection: connection)
    if case .shell = input, resolved.credentials == nil { writeStderr(connection.noCredentialsNotice) }
    let status = await runMode(input, session: session, connection: connection, env: env)
    try? out.flush()
    try? err.flush()
    connection.shutdown()
    await demo?.stop()
    return status
}

/// `--demo`: starts the simulator in this process and points the environment at its
/// first org, replacing whatever the environment names. Its data ends at the hour of
/// `now`, so that `since -7d` and `today` mean what they say.
func startDemo(endingAt now: Instant, environment env: inout [String: String]) async throws(ShellError) -> SimServer {
    let started = ContinuousClock.now
    var config = SimConfiguration()
    config.contacts = 2000
    config.now = Instant(milliseconds: now.milliseconds - now.milliseconds % 3_600_000)
    let server: SimServer
    do {
        server = try await SimServer.start(config)
    } catch {
        throw .demoDidNotStart(error)
    }
    let org = server.engine.organizations[0]
    env["MOSEND_BASE_URL"] = server.url
    env["MOSEND_ORG"] = org.id
    env["MOSEND_API_KEY"] = org.apiKey
    env["MOSEND_TOKEN"] = nil
    let elapsed = started.duration(to: .now).components
    writeStderr(String(format: "demo: %@ (%d contacts, simulated) at %@, started in %.2f s\n", org.name, config.contacts,
                       server.url, Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18))
    return server
}

/// The settings at start, from the flags, the environment and the config file.
func resolveSettings(_ cmd: MQCommand, env: [String: String], configPath: String) throws(ShellError) -> Resolved {
    do {
        return try Resolved.atStart(cmd, env: env, configPath: configPath)
    } catch {
        throw ShellError(error.message)
    }
}

/// Where the statements come from.
enum Input {
    /// `-c`, a script file (its arguments are $1, $2, …) or standard input.
    case statements(SourceText, arguments: [String] = [])
    /// The interactive shell, on a terminal.
    case shell
}

/// The statements of `-c`, of a script or of standard input; or, on a terminal, the shell.
func readInput(_ cmd: MQCommand, closedInput: Bool) throws(ShellError) -> Input {
    if let c = cmd.command { return .statements(SourceText(c, name: "<command>")) }
    if let path = cmd.script.first { return .statements(try readScript(path), arguments: Array(cmd.script.dropFirst())) }
    if closedInput {
        // `mq <&-`: no statements to read (it used to die on a `try!` in Foundation).
        writeStderr("mq: standard input is closed: no statements to run\n")
        return .statements(SourceText("", name: "<stdin>"))
    }
    if isatty(0) != 0 { return .shell }
    switch StandardDescriptors.readAll(0) {
    case .success(let bytes): return .statements(SourceText(String(decoding: bytes, as: UTF8.self), name: "<stdin>"))
    case .failure(let e): throw .unreadableStandardInput(e.code)
    }
}

/// A script file; a `#!` line becomes a comment, so that an executable script runs.
func readScript(_ path: String) throws(ShellError) -> SourceText {
    guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path, errno) }
    var text = String(decoding: data, as: UTF8.self)
    if text.hasPrefix("#!") { text = "#" + text.dropFirst() }
    return SourceText(text, name: path)
}

/// The session, on the client if there is one, writing to the sinks that are flushed at
/// exit; with the shell's hooks, the progress line, `--set` and the script's arguments.
func buildSession(_ cmd: MQCommand, _ resolved: Resolved, input: Input, env: [String: String], clock: WallClock,
                  api: (MosendClient, APIDescription)?, connection: Connection)
    -> (Session, out: FlushableSink, err: StdoutSink)
{
    let terminalOut = StdoutSink(fd: 1)
    let err = StdoutSink(fd: 2)
    // In the shell, on a terminal, results taller than the screen go through a pager.
    var pager: PagerSink? = nil
    if case .shell = input, isatty(1) != 0 { pager = PagerSink(terminal: terminalOut, environment: env) }
    let out: FlushableSink = pager ?? terminalOut
    let monotonic: @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }
    let session = Session(
        api: api?.0, describe: api?.1, settings: sessionSettings(cmd, resolved, env: env), out: out, err: err,
        baseDirectory: FileManager.default.currentDirectoryPath,
        now: { clock.now() },
        monotonic: monotonic)
    session.setCache(enabled: !cmd.noCache)
    session.hooks.org = { [unowned session] in try connection.switchOrg($0, session: session) }
    session.hooks.profile = { [unowned session] in try connection.switchProfile($0, session: session) }
    session.hooks.profileNames = { connection.profileNames }
    if isatty(2) != 0 { startProgressLine(session, connection: connection, out: terminalOut, err: err, monotonic: monotonic) }
    setVariables(session, sets: cmd.sets, input: input)
    if let pager { pager.mode = { [unowned session] in session.settings.pager } }
    return (session, out, err)
}

/// The progress line on stderr, a terminal: the sinks erase it before they write, and
/// output on stdout keeps it away for the rest of the statement.
func startProgressLine(_ session: Session, connection: Connection, out: StdoutSink, err: StdoutSink,
                       monotonic: @escaping @Sendable () -> Double)
{
    let requests = connection.requests
    let progress = ProgressLine(board: session.progressBoard, requests: { requests.total },
                                activity: { connection.client?.activity }, monotonic: monotonic)
    out.beforeWrite = { progress.outputStarted() }
    err.beforeWrite = { progress.erase() }
    progress.start()
}

/// `--set NAME=VALUE`, then a script's arguments as $1, $2, …
func setVariables(_ session: Session, sets: [String], input: Input) {
    for s in sets {
        let parts = s.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        session.set(String(parts[0]), text: parts.count > 1 ? String(parts[1]) : "")
    }
    if case .statements(_, let arguments) = input {
        for (i, a) in arguments.enumerated() { session.set(String(i + 1), text: a) }
    }
}

/// The session's settings from the flags, the profile and the terminal.
func sessionSettings(_ cmd: MQCommand, _ resolved: Resolved, env: [String: String]) -> SessionSettings {
    var settings = SessionSettings()
    if let format = resolved.format { settings.format = format }
    settings.pushdown = !cmd.noPushdown
    settings.timing = cmd.timing
    // Colour only on a terminal, and never with --no-color or NO_COLOR (no-color.org: set
    // and not empty).
    let colorAllowed = !cmd.noColor && (env["NO_COLOR"] ?? "").isEmpty
    settings.terminal = isatty(1) != 0
    settings.color = settings.terminal && colorAllowed
    settings.errorColor = isatty(2) != 0 && colorAllowed
    settings.width = Terminal.width(environment: env)
    settings.maxRequests = cmd.maxRequests
    if let m = resolved.memoryLimit { settings.memoryLimit = m }
    return settings
}

/// Runs the statements, or the shell around the same session (prompt, history,
/// completion). Ctrl-C stops a statement either way.
func runMode(_ input: Input, session: Session, connection: Connection, env: [String: String]) async -> Int32 {
    switch input {
    case .shell:
        return await Repl(session: session, promptName: { connection.promptName },
                          historyPath: Repl.path(environment: env), secrets: { connection.secrets }).run()
    case .statements(let source, _):
        Interrupts.install(exitOnSecond: true)
        let (ran, stopped) = await Interrupts.run(session, source)
        return stopped ? 130 : ran  // cli.md: 130 interrupted
    }
}

extension ShellError {
    static func demoDidNotStart(_ error: any Error) -> ShellError { ShellError("the demo simulator did not start: \(error)") }
    static func unreadable(_ path: String, _ code: Int32) -> ShellError {
        ShellError("cannot read \(path): \(String(cString: strerror(code)))")
    }
    static func unreadableStandardInput(_ code: Int32) -> ShellError {
        ShellError("cannot read standard input: \(String(cString: strerror(code)))")
    }
}
