import Foundation
import MQCore
import MQTestSupport
import Testing

/// What an adversary (or a broken environment) tried, through the binary.
@Suite struct HostileTests {
    /// Runs `mq ARGS` through /bin/sh with shell redirections (`<&-`, `2>&-`).
    static func shell(_ args: [String], redirect: String, env extra: [String: String] = [:]) throws -> CLITests.Run {
        let quoted = args.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try CLITests.mq([], env: extra, shell: "exec \"$MQ\" \(quoted) \(redirect)")
    }

    /// `mq --demo <&-` died with `Fatal error: 'try!'` and SIGILL: Foundation read the
    /// descriptor libdispatch had taken as its own.
    @Test func aClosedStandardInputIsNoStatementsNotACrash() throws {
        let r = try Self.shell(["--demo"], redirect: "<&-")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("mq: standard input is closed: no statements to run"), "\(r.err)")
        #expect(!r.err.contains("Fatal error"))
    }

    /// A directory as standard input is a clear error, not a crash.
    @Test func aDirectoryAsStandardInputIsAnError() throws {
        let r = try Self.shell([], redirect: "< /")
        #expect(r.status == 2)
        #expect(r.err == "mq: cannot read standard input: Is a directory\n", "\(r.err)")
    }

    /// With standard error closed, a failing statement still exits 1 and nothing crashes.
    @Test func aClosedStandardErrorIsNoCrash() throws {
        let r = try Self.shell(["-c", "from \"/nonexistent.csv\""], redirect: "2>&-")
        #expect(r.status == 1)
    }
}

/// The API key on the command line, in a file, on standard input.
@Suite struct KeyArgumentTests {
    /// `--api-key mk_live_…` sat in /proc/PID/cmdline, readable by any local user, for
    /// the whole run: it is blanked in place at start.
    @Test func theKeyIsBlankedInTheProcessArguments() throws {
        let sim = try SimProcess(["--contacts", "50", "--orgs", "1", "--latency-ms", "1500"])
        let key = sim.orgs[0].apiKey
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["--base-url", sim.url, "--org", sim.orgs[0].id, "--api-key", key, "-c", "summary | select contacts"]
        p.environment = TestEnvironment.clean()
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        usleep(700_000)  // mq is waiting for the slow answer
        let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(p.processIdentifier)/cmdline"))
        let args = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(!args.contains(key), "\(args)")
        #expect(args.contains(String(repeating: "x", count: key.utf8.count)), "\(args)")
        #expect(p.terminationStatus == 0)
        #expect(text.contains("50"), "the key still worked: \(text)")
    }

    @Test func aKeyFileMustBePrivate() throws {
        let sim = try Sims.standard()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("key").path
        try (sim.orgs[0].apiKey + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
        let env = ["MOSEND_BASE_URL": sim.url, "MOSEND_ORG": sim.orgs[0].id]
        let open = try CLITests.mq(["--api-key-file", path, "-c", "summary | select contacts"], env: env)
        #expect(open.status == 2)
        #expect(open.err.contains("can be read by others (mode 644); run: chmod 600"), "\(open.err)")
        chmod(path, 0o600)
        let ok = try CLITests.mq(["--format", "csv", "--api-key-file", path, "-c", "summary | select contacts"], env: env)
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out == "contacts\n2000\n")
    }

    /// `--api-key -` reads one line of standard input; the statements may follow it.
    @Test func aKeyFromStandardInput() throws {
        let sim = try Sims.standard()
        let env = ["MOSEND_BASE_URL": sim.url, "MOSEND_ORG": sim.orgs[0].id]
        let r = try CLITests.mq(["--format", "csv", "--api-key", "-"], stdin: sim.orgs[0].apiKey + "\nsummary | select contacts\n", env: env)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "contacts\n2000\n")
        let none = try CLITests.mq(["--api-key", "-", "-c", "summary"], stdin: "", env: env)
        #expect(none.status == 2)
        #expect(none.err.contains("--api-key - read no key from standard input"))
    }
}

/// `customers | limit 300 | join customer on id` against a server limited to 30 requests
/// a second failed after 8 s ("waiting 1.0 s more would pass the statement's retry
/// budget (0.0 s left)"): eight parallel waits were charged as eight, and three 429s
/// ended a request. It finishes, at about the server's rate, whatever the concurrency.
@Suite struct RateLimitTests {
    @Test(arguments: [8, 32])
    func joinCustomerFinishesAtTheServersRate(_ concurrency: Int) throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1", "--rate-limit", "30"])
        let start = Date()
        let r = try CLITests.mq(["--concurrency", String(concurrency), "--format", "csv", "-c",
                                 "customers | limit 300 | join customer on id | count"], sim: sim)
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "count\n300\n")
        // 301 requests at 30 a second is 10 s; within 2x of it.
        #expect(elapsed < 20, "\(elapsed) s")
    }
}

/// Long local work: a catastrophic regular expression took 4.8 s on 31 characters,
/// doubling with each one, and ignored the first Ctrl-C.
@Suite struct LocalWorkTests {
    static func file(_ name: String, _ lines: [String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func aCatastrophicRegexStopsTheStatementWithAClearError() throws {
        let f = try Self.file("slow.ndjson", [#"{"s":"\#(String(repeating: "a", count: 40))b"}"#])
        defer { try? FileManager.default.removeItem(at: f.deletingLastPathComponent()) }
        let start = Date()
        let r = try CLITests.mq(["-c", "from \"\(f.path)\" | where s =~ \"(a+)+$\" | count"])
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(r.status == 1)
        #expect(r.out.isEmpty, "no count over a statement that stopped")
        #expect(r.err.contains("the regular expression \"(a+)+$\" took more than 1 s on one value (41 characters)"), "\(r.err)")
        #expect(r.err.contains("hint: a nested repetition"))
    }

    /// Ctrl-C stops long local work within a second: each match, each batch and each
    /// 64K comparisons of a sort look for it.
    @Test func ctrlCStopsLongLocalWorkWithinASecond() throws {
        // 100,000 values each a few milliseconds of backtracking: minutes of work.
        let f = try Self.file("many.ndjson", (0..<100_000).map { #"{"s":"\#(String(repeating: "a", count: 22))b","i":\#($0)}"# })
        defer { try? FileManager.default.removeItem(at: f.deletingLastPathComponent()) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = ["-c", "from \"\(f.path)\" | where s =~ \"(a+)+$\" | count"]
        p.environment = TestEnvironment.clean()
        let err = Pipe()
        p.standardOutput = Pipe()
        p.standardError = err
        try p.run()
        usleep(1_500_000)
        #expect(p.isRunning, "still working when interrupted")
        let start = Date()
        p.interrupt()
        p.waitUntilExit()
        let took = Date().timeIntervalSince(start)
        #expect(took < 1, "stopped after \(took) s")
        #expect(p.terminationStatus == 130)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("interrupted: the statement was stopped"), "\(text)")
    }
}
