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
