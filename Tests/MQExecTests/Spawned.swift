import Foundation
import MQTestSupport

/// The `mq` binary run with posix_spawn and reaped with wait4, so that a test learns how
/// it ended (an exit status, or the signal that killed it) and its peak resident memory,
/// and can stop it if it hangs. Standard output and error go through files.
struct Spawned {
    var out: String
    var err: String
    /// The exit status, when it exited.
    var status: Int32?
    /// The signal that ended it, when one did (SIGSEGV for a crash, SIGKILL for a hang).
    var signal: Int32?
    /// Peak resident set size in kilobytes (`ru_maxrss`), when measured (`measureMemory`).
    var maxRSSKB: Int?
    var timedOut: Bool

    /// No crash, no hang, no runtime trap message: what every hardening run must show.
    var endedCleanly: Bool {
        status != nil && !timedOut && !err.contains("Fatal error") && !err.contains("Segmentation fault")
    }

    var summary: String {
        "status \(status.map(String.init) ?? "-") signal \(signal.map(String.init) ?? "-")\(timedOut ? " (timed out)" : "")"
            + ", \(maxRSSKB.map { "\($0) kB" } ?? "memory not measured")\nstdout: \(out.prefix(600))\nstderr: \(err.prefix(1500))"
    }

    /// The environment of a run: `TestEnvironment.clean`, pointed at `sim`'s first org when
    /// given, plus `extra`.
    static func environment(sim: SimProcess? = nil, _ extra: [String: String] = [:]) -> [String: String] {
        TestEnvironment.clean(sim: sim, extra)
    }

    /// Measures a child's peak memory: forks, execs it, and writes `status signal maxrss`
    /// from wait4 to a file. Why a grandchild: Linux carries a process's peak RSS across
    /// exec, and a child spawned from this test process starts with this process's peak
    /// (hundreds of MB while the suites run); a child forked from this small interpreter
    /// starts with its few MB instead, an upper bound on the error.
    static let measurer = """
        import os, signal, sys
        report, timeout, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
        pid = os.fork()
        if pid == 0:
            try:
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        expired = []
        def expire(*_):
            expired.append(1)
            os.kill(pid, signal.SIGKILL)
        signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        _, status, usage = os.wait4(pid, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        code = os.waitstatus_to_exitcode(status)
        with open(report, "w") as f:
            f.write(f"{code} {usage.ru_maxrss} {1 if expired else 0}")
        """

    /// Runs `executable` (mq by default) with `args`; stdin is /dev/null unless `stdinPath`,
    /// stdout a file read back into `out` unless `stdoutPath`. Killed after `timeout` seconds.
    /// With `measureMemory`, runs it under `measurer` for its peak RSS.
    static func run(_ args: [String], env: [String: String], executable: String = CLITests.binary,
                    directory: String? = nil, stdinPath: String = "/dev/null", stdoutPath: String? = nil,
                    timeout: Double = 120, measureMemory: Bool = false) throws -> Spawned
    {
        if measureMemory {
            let report = FileManager.default.temporaryDirectory.appendingPathComponent("mq-rss-\(UUID().uuidString)").path
            defer { unlink(report) }
            var r = try run(["-c", measurer, report, String(timeout), executable] + args, env: env, executable: "/usr/bin/python3",
                            directory: directory, stdinPath: stdinPath, stdoutPath: stdoutPath, timeout: timeout + 30)
            guard r.status == 0, let line = try? String(contentsOfFile: report, encoding: .utf8) else {
                throw TestFailure("the memory measurer failed: \(r.summary)")
            }
            let f = line.split(separator: " ").compactMap { Int($0) }
            guard f.count == 3 else { throw TestFailure("the memory measurer wrote \(line)") }
            (r.status, r.signal) = f[0] >= 0 ? (Int32(f[0]), nil) : (nil, Int32(-f[0]))
            r.maxRSSKB = f[1]
            r.timedOut = f[2] == 1
            return r
        }
        let tmp = FileManager.default.temporaryDirectory
        let outPath = tmp.appendingPathComponent("mq-spawn-\(UUID().uuidString).out").path
        let errPath = tmp.appendingPathComponent("mq-spawn-\(UUID().uuidString).err").path
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath ?? outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        Spawn.closeOthers(&actions)
        // posix_spawn_file_actions_addchdir_np is not imported: env -C changes directory and
        // execs the program in place (same process, so wait4 still measures it).
        let command = directory.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]
        var argv: [UnsafeMutablePointer<CChar>?] = (command + args).map { strdup($0) } + [nil]
        var envp = TestEnvironment.cStrings(env)
        defer {
            for a in argv { free(a) }
            for e in envp { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, command[0], &actions, nil, &argv, &envp)
        guard rc == 0 else { throw TestFailure("cannot start \(executable): \(String(cString: strerror(rc)))") }

        // A watchdog: a hang becomes a SIGKILL, reported as such.
        let reaped = NSLock()
        nonisolated(unsafe) var done = false
        nonisolated(unsafe) var killed = false
        let child = pid
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            reaped.lock()
            defer { reaped.unlock() }
            if !done {
                killed = true
                kill(child, SIGKILL)
            }
        }
        var raw: Int32 = 0
        var usage = rusage()
        while wait4(pid, &raw, 0, &usage) < 0 && errno == EINTR {}
        reaped.lock()
        done = true
        let timedOut = killed
        reaped.unlock()

        let exited = raw & 0x7F == 0
        return Spawned(
            out: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            err: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self),
            status: exited ? (raw >> 8) & 0xFF : nil,
            signal: exited ? nil : raw & 0x7F,
            maxRSSKB: nil,
            timedOut: timedOut)
    }
}
