import Foundation
import MQCore
import MQExec
import MQFormat
import MQSyntax
import Synchronization
import Testing

/// `join customer` hands each contact to the fan-out while the list is still being read.
/// The stub serves page n+1 only once the fan-out has been given every id of pages 1…n
/// (or after 30 s; each id is handed over once), so a join that read the whole list first would be caught waiting.
/// Serialized, and run apart by scripts/test: starved of threads by a full parallel run,
/// the fan-out once took over 5 s to be scheduled.
@Suite(.serialized) struct CustomerJoinTests {
    final class GatedAPI: ReportsAPI {
        let pages: [[String]]
        /// Ids the fan-out has been handed, in order.
        let received = Mutex<[String]>([])
        /// Pages served only after the 30 s wait ran out.
        let waitedOut = Mutex(0)
        init(pages: [[String]]) { self.pages = pages }

        func object(_ path: String, contact: String?, _ statement: CallContext) async throws(APIError) -> JSON { .null }
        func list(_ path: String, _ params: [(String, String)], _ statement: CallContext) async throws(APIError) -> [JSON] { [] }
        func customers(streaming ids: AsyncStream<String>, _ statement: CallContext) async -> [String: Result<JSON, APIError>] {
            var out: [String: Result<JSON, APIError>] = [:]
            for await id in ids {
                received.withLock { $0.append(id) }
                out[id] = .success(.object(JSONObject(pairs: [("id", .string(id)), ("timeline", .array([.string("t-" + id)]))])))
            }
            return out
        }
        func customerPages(_ query: ListQuery, _ statement: CallContext) -> any PageSource { Pages(self) }

        final class Pages: PageSource {
            let api: GatedAPI
            let index = Mutex(0)
            init(_ api: GatedAPI) { self.api = api }
            func next() async throws(APIError) -> Page? {
                let i = index.withLock { i -> Int in
                    defer { i += 1 }
                    return i
                }
                guard i < api.pages.count else { return nil }
                let before = Set(api.pages[..<i].joined()).count
                let deadline = ContinuousClock.now + .seconds(30)
                while api.received.withLock({ $0.count }) < before {
                    if ContinuousClock.now > deadline {
                        api.waitedOut.withLock { $0 += 1 }
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(2))
                }
                let rows = api.pages[i].map { JSON.object(JSONObject(pairs: [("id", .string($0))])) }
                return Page(rows: rows, number: i + 1, cursor: i == 0 ? nil : "c\(i)", nextCursor: i + 1 < api.pages.count ? "c\(i + 1)" : nil)
            }
        }
    }

    @Test func eachPagesIdsGoToTheFanOutBeforeTheNextPageIsRead() async {
        let api = GatedAPI(pages: [["a", "b", "a"], ["c"], ["d", "b"]])
        let r = await StubSession.run("customers | join customer on id | select id, timeline", api)
        #expect(r.status == 0, "\(r.err)")
        #expect(api.waitedOut.withLock { $0 } == 0, "a page was read only after the 30 s wait ran out")
        // Each id once, in the order the rows named them; rows in the list's order.
        #expect(api.received.withLock { $0 } == ["a", "b", "c", "d"])
        let ids = ["a", "b", "a", "c", "d", "b"]
        #expect(r.out == ids.map { "{\"id\":\"\($0)\",\"timeline\":[\"t-\($0)\"]}\n" }.joined())
    }

    /// The fourth contact passes `--max-requests 3`: the join stops there, before it is
    /// handed over and before the last page is read.
    @Test func theContactPastTheLimitIsNeverSent() async {
        let api = GatedAPI(pages: [["a", "b"], ["c", "a", "d"], ["e"]])
        var settings = SessionSettings()
        settings.maxRequests = 3
        let r = await StubSession.run("customers | join customer on id", api, settings)
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("it stopped at contact 4; no more than 3 detail requests were sent"), "\(r.err)")
        // a and b were handed over before the second page came; c may have been, or the
        // stop may have cancelled the fan-out first; d and e never are.
        let sent = api.received.withLock { $0 }
        #expect(sent == ["a", "b"] || sent == ["a", "b", "c"], "\(sent)")
        #expect(api.waitedOut.withLock { $0 } == 0)
    }
}

/// A session on a stub API, as `mq` runs one, printing NDJSON.
enum StubSession {
    static func run(_ text: String, _ api: any ReportsAPI, _ base: SessionSettings = SessionSettings()) async -> (out: String, err: String, status: Int32) {
        let out = BufferSink(), err = BufferSink()
        var settings = base
        settings.format = .ndjson
        let session = Session(api: api, describe: nil, settings: settings, out: out, err: err, baseDirectory: "/",
                              now: { Instant(year: 2026, month: 11, day: 15) }, monotonic: { 0 })
        let status = await session.run(SourceText(text, name: "q.mq"))
        return (out.text, err.text, status)
    }
}
