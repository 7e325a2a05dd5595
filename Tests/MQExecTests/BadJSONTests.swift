import Foundation
import MQCore
import MQTestSupport
import MosendSim
import Testing

/// The `mq` binary against every kind of broken or wrongly shaped body mosend-sim can
/// send (`--malformed-rate 1 --malformed-kinds K`: every API response spoiled the same
/// way): a clean error naming the request, or the right answer, never a crash, a hang or
/// unbounded memory. One case at a time: some move 64 MB, and the suites around them
/// measure time.
@Suite(.serialized) struct BadJSONTests {
    /// Generous: a clean run takes about 40 MB, and the 200 MB body about 105 MB (its
    /// first 64 MB, then refused).
    static let maxRSSKB = 300 * 1024

    static let base = ["--contacts", "300", "--orgs", "1"]

    static func sim(_ kind: MalformedKind) throws -> SimProcess {
        try Sims.with(base + ["--malformed-rate", "1", "--malformed-kinds", kind.rawValue])
    }

    /// What mq must do with a body of this kind, for a list (`customers`) and an object
    /// (`summary`): fail with exit 3 and these words, or (nil) answer as a clean server would.
    static func expected(_ kind: MalformedKind) -> (list: String?, object: String?) {
        switch kind {
        // Broken JSON: retried, then reported with the parser's reason.
        case .truncated: ("not valid JSON (", "not valid JSON (")
        case .trailingComma: ("expected a string key", "expected a string key")
        case .html: ("not valid JSON (unexpected '<'", "not valid JSON (unexpected '<'")
        case .invalidUTF8: ("invalid UTF-8 in a string", "invalid UTF-8 in a string")
        case .empty: ("unexpected end of input", "unexpected end of input")
        case .nan: ("unexpected 'N', expected a value", "unexpected 'N', expected a value")
        case .bigNumber: ("number 1e999 is out of range", "number 1e999 is out of range")
        case .deep: ("nesting deeper than 512 levels", "nesting deeper than 512 levels")
        // Well-formed but wrong.
        case .duplicateKeys: (nil, nil)  // the last value wins: the right answer
        case .dataString: ("expected {\"data\": […]} but \"data\" is a string", "expected {\"data\": {…}} but \"data\" is a string")
        case .rowNumbers: ("row 1 of 100 in \"data\" is a number", "but \"data\" is an array")
        case .fieldTypes: (nil, nil)  // rows of odd types are still rows
        case .cursorObject: ("the next cursor (nextCursor) is an object, not a string", nil)
        case .huge: ("the response passed 64 MB, mq's limit for one response", "the response passed 64 MB")
        }
    }

    /// Whether mq retries it (a broken body may be a proxy's hiccup); wrong shapes and an
    /// oversized body are not retried.
    static func retried(_ kind: MalformedKind) -> Bool {
        switch kind {
        // A 200 that breaks the envelope, or a body past the cap, is as broken as one that
        // is not JSON: retried too (issue 13).
        case .truncated, .trailingComma, .html, .invalidUTF8, .empty, .nan, .bigNumber, .deep: true
        case .dataString, .rowNumbers, .cursorObject, .huge: true
        case .duplicateKeys, .fieldTypes: false
        }
    }

    @Test(arguments: MalformedKind.allCases)
    func eachKindIsACleanErrorOrTheRightAnswer(_ kind: MalformedKind) throws {
        let sim = try Self.sim(kind)
        let clean = try Sims.with(Self.base)
        let org = sim.orgs[0].id
        let cases = [
            ("customers | select id, name", "/organizations/\(org)/reports/customers?limit=100", Self.expected(kind).list),
            ("summary | select contacts", "/organizations/\(org)/reports/summary", Self.expected(kind).object),
        ]
        for (query, request, failure) in cases {
            let r = try Spawned.run(["--format", "csv", "-c", query], env: Spawned.environment(sim: sim), measureMemory: true)
            #expect(r.endedCleanly, "\(kind) \(query): \(r.summary)")
            #expect(r.maxRSSKB.map { $0 < Self.maxRSSKB } == true, "\(kind) \(query): \(r.summary)")
            if let failure {
                #expect(r.status == 3, "\(kind) \(query): \(r.summary)")
                #expect(r.err.contains("<command>:1:1: API error: GET \(request)"), "names the request: \(r.summary)")
                #expect(r.err.contains(failure), "\(kind) \(query): \(r.summary)")
                #expect(r.err.contains("(3 attempts)") == Self.retried(kind), "\(kind) \(query): \(r.summary)")
                #expect(r.out.split(separator: "\n").count <= 1, "no rows from a failed first page: \(r.summary)")
            } else if kind == .fieldTypes {
                // Every field has another type than documented: still rows, shown as they are.
                #expect(r.status == 0, "\(kind) \(query): \(r.summary)")
                #expect(r.out.split(separator: "\n").count == (query.hasPrefix("customers") ? 301 : 2), "\(r.summary)")
            } else {
                let want = try Spawned.run(["--format", "csv", "-c", query], env: Spawned.environment(sim: clean))
                #expect(want.status == 0, "\(want.summary)")
                #expect(r.status == 0 && r.out == want.out, "\(kind) \(query): \(r.summary)")
            }
        }
    }

    /// The 200 MB body: refused at the cap on each of its attempts, with the mq process's
    /// peak resident memory far below the body's size.
    @Test func aTwoHundredMegabyteBodyIsRefusedInBoundedMemory() throws {
        let sim = try Self.sim(.huge)
        let r = try Spawned.run(["--trace", "-c", "summary"], env: Spawned.environment(sim: sim), measureMemory: true)
        #expect(r.status == 3, "\(r.summary)")
        #expect(r.err.contains("the response passed 64 MB, mq's limit for one response, and was not read further"))
        #expect(r.err.components(separatedBy: "→ GET ").count - 1 == 3, "three attempts, each stopped at the cap: \(r.summary)")
        #expect(r.maxRSSKB.map { $0 < 200 * 1024 } == true, "peak RSS for a 200 MB body: \(r.summary)")
        let stats = try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)
        #expect(stats["malformedKinds"]?["huge"] != nil)
    }

    /// Every golden statement against rows whose every field has an unexpected type:
    /// comparisons, sorting, grouping, flattening, joins and every renderer meet numbers
    /// where they expected text, arrays where they expected objects. None may crash.
    @Test func theGoldensSurviveFieldsOfTheWrongType() throws {
        let sim = try Self.sim(.fieldTypes)
        let queries = GoldenTests.names.filter { !$0.hasPrefix("err_") }
        #expect(queries.count > 80)
        var statuses: [Int32: Int] = [:]
        for name in queries {
            let path = GoldenTests.queries.appendingPathComponent(name + ".mq").path
            let r = try Spawned.run([path], env: Spawned.environment(sim: sim, ["MQ_NOW": "2026-11-15T12:00:00Z"]),
                                    directory: Runner.directory.appendingPathComponent("fixtures").path, timeout: 60)
            #expect(r.endedCleanly, "\(name): \(r.summary)")
            #expect([0, 1, 3].contains(r.status ?? -1), "\(name): \(r.summary)")
            if r.status == 3 { #expect(r.err.contains("API error: GET /organizations/"), "\(name): \(r.summary)") }
            statuses[r.status ?? -1, default: 0] += 1
        }
        // Most still answer: odd types are data, not errors.
        #expect(statuses[0, default: 0] > queries.count * 3 / 4, "\(statuses)")
    }
}
