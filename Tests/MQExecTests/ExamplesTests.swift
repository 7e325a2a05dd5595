import Foundation
import MQTestSupport
import Testing

/// Every `examples/*.mq` script runs through the real `mq` binary against mosend-sim's
/// default data, with the clock pinned (MQ_NOW), from the repository root, and its stdout,
/// stderr and exit status must equal `examples/expected/NAME.out`:
///
///     <stdout, verbatim>
///     --- stderr            (only when there is any)
///     <stderr, verbatim>
///     --- status 0
///
/// A script's arguments come from its leading comment: `# test-options: --set a=1` goes
/// before the script's path, `# test-args: +447…` after it (`$1`, `$2`, …).
/// `MQ_RECORD=1 swift test --filter ExamplesTests` rewrites the expected files; review the
/// diff before committing.
@Suite struct ExamplesTests {
    static let now = "2026-11-15T12:00:00Z"

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var examples: URL { repository.appendingPathComponent("examples") }
    static var expected: URL { examples.appendingPathComponent("expected") }

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? [])
            .filter { $0.hasSuffix(".mq") }.map { String($0.dropLast(3)) }.sorted()
    }

    @Test func thereAreAtLeastEightExamplesEachListedInTheReadme() throws {
        #expect(Self.names.count >= 8, "examples/ holds \(Self.names.count) scripts")
        let readme = try String(contentsOf: Self.examples.appendingPathComponent("README.md"), encoding: .utf8)
        for name in Self.names {
            #expect(readme.contains("\(name).mq"), "examples/README.md does not mention \(name).mq")
        }
        // No orphaned golden file: each belongs to a script.
        let outs = ((try? FileManager.default.contentsOfDirectory(atPath: Self.expected.path)) ?? [])
            .filter { $0.hasSuffix(".out") }.map { String($0.dropLast(4)) }
        for o in outs { #expect(Self.names.contains(o), "examples/expected/\(o).out has no script") }
    }

    @Test(arguments: names)
    func example(_ name: String) throws {
        let script = Self.examples.appendingPathComponent(name + ".mq")
        let text = try String(contentsOf: script, encoding: .utf8)
        #expect(text.hasPrefix("#!/usr/bin/env mq\n"), "\(name).mq should start with #!/usr/bin/env mq")
        let options = Self.header("test-options", in: text)
        let args = Self.header("test-args", in: text)
        let r = try Self.run(options + ["examples/\(name).mq"] + args, sim: try Sims.standard())
        // An example that fails is broken, whatever its recorded output says.
        #expect(r.status == 0, "\(name) exited \(r.status): \(r.err)")
        let actual = Self.render(r)
        let file = Self.expected.appendingPathComponent(name + ".out")
        if ProcessInfo.processInfo.environment["MQ_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: Self.expected, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = (try? String(contentsOf: file, encoding: .utf8))
            ?? "(no examples/expected/\(name).out: run MQ_RECORD=1 swift test --filter ExamplesTests)"
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let i = Array(zip(a, e)).firstIndex { $0 != $1 } ?? min(a.count, e.count)
            Issue.record("""
                examples/\(name).mq: output differs from expected/\(name).out at line \(i + 1):
                  expected: \(i < e.count ? String(e[i]) : "(end)")
                  actual:   \(i < a.count ? String(a[i]) : "(end)")
                (MQ_RECORD=1 swift test --filter ExamplesTests re-records; review the diff)
                """)
        }
    }

    /// examples/data/crm.csv is what data/make-crm.sh makes from the simulator's default
    /// seed, so its phones are real contacts and the CRM join finds them.
    @Test func theCrmExportIsReproducible() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("crm-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.examples.appendingPathComponent("data/make-crm.sh").path, out.path]
        var env = Self.environment()
        env["BIN"] = URL(fileURLWithPath: SimProcess.binary).deletingLastPathComponent().path
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(message)")
        let made = try Data(contentsOf: out)
        let committed = try Data(contentsOf: Self.examples.appendingPathComponent("data/crm.csv"))
        #expect(made == committed, "examples/data/make-crm.sh no longer makes examples/data/crm.csv: rerun it")
    }

    // MARK: helpers

    static func render(_ r: CLITests.Run) -> String {
        var s = r.out
        if !s.isEmpty && !s.hasSuffix("\n") { s += "\n--- (no newline at the end of stdout)\n" }
        if !r.err.isEmpty { s += "--- stderr\n" + r.err + (r.err.hasSuffix("\n") ? "" : "\n") }
        return s + "--- status \(r.status)\n"
    }

    /// The words of a `# KEY: …` line among the script's leading comments; "double quotes"
    /// group words.
    static func header(_ key: String, in text: String) -> [String] {
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("#") else { break }
            let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
            guard body.hasPrefix(key + ":") else { continue }
            var words: [String] = [], word = "", quoted = false, any = false
            for c in body.dropFirst(key.count + 1) {
                if c == "\"" { quoted.toggle(); any = true } else if c == " " && !quoted {
                    if any { words.append(word) }
                    word = ""; any = false
                } else { word.append(c); any = true }
            }
            if any { words.append(word) }
            return words
        }
        return []
    }

    /// The environment an example runs in: the sim's first org, the pinned clock, no colour,
    /// and nothing from the developer's own set-up (`TestEnvironment.clean`).
    static func environment(sim: SimProcess? = nil) -> [String: String] {
        TestEnvironment.clean(sim: sim, ["MQ_NOW": now, "NO_COLOR": "1"])
    }

    /// `mq ARGS…` from the repository root (scripts name their files relative to it).
    static func run(_ args: [String], sim: SimProcess) throws -> CLITests.Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = args
        p.environment = environment(sim: sim)
        p.currentDirectoryURL = repository
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read stderr on the side, so that neither pipe can fill up and stall mq.
        let errData = ErrorBuffer()
        let reader = Thread { errData.data = err.fileHandleForReading.readDataToEndOfFile(); errData.done.signal() }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        errData.done.wait()
        p.waitUntilExit()
        return CLITests.Run(out: String(decoding: o, as: UTF8.self), err: String(decoding: errData.data, as: UTF8.self),
                            status: p.terminationStatus)
    }

    final class ErrorBuffer: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}
