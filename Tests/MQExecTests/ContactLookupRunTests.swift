import MQCore
import MQExec
import MQFormat
import MQSyntax
import Synchronization
import Testing

/// A lookup run by the executor against answers the simulator never gives: a full email
/// that is part of a longer one (`ana@` in `diana@`), an answer with a next page, an empty
/// first page with a cursor. The simulator's own answers are in the `lookup_*` goldens.
@Suite struct ContactLookupRunTests {
    /// Serves the given search pages, in order, and a detail for any id; records each request.
    final class StubAPI: ReportsAPI {
        let pages: [Page]
        let requests = Mutex<[String]>([])
        init(_ pages: [Page]) { self.pages = pages }

        func object(_ path: String, contact: String?, _ statement: CallContext) async throws(APIError) -> JSON {
            requests.withLock { $0.append(CatalogEntry.path(path, contact: contact)) }
            return .object(JSONObject(pairs: [("id", .string(contact ?? "")), ("timeline", .array([]))]))
        }
        func list(_ path: String, _ params: [(String, String)], _ statement: CallContext) async throws(APIError) -> [JSON] { [] }
        func customers(streaming ids: AsyncStream<String>, _ statement: CallContext) async -> [String: Result<JSON, APIError>] { [:] }
        func customerPages(_ query: ListQuery, _ statement: CallContext) -> any PageSource {
            Pages(self, query)
        }

        final class Pages: PageSource {
            let api: StubAPI
            let query: ListQuery
            let index = Mutex(0)
            init(_ api: StubAPI, _ query: ListQuery) {
                self.api = api
                self.query = query
            }
            func next() async throws(APIError) -> Page? {
                let i = index.withLock { i -> Int in
                    defer { i += 1 }
                    return i
                }
                guard i < api.pages.count else { return nil }
                api.requests.withLock {
                    $0.append("/customers?" + query.wireParams.map { "\($0.0)=\($0.1)" }.joined(separator: "&") + " page \(i + 1)")
                }
                return api.pages[i]
            }
        }
    }

    static func row(_ id: String, _ name: String, _ phone: String, _ email: String?) -> JSON {
        .object(JSONObject(pairs: [("id", .string(id)), ("name", .string(name)), ("phone", .string(phone)),
                                   ("email", email.map(JSON.string) ?? .null)]))
    }

    static let diana = row("id-1", "Diana Reis", "+351912000001", "diana@example.com")
    static let ana = row("id-2", "Ana Silva", "+351912000002", "ana@example.com")

    static func run(_ text: String, _ pages: [Page]) async -> (out: String, err: String, status: Int32, requests: [String]) {
        let api = StubAPI(pages)
        let r = await StubSession.run(text, api)
        return (r.out, r.err, r.status, api.requests.withLock { $0 })
    }

    /// The search finds both; the one whose email is the text is the one.
    @Test func anExactEmailAmongLongerOnesIsTheOne() async {
        let r = await Self.run("customer \"ana@example.com\" | select id", [Page(rows: [Self.diana, Self.ana], number: 1, cursor: nil, nextCursor: nil)])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "{\"id\":\"id-2\"}\n")
        #expect(r.requests == ["/customers?q=ana@example.com page 1", "/customers/id-2"])
    }

    /// With a next page the answer is not all of it: nothing is chosen, both are listed,
    /// "and more" says there are others, and no detail is asked for.
    @Test func anAnswerWithANextPageChoosesNothing() async {
        let r = await Self.run("timeline \"ana@example.com\"", [Page(rows: [Self.diana, Self.ana], number: 1, cursor: nil, nextCursor: "c2")])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        #expect(r.err == """
            q.mq:1:1: error: "ana@example.com" matches at least 2 contacts by name, phone or email; `timeline` needs one
              Diana Reis  +351912000001  id-1
              Ana Silva   +351912000002  id-2
              and more
              hint: name one by its id (`timeline id-1`), or give its full phone or email

            """)
        #expect(r.requests == ["/customers?q=ana@example.com page 1"])
    }

    /// An empty first page that has a next cursor says nothing yet: the next page is read.
    @Test func anEmptyPageWithACursorIsFollowed() async {
        let r = await Self.run("customer \"Ana\" | select id", [Page(rows: [], number: 1, cursor: nil, nextCursor: "c2"),
                                                            Page(rows: [Self.ana], number: 2, cursor: "c2", nextCursor: nil)])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "{\"id\":\"id-2\"}\n")
        #expect(r.requests == ["/customers?q=Ana page 1", "/customers?q=Ana page 2", "/customers/id-2"])
    }

    /// Names from the server reach the terminal through `SafeText`: a control character
    /// in a name cannot move the cursor or recolour the error.
    @Test func candidatesAreSafeOnATerminal() async {
        let evil = Self.row("id-3", "Eve\u{1B}[2J", "+351912000003", nil)
        let r = await Self.run("customer \"e\"", [Page(rows: [evil, Self.ana], number: 1, cursor: nil, nextCursor: nil)])
        #expect(r.status == 1)
        #expect(!r.err.contains("\u{1B}"), "\(r.err)")
        #expect(r.err.contains("Eve\\x1b[2J"), "\(r.err)")
    }
}
