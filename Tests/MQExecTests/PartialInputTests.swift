import Foundation
import MQCore
import MQTestSupport
import Testing

/// language.md v2: a partial input gives no aggregate. A scan that fails part way (retries
/// run out, Ctrl-C) lets a streaming pipeline print the rows that got through, marked
/// partial; a blocking one (count, summarize, sort, top, distinct, join customer…) prints
/// no row at all, says how far it got, and exits with the error's status, so that
/// `mq … | jq` never reads a number computed over part of the data.
@Suite struct PartialInputTests {
    /// The same seed and failure rate as `CLITests.aFailingPageKeepsThePartialResult`:
    /// one of the 30 pages fails its 3 attempts, the same page every run of a fresh
    /// simulator (fault draws count repetitions, so each run gets its own).
    static func failingSim() throws -> SimProcess {
        try SimProcess(["--contacts", "3000", "--orgs", "1", "--fail-rate", "0.6", "--seed", "3"])
    }

    static let blocking = [
        "customers | count",
        "customers | count by category",
        "customers | summarize n = count(), a = avg(csat) by category",
        "customers | sort -conversations | limit 5",
        "customers | sort name",
        "customers | top 3 category",
        "customers | distinct category",
        "customers | where conversations > 100 | count",
        "customers | chart category",
        "customers | limit 2500 | spark conversations",
        // Window functions need every row of a partition (language.md v2).
        "customers | derive r = rank() over (by category sort -conversations) | select name, r",
        "customers | select name, share = conversations / sum(conversations) over ()",
    ]

    @Test(arguments: blocking)
    func aBlockingPipelinePrintsNoRowsOverAPartialInput(_ query: String) throws {
        // Every format for one query; the table, the default, for the others.
        for format in query == "customers | count" ? ["table", "json", "csv"] : ["table"] {
            let r = try CLITests.mq(["--format", format, "-c", query], sim: try Self.failingSim())
            #expect(r.status == 3, "\(format): \(r.err)")
            #expect(r.out.isEmpty, "\(format): no result rows, got \(r.out.prefix(200))")
            #expect(r.err.contains("no result: `"), "\(r.err)")
            #expect(r.err.contains("needs every row, and the source stopped after "), "\(r.err)")
            #expect(r.err.contains("API error: GET /organizations/"), "\(r.err)")
        }
    }

    /// Over the same failure, a streaming pipeline still prints the rows before it.
    @Test func aStreamingPipelineStillPrintsTheRowsThatGotThrough() throws {
        let sim = try Self.failingSim()
        let r = try CLITests.mq(["--format", "json", "-c", "customers | where conversations > 0 | select name"], sim: sim)
        #expect(r.status == 3)
        let rows = try JSONParser.parse(Array(r.out.utf8))
        let n = try #require(rows.arrayValue?.count)
        #expect(n > 0 && n < 3000, "\(n) rows")
        #expect(r.err.contains("partial result: \(n) rows before the error below"), "\(r.err)")
    }

    /// `join customer` over a partial list: no rows, and nothing joined.
    @Test func joinCustomerOverAPartialListGivesNoRows() throws {
        let sim = try Self.failingSim()
        let r = try CLITests.mq(["--max-requests", "5000", "-c", "customers | join customer on id | select name, metrics"], sim: sim)
        #expect(r.status == 3, "\(r.err)")
        #expect(r.out.isEmpty)
        #expect(r.err.contains("no result: `join customer` needs every row"), "\(r.err)")
    }

    /// A file that breaks after its first batch: the rows before are out, and the JSON
    /// array is closed, so stdout is valid JSON (it used to end `[{"a":1}`).
    @Test func jsonOutputStaysValidAfterAFileError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = (1...5000).map { "{\"a\":\($0)}" }.joined(separator: "\n")
        try (good + "\n{\"a\": oops}\n").write(to: dir.appendingPathComponent("broken.ndjson"), atomically: true, encoding: .utf8)
        let r = try CLITests.mq(["--format", "json", "-c", "from \"\(dir.path)/broken.ndjson\""])
        #expect(r.status == 1)
        let rows = try JSONParser.parse(Array(r.out.utf8))
        // The rows before the bad line come out with it, in its batch.
        let n = try #require(rows.arrayValue?.count)
        #expect(n == 5000)
        #expect(r.err.contains("broken.ndjson:5001"), "\(r.err)")
        #expect(r.err.contains("partial result: \(n) rows before the error below"), "\(r.err)")
        // A blocking pipeline over the same file prints nothing at all.
        let c = try CLITests.mq(["--format", "json", "-c", "from \"\(dir.path)/broken.ndjson\" | count"])
        #expect(c.status == 1)
        #expect(c.out.isEmpty)
    }

    /// A detail that answers 404 used to drop its row without a word and exit 0.
    @Test func joinCustomerSaysWhichContactsWereNotFound() throws {
        let sim = try Sims.standard()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-404-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = try CLITests.mq(["--format", "csv", "-c", "customers | limit 1 | select id"], sim: sim).out
            .split(separator: "\n")[1]
        let missing = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]
        try (["id,note", "\(real),kept"] + missing.map { "\($0),gone" }).joined(separator: "\n")
            .write(to: dir.appendingPathComponent("ids.csv"), atomically: true, encoding: .utf8)
        let inner = try CLITests.mq(["--format", "csv", "-c", "from \"\(dir.path)/ids.csv\" | join customer on id | select note"], sim: sim)
        #expect(inner.status == 0, "\(inner.err)")
        #expect(inner.out == "note\nkept\n")
        #expect(inner.err.contains("join customer: 2 contacts answered 404 (not found): \(missing[0]), \(missing[1]); their rows are left out"),
                "\(inner.err)")
        let left = try CLITests.mq(["--format", "csv", "-c", "from \"\(dir.path)/ids.csv\" | join left customer on id | select note, metrics"], sim: sim)
        #expect(left.out.split(separator: "\n").count == 4, "\(left.out)")
        #expect(left.err.contains("their rows are kept with nulls"), "\(left.err)")
    }

    /// `--format csv` of an API list streams under the catalog's columns, so `| head`
    /// still stops the paging.
    @Test func csvOfAnAPIListStreams() throws {
        let sim = try Sims.standard()
        let r = try CLITests.mq(["--format", "csv", "-c", "customers"], sim: sim)
        #expect(r.status == 0)
        let header = r.out.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix("id,name,phone,email,createdAt"), "\(header)")
        #expect(!r.err.contains("left out of the output"), "\(r.err)")
    }
}
