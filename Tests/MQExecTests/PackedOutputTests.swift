import Foundation
@testable import MQExec
import MQCore
import MQFormat
import MQSyntax
import Testing

/// A full sort's rows go to NDJSON from their packed bytes, on two threads for a large
/// batch: the output must be the bytes the rows give as objects, and `.last` must hold
/// what it holds on that path.
@Suite struct PackedOutputTests {
    static func session(_ dir: URL, _ out: BufferSink, _ err: BufferSink) -> Session {
        var settings = SessionSettings()
        settings.format = .ndjson
        // `.last` keeps 2 MB (an eighth), so the rows after its first ~25,000 take the
        // packed path; the sort itself (some 4 MB) stays in memory.
        settings.memoryLimit = 16 << 20
        return Session(api: nil, describe: nil, settings: settings, out: out, err: err, baseDirectory: dir.path,
                       now: { Instant(year: 2026, month: 11, day: 15) }, monotonic: { 0 })
    }

    @Test func sortedOutputIsTheObjectsOutput() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-packed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // More rows than `.last` keeps, and then more than two output batches (4,096), so
        // batches are written from packed bytes and split across threads.
        let rows = SortStreamTests.rows(40_000)
        let text = rows.map { JSON.object($0).jsonText }.joined(separator: "\n") + "\n"
        try text.write(to: dir.appendingPathComponent("rows.ndjson"), atomically: true, encoding: .utf8)

        var outputs: [String] = []
        for query in ["from \"rows.ndjson\" | sort k, -s", "from \"rows.ndjson\" | sort k, -s | limit 1000000"] {
            let out = BufferSink(), err = BufferSink()
            let s = PackedOutputTests.session(dir, out, err)
            let status = await s.run(SourceText(query, name: "q.mq"))
            #expect(status == 0, "\(query): \(err.text)")
            outputs.append(out.text)
            // `.last` keeps what fits of the result and knows it was cut.
            let last = try #require(s.last)
            let (kept, total, cut) = (last.rows.count, last.total, last.isCut)
            #expect(total == rows.count)
            #expect(kept > 10_000)
            #expect(cut, "\(kept) of \(total) kept")
            #expect(last.kept.first.map { JSON.object($0).jsonText } == out.text.split(separator: "\n").first.map(String.init))
        }
        // The second query's limit takes the sort's rows as objects: the bytes must agree.
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].split(separator: "\n").count == rows.count)
    }
}
