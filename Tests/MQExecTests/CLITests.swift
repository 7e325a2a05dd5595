import Foundation
import MQCore
import MQClient
import MQTestSupport
import Testing

/// The `mq` binary as scripts drive it: cli.md's inputs, options and exit statuses.
@Suite struct CLITests {
    struct Run {
        var out: String
        var err: String
        var status: Int32
    }

    static var binary: String {
        URL(fileURLWithPath: SimProcess.binary).deletingLastPathComponent().appendingPathComponent("mq").path
    }

    /// `openFiles` runs mq under `ulimit -n` (soft and hard) of that many; `shell` runs
    /// that /bin/sh command instead, with the binary in `$MQ` (for redirections).
    static func mq(_ args: [String], stdin: String? = nil, sim: SimProcess? = nil, env extra: [String: String] = [:],
                   openFiles: Int? = nil, shell: String? = nil) throws -> Run {
        // posix_spawn (`Spawned`), not Foundation's Process: on Linux, Process.run reads
        // /proc/self/fd with a dirent copy that can read past glibc's buffer and crash the
        // test process (swift-corelibs-foundation #5472), which it did in a CI run here.
        let executable: String
        let argv: [String]
        if let shell {
            (executable, argv) = ("/bin/sh", ["-c", shell])
        } else if let openFiles {
            (executable, argv) = ("/bin/sh", ["-c", "ulimit -n \(openFiles) && exec \"$0\" \"$@\"", binary] + args)
        } else {
            (executable, argv) = (binary, args)
        }
        var stdinPath = "/dev/null"
        if let stdin {
            stdinPath = FileManager.default.temporaryDirectory.appendingPathComponent("mq-stdin-\(UUID().uuidString)").path
            try Data(stdin.utf8).write(to: URL(fileURLWithPath: stdinPath))
        }
        defer { if stdin != nil { unlink(stdinPath) } }
        let env = TestEnvironment.clean(sim: sim, extra.merging(["MQ": binary]) { $1 })
        let r = try Spawned.run(argv, env: env, executable: executable, stdinPath: stdinPath, timeout: 600)
        guard !r.timedOut, let status = r.status ?? r.signal else { throw TestFailure("mq did not exit: \(r.summary)") }
        // A death by signal is its number, as Process's terminationStatus gave it.
        return Run(out: r.out, err: r.err, status: status)
    }

    @Test func theDesignCardRunsAsWritten() throws {
        let r = try Self.mq(["-c", "customers where category=billing since 2026-04 | sort resolutionOutcome | limit 20"],
                            sim: try Sims.standard())
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasSuffix("(20 rows)\n"))
        let x = try Self.mq(["-c", "customers where category=x since 2026-04 | sort resolutionOutcome | limit 20"],
                            sim: try Sims.standard())
        #expect(x.status == 0)
        #expect(x.err.contains("`x` is not a known category"))
    }

    @Test func statementsFromCommandFileAndStdinAgree() throws {
        let sim = try Sims.standard()
        let q = "customers | count by category; summary | select contacts"
        let viaC = try Self.mq(["--format", "csv", "-c", q], sim: sim)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("q.mq")
        try ("#!/usr/bin/env mq\n" + q.replacingOccurrences(of: "; ", with: "\n") + "\n").write(to: script, atomically: true, encoding: .utf8)
        let viaFile = try Self.mq(["--format", "csv", script.path], sim: sim)
        let viaStdin = try Self.mq(["--format", "csv"], stdin: q, sim: sim)
        #expect(viaC.status == 0 && viaFile.status == 0 && viaStdin.status == 0, "\(viaC.err)\(viaFile.err)\(viaStdin.err)")
        #expect(viaC.out == viaFile.out && viaC.out == viaStdin.out)
        #expect(viaC.out.hasPrefix("category,count\n"))
    }

    @Test func scriptArgumentsAndSetBecomeVariables() throws {
        let sim = try Sims.standard()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("top.mq")
        try "customers where category = $cat | limit $1 | select name\n".write(to: script, atomically: true, encoding: .utf8)
        let r = try Self.mq(["--format", "ndjson", "--set", "cat=support", script.path, "3"], sim: sim)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").count == 3)
    }

    /// `param NAME = DEFAULT`: `--set` before the script wins over the default; `--set`
    /// after the script path is a usage error that says where options go, not two
    /// arguments the script would never read.
    @Test func paramTakesSetOrItsDefaultAndSetAfterTheScriptIsAnError() throws {
        let sim = try Sims.standard()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("p.mq")
        try "param n = 2\ncustomers | limit $n | select name\n".write(to: script, atomically: true, encoding: .utf8)
        let byDefault = try Self.mq(["--format", "ndjson", script.path], sim: sim)
        #expect(byDefault.status == 0 && byDefault.out.split(separator: "\n").count == 2, "\(byDefault.err)")
        let set = try Self.mq(["--format", "ndjson", "--set", "n=4", script.path], sim: sim)
        #expect(set.status == 0 && set.out.split(separator: "\n").count == 4, "\(set.err)")
        let late = try Self.mq(["--format", "ndjson", script.path, "--set", "n=4"], sim: sim)
        #expect(late.status == 2, "\(late.err)")
        #expect(late.err.contains("mq's options go before the script") && late.out.isEmpty, "\(late.err)")
    }

    @Test(arguments: [
        (["-c", "customers | srot name"], 1, "error[E021]"),
        (["-c", "customers | where nope > 1"], 1, "unknown field `nope`"),
        (["-c", "from \"/nonexistent/file.csv\""], 1, "No such file or directory"),
        (["-c", "customer 00000000-0000-4000-8000-000000000000"], 3, "→ 404"),
        (["--format", "xml", "-c", "summary"], 2, "--format must be one of"),
        (["--bogus"], 2, "Unknown option"),
        (["-c", "summary", "extra.mq"], 2, "either -c or a script file"),
    ])
    func exitStatuses(args: [String], status: Int32, message: String) throws {
        let r = try Self.mq(args, sim: try Sims.standard())
        #expect(r.status == status, "\(r.err)")
        #expect(r.err.contains(message), "\(r.err)")
    }

    @Test func aScriptErrorNamesFileLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("bad.mq")
        try "summary\ncustomers\n  | lmit 3\n".write(to: script, atomically: true, encoding: .utf8)
        let r = try Self.mq([script.path], sim: try Sims.standard())
        #expect(r.status == 1)
        #expect(r.err.contains("--> \(script.path):3:5"), "\(r.err)")
        #expect(r.out.isEmpty, "nothing ran: the script is parsed before it runs")
    }

    @Test func aNetworkErrorExitsWith4() throws {
        let r = try Self.mq(["-c", "summary"], env: [
            "MOSEND_BASE_URL": "http://127.0.0.1:9", "MOSEND_ORG": "o", "MOSEND_API_KEY": "mk_test_a.b",
        ])
        #expect(r.status == 4, "\(r.err)")
        #expect(r.err.contains("could not connect"))
    }

    @Test func withoutCredentialsLocalStatementsRunAndApiOnesExplain() throws {
        let local = try Self.mq(["--format", "csv", "-c", "let n = 2; $n | select value"])
        #expect(local.status == 0, "\(local.err)")
        #expect(local.out == "value\n2\n")
        // cli.md: a usage error is 2 (it was 1, a query error's).
        let api = try Self.mq(["-c", "summary"])
        #expect(api.status == 2)
        #expect(api.err.contains("no credentials") && api.err.contains("MOSEND_API_KEY"))
    }

    /// `--concurrency -5` said "Missing value"; a negative number is read as the value
    /// and refused for what it is.
    @Test func aNegativeNumberOptionSaysWhatIsWrongWithIt() throws {
        let c = try Self.mq(["--concurrency", "-5", "-c", "let x = 1"])
        #expect(c.status == 2)
        #expect(c.err.hasPrefix("Error: --concurrency must be at least 1, not -5"), "\(c.err)")
        let m = try Self.mq(["--max-requests", "-1", "-c", "let x = 1"])
        #expect(m.status == 2)
        #expect(m.err.hasPrefix("Error: --max-requests must be 0 or more, not -1"), "\(m.err)")
    }

    /// `--memory-limit`: a sort past it spills to temporary files and prints the same
    /// bytes; a bad size, here or in the config's `memory_limit`, is a usage error.
    @Test func aSortPastTheMemoryLimitSpillsAndPrintsTheSame() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-spill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("rows.ndjson").path
        var rng = SplitMix64(seed: 9)
        let lines = (0..<40_000).map { i in
            "{\"i\":\(i),\"k\":\(rng.below(50)),\"s\":\"\(String(repeating: "x", count: rng.below(40)))\",\"t\":[\(rng.below(9))]}"
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let query = "from \"\(data)\" | sort -k, s"
        let whole = try Self.mq(["--format", "ndjson", "-c", query])
        #expect(whole.status == 0, "\(whole.err)")
        #expect(whole.out.split(separator: "\n").count == 40_000)
        // 1MB holds a fraction of the 2.5 MB of rows: several runs, merged. The runs go to
        // TMPDIR and are unlinked at once: nothing is left there.
        let tmp = dir.appendingPathComponent("tmp").path
        let spilled = try Self.mq(["--memory-limit", "1MB", "--format", "ndjson", "-c", query], env: ["TMPDIR": tmp])
        #expect(spilled.status == 0, "\(spilled.err)")
        #expect(spilled.out == whole.out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        let unwritable = try Self.mq(["--memory-limit", "1MB", "-c", query], env: ["TMPDIR": dir.appendingPathComponent("missing").path])
        #expect(unwritable.status == 1 && unwritable.err.contains("could not write its temporary file") && unwritable.out.isEmpty,
                "\(unwritable.err)")
        for bad in ["lots", "12XB", "0.5MB", "-1GB"] {
            let r = try Self.mq(["--memory-limit", bad, "-c", "let x = 1"])
            #expect(r.status == 2 && r.err.contains("--memory-limit"), "\(bad): \(r.err)")
        }
        let config = dir.appendingPathComponent("mq/config.toml")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[profiles.p]\nmemory_limit = \"1MB\"\n".write(to: config, atomically: true, encoding: .utf8)
        let fromProfile = try Self.mq(["--profile", "p", "--format", "ndjson", "-c", query], env: ["XDG_CONFIG_HOME": dir.path, "TMPDIR": tmp])
        #expect(fromProfile.status == 0 && fromProfile.out == whole.out, "\(fromProfile.err)")
        try "[profiles.p]\nmemory_limit = \"huge\"\n".write(to: config, atomically: true, encoding: .utf8)
        let badProfile = try Self.mq(["--profile", "p", "-c", "let x = 1"], env: ["XDG_CONFIG_HOME": dir.path])
        #expect(badProfile.status == 2 && badProfile.err.contains("memory_limit"), "\(badProfile.err)")
    }

    /// `summarize`, `count by`, `top` and `distinct` over more groups than the limit holds
    /// spill their groups to TMPDIR (a TMPDIR that is missing shows it) and print what
    /// they print in memory.
    @Test func groupsPastTheMemoryLimitSpillAndPrintTheSame() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-groups-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("rows.ndjson").path
        var rng = SplitMix64(seed: 5)
        let lines = (0..<60_000).map { i in
            "{\"i\":\(i),\"g\":\(rng.below(30_000)),\"x\":\(rng.below(1000)),\"s\":\"w\(rng.below(500))\"}"
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        for stage in ["summarize n = count(), t = sum(x), m = median(x), d = distinct(s) by g", "count by g, s", "top 20 g", "distinct g"] {
            try Self.expectSpillPrintsTheSame("from \"\(data)\" | \(stage)", rows: 20, in: dir)
        }
    }

    /// `query` at `--memory-limit 1MB` prints and warns as it does in memory (at least
    /// `rows` rows), leaves nothing in TMPDIR, and with no TMPDIR to write to says so:
    /// it did spill.
    static func expectSpillPrintsTheSame(_ query: String, rows: Int, in dir: URL) throws {
        let tmp = dir.appendingPathComponent("tmp").path
        let whole = try Self.mq(["--format", "ndjson", "-c", query])
        #expect(whole.status == 0, "\(whole.err)")
        #expect(whole.out.split(separator: "\n").count >= rows, "\(query)")
        let spilled = try Self.mq(["--memory-limit", "1MB", "--format", "ndjson", "-c", query], env: ["TMPDIR": tmp])
        #expect(spilled.status == 0, "\(query): \(spilled.err)")
        #expect(spilled.out == whole.out, "\(query)")
        #expect(spilled.err == whole.err, "\(query)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        let unwritable = try Self.mq(["--memory-limit", "1MB", "-c", query], env: ["TMPDIR": dir.appendingPathComponent("missing").path])
        #expect(unwritable.status == 1 && unwritable.err.contains("could not write its temporary file") && unwritable.out.isEmpty,
                "\(query): \(unwritable.err)")
    }

    /// Joins whose right side passes the limit (keys of every kind, one key holding more
    /// than the limit, a late left field that collides) and window functions over more
    /// rows than the limit spill to TMPDIR and print, and warn, what they do in memory.
    @Test func joinsAndWindowsPastTheMemoryLimitSpillAndPrintTheSame() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-joins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 9)
        let keys = ["10", "10.0", "\"10\"", "\"é\"", "\"e\u{301}\"", "null", "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1.0}", "true"]
        func key() -> String { rng.below(40) == 0 ? keys[rng.below(keys.count)] : "\(rng.below(3_000))" }
        let left = (0..<8_000).map { i in
            // `w` is a right column too; the left rows have it only after the first batch.
            "{\"i\":\(i),\"k\":\(i % 5_000 == 1 ? "7" : key()),\"g\":\(rng.below(50)),\"x\":\(rng.below(100))\(i > 3_000 && i % 3 == 0 ? ",\"w\":1" : "")}"
        }
        let right = (0..<8_000).map { i in
            let k = i < 1_500 ? "7" : key()
            return "{\"k\":\(k),\"k2\":\(k),\"w\":\"w\(rng.below(900))\",\"y\":\(i)}"
        }
        let l = dir.appendingPathComponent("l.ndjson").path
        let r = dir.appendingPathComponent("r.ndjson").path
        try (left.joined(separator: "\n") + "\n").write(toFile: l, atomically: true, encoding: .utf8)
        try (right.joined(separator: "\n") + "\n").write(toFile: r, atomically: true, encoding: .utf8)
        for stage in ["join from \"\(r)\" on k", "join left (from \"\(r)\" | where y > 1000 | select k2, w, y) on k = k2",
                      "derive rk = rank() over (by g sort -x), s = sum(x) over (by g sort i), p = lag(s) over (sort -i) | select i, rk, s, p"] {
            try Self.expectSpillPrintsTheSame("from \"\(l)\" | \(stage)", rows: 8_000, in: dir)
        }
    }

    /// `.last` keeps a result's first rows up to an eighth of the memory limit, and says
    /// so when it shows fewer than the result had (it showed 100,000 of a million rows as
    /// if they were all).
    @Test func lastSaysWhenItKeptOnlyTheFirstRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-last-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("rows.ndjson").path
        try ((0..<20_000).map { "{\"i\":\($0),\"s\":\"some text to take room \($0)\"}" }.joined(separator: "\n") + "\n")
            .write(toFile: data, atomically: true, encoding: .utf8)
        let script = "from \"\(data)\" | count\n.last\nfrom \"\(data)\"\n.last\n"
        let run = try Self.mq(["--memory-limit", "1MB", "--format", "csv"], stdin: script)
        #expect(run.status == 0, "\(run.err)")
        let lines = run.out.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.hasPrefix("19999,") }.count == 1, "the whole result once, then the kept rows")
        let note = run.out + run.err
        #expect(note.contains("of the result's 20000 rows: `.last` keeps at most 100000 rows or 125KB"), "\(note.suffix(400))")
        #expect(!note.contains("of the result's 1 rows"))
    }

    @Test func metaCommandsTraceCurlTimingLastReadOutput() throws {
        let sim = try SimProcess(["--contacts", "300", "--orgs", "1"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-meta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "summary | select contacts\n".write(to: dir.appendingPathComponent("inc.mq"), atomically: true, encoding: .utf8)
        let script = """
            .trace on
            customers where category = sales | limit 3 | select name
            .trace off
            .curl
            .timing on
            customers | count
            .timing off
            .last
            .read \(dir.path)/inc.mq
            .output \(dir.path)/out.txt
            customers | count
            .output -
            .help timing
            """
        let r = try Self.mq(["--format", "csv"], stdin: script, sim: sim)
        #expect(r.status == 0, "\(r.err)")
        let key = sim.orgs[0].apiKey
        let secret = String(key.split(separator: ".")[1])
        // .trace: one line per request on stderr, without the key.
        #expect(r.err.contains("→ GET \(sim.url)/organizations/\(sim.orgs[0].id)/reports/customers?category=sales&limit=3 ← 200"))
        // .curl: the request, the key shown only as its prefix.
        #expect(r.out.contains("curl -H 'X-Api-Key: \(Credentials.redact(apiKey: key))' '\(sim.url)/organizations/"))
        #expect(!r.out.contains(secret) && !r.err.contains(secret))
        // .timing on a csv result says nothing on stdout (no footer in csv), .last repeats it.
        #expect(r.out.components(separatedBy: "count\n300\n").count == 3, "\(r.out)")
        #expect(r.out.contains("contacts\n300\n"), ".read ran the file")
        #expect(try String(contentsOf: dir.appendingPathComponent("out.txt"), encoding: .utf8) == "count\n300\n")
        #expect(r.out.contains(".timing on|off\n  show time and requests after each result"))
    }

    /// `mq -c 'customers' | head -1`: exits 0 with nothing on stderr, and stops fetching.
    @Test func aClosedPipeEndsQuietlyAndStopsFetching() throws {
        let sim = try SimProcess(["--contacts", "3000", "--orgs", "1"])
        let env = TestEnvironment.clean(sim: sim)
        // Run mq directly with a pipe we close after one line.
        let mq = Process()
        mq.executableURL = URL(fileURLWithPath: Self.binary)
        mq.arguments = ["--format", "ndjson", "-c", "customers"]
        mq.environment = env
        let out = Pipe(), err = Pipe()
        mq.standardOutput = out
        mq.standardError = err
        try mq.run()
        var first = Data()
        while !first.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first.append(chunk)
        }
        try out.fileHandleForReading.close()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        mq.waitUntilExit()
        #expect(mq.terminationStatus == 0)
        #expect(errors.isEmpty, "\(String(decoding: errors, as: UTF8.self))")
        let requests = try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)["requests"]!.intValue!
        #expect(requests < 30, "stopped fetching: \(requests) of 30 pages")
    }

    /// `--concurrency N` puts N detail requests on the wire at once, above the transport's
    /// default cap of 8 too (it once stopped there without a word).
    @Test(arguments: [4, 16])
    func concurrencyIsTheRequestsInFlight(n: Int) throws {
        let sim = try SimProcess(["--contacts", "200", "--orgs", "1", "--latency-ms", "150"])
        let r = try Self.mq(["--concurrency", String(n), "--format", "csv", "-c",
                             "customers | limit 40 | join customer on id | count"], sim: sim)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "count\n40\n")
        let peak = try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)["peakInFlight"]!.intValue!
        #expect(peak == n, "peak in flight \(peak)")
    }

    /// Requests past the open-file limit would fail as "could not connect": mq keeps
    /// them under it (64 descriptors spare) and says so.
    @Test func concurrencyStaysUnderTheOpenFileLimit() throws {
        let sim = try SimProcess(["--contacts", "500", "--orgs", "1", "--latency-ms", "150"])
        let r = try Self.mq(["--concurrency", "1000", "--format", "csv", "-c",
                             "customers | limit 400 | join customer on id | count"], sim: sim, openFiles: 256)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "count\n400\n")
        #expect(r.err == "mq: --concurrency 1000 needs more open files than this process may have (ulimit -n 256); "
                    + "192 requests will run at once\n")
        let peak = try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)["peakInFlight"]!.intValue!
        #expect(peak <= 192 && peak > 100, "peak in flight \(peak)")
    }

    /// A page that fails after retries: the rows before it are printed as a partial
    /// result, the error names the request, and the exit status is the API's.
    @Test func aFailingPageKeepsThePartialResult() throws {
        // At a 60 % failure rate a page fails all 3 attempts with probability 0.22, so one of
        // the 30 pages does; the seed makes it the same page every run.
        let sim = try SimProcess(["--contacts", "3000", "--orgs", "1", "--fail-rate", "0.6", "--seed", "3"])
        let r = try Self.mq(["-c", "customers | select name"], sim: sim)
        #expect(r.status == 3, "\(r.err)")
        #expect(r.out.contains("partial result:"), "\(r.out.suffix(300))")
        #expect(r.err.contains("API error: GET /organizations/") && r.err.contains("cursor="), "\(r.err)")
        #expect(r.err.contains("(3 attempts)"))
        let shown = r.out.split(separator: "\n").filter { !$0.hasPrefix("(") && !$0.hasPrefix("partial") }.count - 2
        #expect(shown > 0 && shown < 3000 && shown % 100 == 0, "\(shown) rows shown: whole pages")
    }

    /// flag > environment > profile > default, with the profile from --profile,
    /// MQ_PROFILE or the file's default_profile.
    @Test func profilesFillWhatFlagsAndEnvironmentLeave() throws {
        let sim = try Sims.standard()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-xdg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("mq"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mq/config.toml").path
        try """
            default_profile = "demo"
            [profiles.demo]
            base_url = "\(sim.url)"
            org = "\(sim.orgs[0].id)"
            api_key_command = "echo \(sim.orgs[0].apiKey)"
            format = "csv"
            [profiles.other]
            base_url = "\(sim.url)"
            org = "\(sim.orgs[1].id)"
            api_key = "\(sim.orgs[1].apiKey)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        let env = ["XDG_CONFIG_HOME": dir.path]
        let byDefault = try Self.mq(["-c", "summary | select contacts"], env: env)
        #expect(byDefault.status == 0, "\(byDefault.err)")
        #expect(byDefault.out == "contacts\n2000\n", "the profile's format and credentials")
        let flagWins = try Self.mq(["--format", "ndjson", "--profile", "other", "-c", "summary | select contacts"], env: env)
        #expect(flagWins.out == "{\"contacts\":2000}\n", "\(flagWins.err)")
        let envProfile = try Self.mq(["-c", "billing | select plan"], env: env.merging(["MQ_PROFILE": "other"]) { $1 })
        #expect(envProfile.status == 0, "\(envProfile.err)")
        let missing = try Self.mq(["--profile", "nope", "-c", "summary"], env: env)
        #expect(missing.status == 2 && missing.err.contains("no profile `nope`") && missing.err.contains("demo, other"))
        // `.profile NAME` switches within a session: another org, with its own key.
        let switched = try Self.mq(["-c", ".profile; .profile other; .org; summary | select contacts"], env: env)
        #expect(switched.status == 0, "\(switched.err)")
        #expect(switched.out.contains("profiles in \(path): demo, other\n"), "\(switched.out)")
        #expect(switched.out.contains("profile other: org \(sim.orgs[1].id) at \(sim.url)\n"), "\(switched.out)")
        #expect(switched.out.contains("org: \(sim.orgs[1].id) at \(sim.url)\ncontacts\n2000\n"), "\(switched.out)")
        let wrongOrg = try Self.mq(["-c", ".org \(sim.orgs[1].id); summary"], env: env)
        #expect(wrongOrg.status == 3 && wrongOrg.err.contains("403"), "the demo profile's key is not org 1's: \(wrongOrg.err)")
        chmod(path, 0o644)
        let exposed = try Self.mq(["-c", "summary"], env: env)
        #expect(exposed.status == 2 && exposed.err.contains("chmod 600"))
    }

    @Test func demoRunsOnTheEmbeddedSimulator() throws {
        let r = try Self.mq(["--demo", "--format", "csv", "-c", "summary | select contacts; customers since -7d | count"],
                            env: ["MOSEND_API_KEY": "mk_live_ignored.x", "MOSEND_ORG": "elsewhere"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.hasPrefix("demo: ") && r.err.contains("2000 contacts"), "\(r.err)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.prefix(2) == ["contacts", "2000"])
        // Demo data is relative to today: the last week has conversations.
        #expect(Int(lines.last ?? "") ?? 0 > 0, "\(r.out)")
        #expect(!r.err.contains("error"), "a quiet shutdown: \(r.err)")
    }

    /// Piped, mq prints no progress line, no colour, and runs no pager, however long the
    /// statement and however tall its output.
    @Test func withoutATerminalNoProgressNoColourNoPager() throws {
        let sim = try SimProcess(["--contacts", "800", "--orgs", "1", "--latency-ms", "100"])
        let r = try Self.mq(["-c", "customers | count; customers | limit 60 | select name; customers where x = 1"], sim: sim,
                            env: ["PAGER": "sed s/^/P:/"])
        #expect(r.status == 1)  // the last statement names an unknown field
        #expect(r.out.contains(" 800\n") && r.out.contains("(60 rows)\n"), "\(r.out)")
        #expect(!r.out.contains("P:"), "no pager")
        #expect(!r.out.contains("\u{1B}") && !r.err.contains("\u{1B}"), "no colour or cursor control")
        #expect(!r.err.contains("\r") && !r.err.contains("Ctrl-C stops"), "no progress: \(r.err)")
        #expect(r.err.contains("unknown field `x`"))
    }

    /// Script arguments and --set read as `let` would read one literal, except numbers
    /// that would not print back the same (a phone number, an id with leading zeros);
    /// everything after the script's path is the script's, options included.
    @Test func argumentsReadAsLiteralsButPhonesStayText() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-args-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("args.mq").path
        try "let a = $1\nlet b = $2\nlet c = $3\nlet d = $4\nlet e = $5\n.vars\n".write(toFile: script, atomically: true, encoding: .utf8)
        let r = try Self.mq(["--set", "sla=15m", "--set", "from=2026-04", "--set", "n=-3", "--set", "x=1.5", "--set", "t=true",
                             script, "+447700900123", "007", "42", "--format", "hello world"],
                            env: ["MQ_NOW": "2026-11-15T12:00:00Z"])
        #expect(r.status == 0, "\(r.err)")
        for line in ["$a = \"+447700900123\"", "$b = \"007\"", "$c = 42", "$d = \"--format\"", "$e = \"hello world\"",
                     "$sla = 900", "$from = \"2026-04-01T00:00:00.000Z\"", "$n = -3", "$x = 1.5", "$t = true"] {
            #expect(r.out.contains(line + "\n"), "\(line) in \(r.out)")
        }
        let unknown = try Self.mq(["--bogus", script])
        #expect(unknown.status == 2 && unknown.err.contains("Unknown option '--bogus'"), "\(unknown.err)")
    }

    /// `mq --generate-manual mq` is mq(1): every option `--help` shows, with the
    /// environment, files and exit statuses; it and mq-language(7) render through groff
    /// without a warning; another page name is a usage error.
    @Test func manualPages() throws {
        let page = try Self.mq(["--generate-manual", "mq"])
        #expect(page.status == 0 && page.out.hasPrefix(".\\\""), "\(page.err)")
        let help = try Self.mq(["--help"]).out
        let options = Set(help.matches(of: try Regex(#"--[a-z][a-z-]+"#)).map { String(help[$0.range]) })
        #expect(options.count > 15, "\(options)")
        for o in options.sorted() where o != "--help" {
            #expect(page.out.contains("\\fB" + o.replacingOccurrences(of: "-", with: "\\-") + "\\fR"), "\(o) is not in mq(1)")
        }
        for section in ["NAME", "SYNOPSIS", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES"] {
            #expect(page.out.contains(".SH \(section)\n"), "mq(1) has no \(section)")
        }
        for code in ["0", "1", "2", "3", "4", "130"] { #expect(page.out.contains(".TP\n\\fB\(code)\\fR\n"), "exit status \(code)") }
        #expect(try ManPageTests.groffWarnings(page.out).isEmpty)
        let language = try Self.mq(["--generate-manual", "mq-language"])
        #expect(language.status == 0 && language.out.contains(".TH MQ-LANGUAGE 7"), "\(language.err)")
        let wrong = try Self.mq(["--generate-manual", "jq"])
        #expect(wrong.status == 2 && wrong.err.contains("mq or mq-language"), "\(wrong.err)")
    }

    /// `--help` and `--version` answer on stdout with 0, before or instead of a script:
    /// passthrough parsing of the script's arguments once swallowed them as unknown options.
    @Test func helpAndVersionAnswer() throws {
        for flag in ["--help", "-h"] {
            let r = try Self.mq([flag])
            #expect(r.status == 0 && r.err.isEmpty, "\(flag): \(r.err)")
            #expect(r.out.contains("USAGE: mq") && r.out.contains("--demo") && r.out.contains("-c <statements>"), "\(r.out)")
        }
        // mq's version and the commit it was built from, then the libcurl and libedit it runs with.
        let v = try Self.mq(["--version"])
        let lines = v.out.split(separator: "\n").map(String.init)
        #expect(v.status == 0 && lines.count == 3, "\(v.out)")
        #expect(lines.first?.wholeMatch(of: try Regex(#"mq \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(\+changes)?|unknown)\)"#)) != nil, "\(v.out)")
        #expect(lines.count == 3 && lines[1].hasPrefix("libcurl ") && lines[1].contains(".") && lines[2].hasPrefix("libedit 2."), "\(v.out)")
        // After the script's path they are the script's.
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("help-\(UUID().uuidString).mq").path
        try "let first = $1\n$first".write(toFile: script, atomically: true, encoding: .utf8)
        defer { unlink(script) }
        let passed = try Self.mq([script, "--help"])
        #expect(passed.status == 0 && passed.out.contains("--help") && !passed.out.contains("USAGE"), "\(passed.out) \(passed.err)")
    }
}
