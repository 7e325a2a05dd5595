import Foundation
import MQCore
import MQTestSupport
import Testing

/// The shared seeded generator gives SplitMix64's published outputs, so the cases drawn
/// from it (BadQueryTests' mutations) are the same on every run and after any refactoring.
@Suite struct SplitMix64Tests {
    @Test func givesTheReferenceOutputs() {
        // splitmix64.c seeded with 1234567, as published with it.
        var r = SplitMix64(seed: 1_234_567)
        let got = (0..<3).map { _ in r.next() }
        #expect(got == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423],
                "expected splitmix64.c's first three outputs for seed 1234567")
    }

    @Test func belowStaysInRangeAndPicksEveryValue() {
        var r = SplitMix64(seed: 20_261_115)
        var seen = Set<Int>()
        for _ in 0..<1_000 {
            let x = r.below(7)
            #expect((0..<7).contains(x), "expected below(7) in 0..<7, got \(x)")
            seen.insert(x)
        }
        #expect(seen == Set(0..<7), "expected 1,000 draws of below(7) to reach every value, got \(seen.sorted())")
        #expect(r.below(0) == 0, "expected below(0) to be 0, not a trap")
    }
}

/// The environment of the tests' child processes drops the developer's settings, and
/// knows every variable mq's sources read.
@Suite struct TestEnvironmentTests {
    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
    }

    @Test func dropsTheDevelopersSettingsAndKeepsTheRest() {
        var base = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "XDG_CONFIG_HOME": "/home/dev/.config"]
        for (name, _) in TestEnvironment.removed { base[name] = "developer's" }
        let env = TestEnvironment.clean(["MQ_NOW": "2026-11-15T12:00:00Z"], base: base)
        for (name, why) in TestEnvironment.removed where name != "MQ_NOW" {
            #expect(env[name] == nil, "expected \(name) removed (\(why)), found \(env[name] ?? "")")
        }
        #expect(env["MQ_NOW"] == "2026-11-15T12:00:00Z", "expected the test's own MQ_NOW to win over the removal")
        #expect(env["XDG_CONFIG_HOME"] == TestEnvironment.noConfigDirectory,
                "expected XDG_CONFIG_HOME replaced, found \(env["XDG_CONFIG_HOME"] ?? "(unset)")")
        #expect(env["PATH"] == "/usr/bin:/bin" && env["LANG"] == "C.UTF-8", "expected PATH and LANG inherited: \(env)")
        #expect(!FileManager.default.fileExists(atPath: TestEnvironment.noConfigDirectory + "/mq/config.toml"),
                "expected no config file under \(TestEnvironment.noConfigDirectory)")
    }

    @Test func theEnvironmentTurnsIntoCStrings() {
        let strings = TestEnvironment.cStrings(["A": "1", "B": "x=y"])
        defer { for s in strings { free(s) } }
        #expect(strings.last! == nil, "expected envp to end with nil")
        let texts = Set(strings.dropLast().map { String(cString: $0!) })
        #expect(texts == ["A=1", "B=x=y"], "expected NAME=value strings, got \(texts)")
    }

    /// The names in `env["NAME"]`, `environment["NAME"]`, `getenv("NAME")` and
    /// `ProcessEnvironment.value("NAME")` of one source text.
    static func variablesRead(in text: String) -> Set<String> {
        let pattern = #"(?:\benv|\benvironment)\["([A-Z_][A-Z0-9_]*)"\]|\b(?:getenv|ProcessEnvironment\.value)\("([A-Z_][A-Z0-9_]*)"\)"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        var names = Set<String>()
        for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            for g in 1...2 where m.range(at: g).location != NSNotFound { names.insert(ns.substring(with: m.range(at: g))) }
        }
        return names
    }

    @Test func theScannerFindsEachFormOfRead() {
        let sample = #"""
            let a = env["MOSEND_ORG"] ?? ProcessInfo.processInfo.environment["HOME"]
            let b = getenv("PAGER"); let c = ProcessEnvironment.value("MQ_NOW")
            let d = other["NOT_READ"]; let e = env[name]
            """#
        #expect(Self.variablesRead(in: sample) == ["MOSEND_ORG", "HOME", "PAGER", "MQ_NOW"],
                "expected the four literal reads and neither the other dictionary nor the dynamic name")
    }

    /// A variable mq starts to read must be sorted into removed, replaced or inherited (with
    /// its reason) before it can leak in from a developer's shell; and a name no source reads
    /// any more must go from the lists. Libraries (libcurl's proxies, the Swift runtime) read
    /// variables of their own, which this does not see.
    @Test func everyVariableTheSourcesReadIsSorted() throws {
        var read = Set<String>()
        let files = FileManager.default.enumerator(atPath: Self.sources.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            read.formUnion(Self.variablesRead(in: try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)))
        }
        #expect(read.count >= 10, "expected to find mq's environment reads under \(Self.sources.path), found \(read.sorted())")
        let sorted = Set(TestEnvironment.removed.map(\.key) + TestEnvironment.replaced.map(\.key)
            + TestEnvironment.inherited.map(\.key))
        for name in read.subtracting(sorted).sorted() {
            Issue.record("Sources read \(name): expected it in TestEnvironment.removed, replaced or inherited, with why")
        }
        for name in sorted.subtracting(read).sorted() {
            Issue.record("TestEnvironment lists \(name), which no source reads any more: expected it removed from the lists")
        }
    }
}
