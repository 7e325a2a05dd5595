import Foundation
import MQTestSupport
import Testing

/// The interactive shell in a real terminal (tmux): prompt, results, continuation lines,
/// Ctrl-C at the prompt and during a slow scan, history, Ctrl-D.
@Suite(.serialized) struct ReplTests {
    final class Terminal {
        let name = "mqtest\(getpid())\(Int.random(in: 0..<1_000_000))"

        /// PAGER is `cat` unless a test sets it: a real pager would wait for a key.
        /// Each terminal has a tmux server of its own (socket `name`): with one shared
        /// server, killing a test's last session made it exit, and the next test's
        /// new-session could reach it while it shut down ("server exited unexpectedly",
        /// a blank screen in CI).
        init(_ command: String, env: [String: String], rows: Int = 50) throws {
            let exports = (["PAGER": "cat"].merging(env) { $1 }).map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
            let status = try tmux(["new-session", "-d", "-s", name, "-x", "150", "-y", String(rows),
                                   "env \(exports) '\(CLITests.binary)' \(command); echo EXIT=$?; sleep 30"]).status
            guard status == 0, try tmux(["has-session", "-t", name]).status == 0 else {
                throw TestFailure("tmux could not start a session (new-session exited \(status))")
            }
        }

        /// Killing the only session ends this terminal's server (kill-server, in tmux 3.3a
        /// here, left it running).
        deinit {
            _ = try? tmux(["kill-session", "-t", name])
            unlink("/tmp/tmux-\(getuid())/\(name)")
        }

        /// Runs tmux on this terminal's own socket, with posix_spawn and waitpid: Foundation's
        /// Process.waitUntilExit missed the exit of tmux's client here and waited forever.
        /// Output, when asked for, goes through a file: a command that starts the server
        /// (new-session) hands it whatever pipe we give.
        @discardableResult
        func tmux(_ args: [String], read: Bool = false) throws -> (output: String, status: Int32) {
            let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)").path
            defer { unlink(outPath) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, read ? outPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            // The tmux server this may start lives on: it must hold none of our descriptors.
            Spawn.closeOthers(&actions)
            let argv = ["tmux", "-L", name] + args
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            // The server started here passes its environment to mq: the clean one.
            var envp = TestEnvironment.cStrings(TestEnvironment.clean())
            defer {
                for a in cargs { free(a) }
                for e in envp { free(e) }
            }
            var pid: pid_t = 0
            guard posix_spawnp(&pid, "tmux", &actions, nil, &cargs, &envp) == 0 else {
                throw TestFailure("cannot run tmux (is it installed?)")
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return (read ? ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "") : "", exit)
        }

        func type(_ text: String, enter: Bool = true) throws {
            try tmux(["send-keys", "-t", name, "-l", text])
            if enter { try tmux(["send-keys", "-t", name, "Enter"]) }
        }

        func key(_ k: String) throws { try tmux(["send-keys", "-t", name, k]) }

        var screen: String { (try? tmux(["capture-pane", "-t", name, "-p", "-S", "-200"], read: true).output) ?? "" }
        /// The screen with its colours, as escape sequences.
        var colouredScreen: String { (try? tmux(["capture-pane", "-t", name, "-p", "-e"], read: true).output) ?? "" }

        /// Waits until the screen holds `text` (as many times as `count`). capture-pane
        /// trims trailing spaces, so a prompt is waited for without its last space.
        @discardableResult
        func wait(for text: String, count: Int = 1, seconds: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if screen.components(separatedBy: text).count - 1 >= count { return true }
                usleep(50_000)
            }
            return false
        }
    }

    /// The environment that points mq at a simulator's first org, with a fresh state dir.
    static func env(_ sim: SimProcess) throws -> [String: String] {
        ["MOSEND_BASE_URL": sim.url, "MOSEND_ORG": sim.orgs[0].id, "MOSEND_API_KEY": sim.orgs[0].apiKey,
         "XDG_STATE_HOME": try stateDir()]
    }

    /// Ends the shell with Ctrl-D and checks it exits 0.
    /// Waits for the prompt first: a Ctrl-D typed while a statement still runs reaches the
    /// terminal in cooked mode, where libedit's switch to raw mode can drop it (seen on a
    /// loaded CI machine).
    static func quit(_ t: Terminal) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let last = t.screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if last?.hasSuffix(">") == true { break }
            usleep(50_000)
        }
        try t.key("C-d")
        #expect(t.wait(for: "EXIT=0"), "\(t.screen)")
    }

    static func stateDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("mq-repl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func promptQueryContinuationCtrlCAndCtrlD() throws {
        let state = try Self.stateDir()
        let t = try Terminal("--demo", env: ["XDG_STATE_HOME": state])
        #expect(t.wait(for: "mq demo>"), "\(t.screen)")
        try t.type("summary | select contacts")
        #expect(t.wait(for: "(1 row)"), "\(t.screen)")
        // A trailing | asks for more.
        try t.type("customers |")
        #expect(t.wait(for: "...>"))
        try t.type("  count")
        #expect(t.wait(for: " 2000"), "\(t.screen)")
        // Ctrl-C at the prompt drops the line and prompts again.
        try t.type("half typed", enter: false)
        try t.key("C-c")
        #expect(t.wait(for: "^C"))
        try t.type("billing | select plan")
        #expect(t.wait(for: "(1 row)", count: 2), "\(t.screen)")
        #expect(!t.screen.contains("half typedbilling"))
        // A line starting with a space, and one that holds a key, stay out of history.
        try t.type(" summary | select activeAgents")
        try t.type("let k = \"mk_live_abcd.secret\"")
        try Self.quit(t)
        let history = try String(contentsOfFile: state + "/mq/history", encoding: .utf8)
        #expect(history.contains("summary\\040|\\040select\\040contacts"))
        #expect(history.contains("billing"))
        #expect(!history.contains("activeAgents") && !history.contains("mk_live_"))
        var st = stat()
        #expect(stat(state + "/mq/history", &st) == 0 && st.st_mode & 0o777 == 0o600)

        // History survives a restart.
        let again = try Terminal("--demo", env: ["XDG_STATE_HOME": state])
        #expect(again.wait(for: "mq demo>"))
        try again.key("Up")
        #expect(again.wait(for: "mq demo> billing | select plan"), "\(again.screen)")
    }

    @Test func ctrlCDuringASlowScanReturnsThePromptAndKeepsTheRows() throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1", "--latency-ms", "200"])
        let t = try Terminal("", env: try Self.env(sim))
        #expect(t.wait(for: "mq \(sim.orgs[0].id.prefix(8))>"), "\(t.screen)")
        try t.type("customers | select name")
        usleep(900_000)  // some pages in, most to go (20 pages at 200 ms)
        let start = Date()
        try t.key("C-c")
        #expect(t.wait(for: "interrupted", count: 1, seconds: 1), "\(t.screen)")
        #expect(Date().timeIntervalSince(start) < 1, "the prompt returns within a second")
        #expect(t.screen.contains("partial result"))
        try t.type(".last")
        #expect(t.wait(for: "partial result: the statement stopped before its end"), "\(t.screen)")
        try t.type("summary | select contacts")
        #expect(t.wait(for: "(1 row)"), "the shell is still alive: \(t.screen)")
        try Self.quit(t)
    }

    /// A count cut short by Ctrl-C printed `count 700` for a 2,000-row source: now no
    /// result, how far it got, and the rows read so far in `.last`.
    @Test func ctrlCDuringACountGivesNoNumberAndKeepsTheRows() throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1", "--latency-ms", "200"])
        let t = try Terminal("", env: try Self.env(sim))
        #expect(t.wait(for: "mq \(sim.orgs[0].id.prefix(8))>"), "\(t.screen)")
        try t.type("customers | count")
        usleep(900_000)
        try t.key("C-c")
        #expect(t.wait(for: "interrupted", count: 1, seconds: 1), "\(t.screen)")
        #expect(t.screen.contains("no result: `count` needs every row, and the source stopped after"), "\(t.screen)")
        #expect(!t.screen.contains("(1 row)"), "no count was printed: \(t.screen)")
        try t.type(".last")
        #expect(t.wait(for: "partial result: the statement stopped before its end"), "\(t.screen)")
        try Self.quit(t)
    }

    @Test func tabCompletesASourceAStageAFieldAndACategoryValue() throws {
        let t = try Terminal("--demo", env: ["XDG_STATE_HOME": try Self.stateDir()])
        #expect(t.wait(for: "mq demo>"), "\(t.screen)")
        try t.type("summ", enter: false)
        try t.key("Tab")
        try t.type("| select contacts")
        #expect(t.wait(for: "mq demo> summary | select contacts"), "\(t.screen)")
        #expect(t.wait(for: "(1 row)"), "\(t.screen)")
        for (typed, tab) in [("customers wh", true), ("categ", true), ("=bil", true), ("| so", true), ("conv", true)] {
            try t.type(typed, enter: false)
            if tab { try t.key("Tab") }
            usleep(100_000)
        }
        try t.type("| limit 2 | select category")
        #expect(t.wait(for: "mq demo> customers where category =billing | sort conversations | limit 2 | select category"),
                "\(t.screen)")
        #expect(t.wait(for: "(2 rows)"), "\(t.screen)")
        // Meta commands and their arguments complete too.
        try t.type(".for", enter: false)
        try t.key("Tab")
        try t.type("cs", enter: false)
        try t.key("Tab")
        try t.key("Enter")
        #expect(t.wait(for: "mq demo> .format csv"), "\(t.screen)")
        try Self.quit(t)
    }

    @Test func tallResultsGoThroughThePagerShortOnesDoNot() throws {
        // A pager that marks each line it shows.
        let t = try Terminal("--demo", env: ["XDG_STATE_HOME": try Self.stateDir(), "PAGER": "sed s/^/P:/"], rows: 30)
        #expect(t.wait(for: "mq demo>"), "\(t.screen)")
        try t.type("customers | limit 40 | select name")
        #expect(t.wait(for: "P:(40 rows)"), "\(t.screen)")
        try t.type("summary | select contacts")
        #expect(t.wait(for: "\n(1 row)"), "\(t.screen)")
        #expect(!t.screen.contains("P:(1 row)"))
        try t.type(".pager off")
        try t.type("customers | limit 30 | select name")
        #expect(t.wait(for: "\n(30 rows)"), "\(t.screen)")
        try t.type(".pager on")
        try t.type("summary | select activeAgents")
        #expect(t.wait(for: "P:(1 row)"), "\(t.screen)")
        try Self.quit(t)
    }

    @Test func aSlowStatementShowsProgressThenErasesIt() throws {
        let sim = try SimProcess(["--contacts", "1500", "--orgs", "1", "--latency-ms", "150"])
        let t = try Terminal("", env: try Self.env(sim))
        #expect(t.wait(for: "mq \(sim.orgs[0].id.prefix(8))>"), "\(t.screen)")
        try t.type("customers | count")
        // 15 pages at 150 ms: the line shows the source, pages, rows and requests.
        #expect(t.wait(for: "customers · ", seconds: 3), "\(t.screen)")
        #expect(t.screen.contains(" rows · ") && t.screen.contains("(Ctrl-C stops)"), "\(t.screen)")
        #expect(t.wait(for: " 1500"), "\(t.screen)")
        #expect(!t.screen.contains("Ctrl-C stops"), "erased when done: \(t.screen)")
        try Self.quit(t)
    }

    @Test func orgSwitchesAndTheNoKeyBannerPointsAtTheDemo() throws {
        let t = try Terminal("--demo", env: ["XDG_STATE_HOME": try Self.stateDir()])
        #expect(t.wait(for: "mq demo>"), "\(t.screen)")
        try t.type(".org umbrella")
        #expect(t.wait(for: "mq demo:Umbrella>"), "\(t.screen)")
        try t.type("summary | select contacts")
        #expect(t.wait(for: "(1 row)"), "\(t.screen)")
        try t.type(".history 2")
        #expect(t.wait(for: "summary | select contacts\n"), "\(t.screen)")
        try Self.quit(t)

        let bare = try Terminal("", env: ["XDG_STATE_HOME": try Self.stateDir(), "XDG_CONFIG_HOME": try Self.stateDir()])
        #expect(bare.wait(for: "mq --demo"), "\(bare.screen)")
        #expect(bare.wait(for: "mq>"), "\(bare.screen)")
        try Self.quit(bare)
    }

    /// Outside the shell Ctrl-C stops the statement, shows the rows so far, exits 130.
    @Test func ctrlCInCommandModeExits130WithThePartialRows() throws {
        let sim = try SimProcess(["--contacts", "2000", "--orgs", "1", "--latency-ms", "200"])
        let t = try Terminal("-c 'customers | select name' --format csv", env: try Self.env(sim))
        usleep(1_000_000)
        try t.key("C-c")
        #expect(t.wait(for: "EXIT=130", seconds: 2), "\(t.screen)")
        #expect(t.screen.contains("partial result"), "\(t.screen)")
    }

    /// On a terminal a diagnostic is coloured; NO_COLOR and --no-color turn it off.
    /// A table fits the window as it is when the statement runs, not as it was when the
    /// shell started.
    @Test func tablesFitTheWindowAfterAResize() throws {
        let t = try Terminal("--demo", env: ["XDG_STATE_HOME": try Self.stateDir()])
        #expect(t.wait(for: "mq demo>"), "\(t.screen)")
        let columns = "select name, email, phone, labels, agent"
        try t.type("customers | limit 3 | \(columns)")
        #expect(t.wait(for: "(3 rows)"), "\(t.screen)")
        // Read before resizing: tmux reflows what is on the screen to the new width.
        let wide = t.screen
        try t.tmux(["resize-window", "-t", t.name, "-x", "70"])
        try t.type("customers | limit 4 | \(columns)")
        #expect(t.wait(for: "(4 rows)"), "\(t.screen)")
        func table(ending end: String, in screen: String) -> ArraySlice<String> {
            let lines = screen.split(separator: "\n").map(String.init)
            guard let last = lines.lastIndex(of: end),
                  let header = lines[..<last].lastIndex(where: { $0.hasPrefix("name") }) else { return [] }
            return lines[header..<last]
        }
        let before = table(ending: "(3 rows)", in: wide), after = table(ending: "(4 rows)", in: t.screen)
        #expect(before.contains { $0.count > 70 }, "at 150 columns the table is wider than 70: \(before)")
        #expect(after.count == 6 && after.allSatisfy { $0.count <= 70 }, "\(after)")
        try Self.quit(t)
    }

    @Test func colourOnATerminalUnlessNoColor() throws {
        let coloured = try Terminal("-c 'customers | srot x'", env: ["NO_COLOR": ""])  // empty counts as unset
        #expect(coloured.wait(for: "EXIT=1"), "\(coloured.screen)")
        #expect(coloured.colouredScreen.contains("\u{1B}["), "\(coloured.colouredScreen)")
        for (args, env) in [("-c 'customers | srot x'", ["NO_COLOR": "1"]), ("--no-color -c 'customers | srot x'", [:])] {
            let plain = try Terminal(args, env: env)
            #expect(plain.wait(for: "EXIT=1"), "\(plain.screen)")
            #expect(plain.screen.contains("unknown stage `srot`"))
            #expect(!plain.colouredScreen.contains("\u{1B}["), "\(plain.colouredScreen)")
        }
    }
}
