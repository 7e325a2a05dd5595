import CEditShim
import Foundation
import MQClient
import MQConfig
import MQCore
import MQExec
import MQSyntax
import MosendSim

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
        writeStderr(message + "\n")
        return 2  // cli.md: usage error
    }
    var env = ProcessInfo.processInfo.environment
    // MQ_NOW is read once, here, for the demo's data too; a bad one is reported once the
    // settings and the statements have been read, after their errors, as it always was.
    let clock = Result { () throws(ShellError) in try WallClock(environment: env) }
    var demoServer: SimServer? = nil
    if cmd.demo {
        // The demo org replaces whatever the environment names.
        let started = ContinuousClock.now
        var config = SimConfiguration()
        config.contacts = 2000
        // Demo data ends this hour, so `since -7d` and `today` mean what they say.
        let nowMs = ((try? clock.get()) ?? .system).now().milliseconds
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
            writeStderr(String(
                format: "demo: %@ (%d contacts, simulated) at %@, started in %.2f s\n",
                org.name, config.contacts, server.url, elapsed))
        } catch {
            writeStderr("mq: the demo simulator did not start: \(error)\n")
            return 2
        }
    }
    let configPath = Config.defaultPath(environment: env)
    let resolved: Resolved
    do {
        resolved = try Resolved.atStart(cmd, env: env, configPath: configPath)
    } catch {
        writeStderr("mq: \(error)\n")
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
            writeStderr("mq: cannot read \(path): \(String(cString: strerror(errno)))\n")
            return 2
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("#!") { text = "#" + text.dropFirst() }
        source = SourceText(text, name: path)
        arguments = Array(cmd.script.dropFirst())
    } else if closedInput {
        // `mq <&-`: no statements to read (it used to die on a `try!` in Foundation).
        writeStderr("mq: standard input is closed: no statements to run\n")
        source = SourceText("", name: "<stdin>")
    } else if isatty(0) == 0 {
        switch StandardDescriptors.readAll(0) {
        case .success(let bytes): source = SourceText(String(decoding: bytes, as: UTF8.self), name: "<stdin>")
        case .failure(let e):
            writeStderr("mq: cannot read standard input: \(String(cString: strerror(e.code)))\n")
            return 2
        }
    } else {
        // Interactive: the REPL, once the session is set up below.
        source = SourceText("", name: "<stdin>")
        interactive = true
    }

    // The API client, when there are credentials.
    let requests = RequestLog(printing: cmd.trace)
    let connection = Connection(cmd: cmd, env: env, configPath: configPath, requests: requests, demo: demoServer)
    var api: MosendClient? = nil
    var describe: APIDescription? = nil
    if resolved.credentials != nil {
        do {
            (api, describe) = try connection.connect(resolved)
        } catch {
            writeStderr("mq: \(error)\n")
            return 2
        }
    }

    var settings = SessionSettings()
    if let format = resolved.format { settings.format = format }
    settings.pushdown = !cmd.noPushdown
    settings.timing = cmd.timing
    // Colour only on a terminal, and never with --no-color or NO_COLOR (no-color.org: set
    // and not empty).
    let colorAllowed = !cmd.noColor && (env["NO_COLOR"] ?? "").isEmpty
    settings.color = isatty(1) != 0 && colorAllowed
    settings.terminal = isatty(1) != 0
    settings.errorColor = isatty(2) != 0 && colorAllowed
    settings.width = Terminal.width(environment: env)
    settings.maxRequests = cmd.maxRequests
    let terminalOut = StdoutSink(fd: 1)
    let err = StdoutSink(fd: 2)
    // In the shell, on a terminal, results taller than the screen go through a pager.
    let pager: PagerSink? = interactive && isatty(1) != 0 ? PagerSink(terminal: terminalOut) : nil
    let out: FlushableSink = pager ?? terminalOut
    let now: WallClock
    do {
        now = try clock.get()
    } catch {
        writeStderr("mq: \(error)\n")
        return 2
    }
    let session = Session(
        api: api, describe: describe, settings: settings, out: out, err: err,
        baseDirectory: FileManager.default.currentDirectoryPath,
        now: { now.now() },
        monotonic: { ProcessInfo.processInfo.systemUptime })
    session.setCache(enabled: !cmd.noCache)
    session.hooks.org = { [unowned session] in try connection.switchOrg($0, session: session) }
    session.hooks.profile = { [unowned session] in try connection.switchProfile($0, session: session) }
    session.hooks.profileNames = { connection.profileNames }
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
        writeStderr(connection.noCredentialsNotice)
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
    connection.shutdown()
    await demoServer?.stop()
    return status
}
