import Foundation
import MQClient
import MQCore
import MQExec
import MQFormat
import MQSyntax
import MQTestSupport
import Synchronization
import Testing

/// Runs statements the way `mq` does, in-process, against mosend-sim, with a fixed clock
/// (the simulator's) so that `today` and `-7d` give the same rows every run.
enum Runner {
    static let now = Instant(year: 2026, month: 11, day: 15, hour: 12)
    static var directory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }

    struct Result: Equatable {
        var explain: String
        var output: String
        var errors: String
        var status: Int32
        var requests: Int
        /// Every request's URL, in order.
        var urls: [String] = []
    }

    /// `terminal`: run as if stdout were a colour terminal (colour, `∅` for null).
    static func run(_ text: String, sim: SimProcess, pushdown: Bool = true, format: OutputFormat = .table,
                    baseDirectory: String? = nil, terminal: Bool = false) async throws -> Result
    {
        let org = sim.orgs[0]
        var config = ClientConfiguration(baseURL: sim.url, orgId: org.id, credentials: Credentials(apiKey: org.apiKey))
        config.retry.maxAttempts = 1
        let client = try MosendClient(config)
        let count = Mutex(0)
        let urls = Mutex<[String]>([])
        client.setTrace { e in
            count.withLock { $0 += 1 }
            urls.withLock { $0.append(e.url) }
        }
        defer { client.shutdown() }
        let out = BufferSink()
        let err = BufferSink()
        let base = baseDirectory ?? directory.appendingPathComponent("fixtures").path
        var settings = SessionSettings()
        settings.pushdown = pushdown
        settings.width = 100
        settings.format = format
        settings.color = terminal
        settings.terminal = terminal
        let session = Session(
            api: client,
            describe: APIDescription(
                url: { path, params in
                    "http://SIM/organizations/ORG/reports" + path
                        + (params.isEmpty ? "" : "?" + params.map { "\($0.0)=\($0.1)" }.joined(separator: "&"))
                },
                requestCount: { count.withLock { $0 } }),
            settings: settings, out: out, err: err, baseDirectory: base,
            now: { now }, monotonic: { 0 })
        let source = SourceText(text, name: "query.mq")
        let status = await session.run(source)
        let requests = count.withLock { $0 }
        var explain = ""
        // The plan of the last statement, in the same session (so kept results exist).
        if status == 0, let last = try? Parser.parse(source).last, case .query(let q) = last.kind {
            explain = (try? session.explainText(q)) ?? ""
        }
        // Where the checkout is differs between machines; goldens name it FIXTURES.
        return Result(explain: explain, output: out.text, errors: err.text.replacingOccurrences(of: base, with: "FIXTURES"),
                      status: status, requests: requests,
                      urls: urls.withLock { $0 })
    }
}

@Suite struct GoldenTests {
    static var queries: URL { Runner.directory.appendingPathComponent("queries") }

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: queries.path)) ?? [])
            .filter { $0.hasSuffix(".mq") }.map { String($0.dropLast(3)) }.sorted()
    }

    /// The tests above take their cases from the directory: an empty or missing one would
    /// run none of them and pass.
    @Test func theGoldensAreFound() {
        #expect(Self.names.count >= 150, "expected at least 150 goldens in \(Self.queries.path), found \(Self.names.count)")
        #expect(Self.names.contains { $0.hasPrefix("err_") }, "expected error goldens (err_*) among \(Self.names.count)")
    }

    static func render(_ r: Runner.Result) -> String {
        var s = ""
        if !r.explain.isEmpty { s += "-- explain\n" + r.explain }
        s += "-- output\n" + r.output
        if !r.errors.isEmpty { s += "-- stderr\n" + r.errors }
        s += "-- exit \(r.status)\n"
        return s
    }

    /// Each query's plan and output against its recorded `.expected` file.
    /// MQ_RECORD=1 writes the files instead; review the diff before committing.
    @Test(arguments: names)
    func golden(_ name: String) async throws {
        let text = try String(contentsOf: Self.queries.appendingPathComponent(name + ".mq"), encoding: .utf8)
        let result = try await Runner.run(text, sim: try Sims.standard())
        // Only err_ goldens may fail: a failure must never be recorded as another's answer.
        #expect(name.hasPrefix("err_") == (result.status != 0), "\(name) exited \(result.status): \(result.errors)")
        let actual = Self.render(result)
        let file = Self.queries.appendingPathComponent(name + ".expected")
        if ProcessInfo.processInfo.environment["MQ_RECORD"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = (try? String(contentsOf: file, encoding: .utf8)) ?? "(no .expected file: run with MQ_RECORD=1)"
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let i = Array(zip(a, e)).firstIndex { $0 != $1 } ?? min(a.count, e.count)
            Issue.record("""
                \(name): output differs from \(name).expected at line \(i + 1):
                  expected: \(i < e.count ? String(e[i]) : "(end)")
                  actual:   \(i < a.count ? String(a[i]) : "(end)")
                """)
        }
    }

    /// Pushdown is an optimisation: with it off, every query gives the same output.
    @Test(arguments: names.filter { name in
        // Plans themselves differ with pushdown off, and errors may (the API rejects what
        // local filtering merely does not match); the rows must not.
        let text = (try? String(contentsOf: queries.appendingPathComponent(name + ".mq"), encoding: .utf8)) ?? ""
        return !name.hasPrefix("err_") && !name.hasPrefix("meta_") && !text.contains("explain ")
    })
    func pushdownOffGivesTheSameRows(_ name: String) async throws {
        let text = try String(contentsOf: Self.queries.appendingPathComponent(name + ".mq"), encoding: .utf8)
        let sim = try Sims.standard()
        let on = try await Runner.run(text, sim: sim, pushdown: true, format: .ndjson)
        let off = try await Runner.run(text, sim: sim, pushdown: false, format: .ndjson)
        #expect(on.status == off.status)
        #expect(on.output == off.output, "\(name): rows differ with pushdown off")
        #expect(on.requests <= off.requests, "pushdown never costs requests")
    }

    /// The printer's canonical form parses back to the same statements. An error golden
    /// that does not parse has nothing to print (`golden` checks its diagnostic); any other
    /// golden must parse.
    @Test(arguments: names)
    func printerRoundTrip(_ name: String) throws {
        let text = try String(contentsOf: Self.queries.appendingPathComponent(name + ".mq"), encoding: .utf8)
        let statements: [Statement]
        do {
            statements = try Parser.parse(SourceText(text))
        } catch {
            if !name.hasPrefix("err_") { Issue.record("expected \(name).mq to parse (only err_ goldens may not): \(error)") }
            return
        }
        #expect(!statements.isEmpty, "expected \(name).mq to hold at least one statement to round-trip")
        for s in statements {
            let printed = Printer.statement(s)
            let again = try Parser.parse(SourceText(printed))
            #expect(again == [s], "\(name): \(printed)")
        }
    }
}
