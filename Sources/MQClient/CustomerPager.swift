import MQCore
import Synchronization

/// The customers list as pages, pulled one at a time.
///
/// It follows cursors in any of the shapes api.md lists, stops on a null, absent or empty
/// cursor, follows an empty page that still has a cursor, sends no request once the row
/// limit is met, and ends a scan with an error (never a loop) on a repeated cursor or past
/// the page cap. After an error it is over; `stoppedAtCursor` says where. A row whose `id`
/// the scan has already had (a server that serves a page twice) is left out and counted
/// in `Page.repeatedRows`, so `count` is never inflated.
final class CustomerPager: PageSource {
    private struct State {
        var cursor: String? = nil
        var seen = Set<String>()
        /// The ids had so far, as fingerprints: held as Strings they kept every row's id
        /// alive to the scan's end (7.5 MB of a 100,000-contact scan's 28 MB heap peak).
        var ids = Set<IDFingerprint>()
        var pages = 0
        var rows = 0
        var done = false
    }

    let client: MosendClient
    let query: ListQuery
    let statement: CallContext
    private let state = Mutex(State())

    init(client: MosendClient, query: ListQuery, statement: CallContext) {
        self.client = client
        self.query = query
        self.statement = statement
    }

    func next() async throws(APIError) -> Page? {
        // Pages are pulled by one consumer; the lock only makes the state Sendable. Only
        // the scalars are copied out: a copy of the whole state held the sets, so each
        // page's first insert copied every id seen so far (100,000 contacts took 8.2 s
        // and 103 MB where 2 s and 37 MB do).
        let s = state.withLock { st in (cursor: st.cursor, pages: st.pages, rows: st.rows, done: st.done) }
        if s.done { return nil }
        var remaining: Int? = nil
        if let limit = query.rowLimit {
            remaining = limit - s.rows
            if remaining! <= 0 {
                state.withLock { $0.done = true }
                return nil
            }
        }
        let path = client.orgPath + Catalog.customers.path
        var params = query.wireParams
        params.append(("limit", String(min(client.configuration.pageSize, remaining ?? .max))))
        if let c = s.cursor { params.append(("cursor", c)) }
        guard s.pages < client.configuration.pageCap else {
            state.withLock { $0.done = true }
            throw APIError(category: .pageCap, path: path, params: params,
                           detail: "the scan passed \(client.configuration.pageCap) pages without ending; stopped there "
                               + "(\(s.rows) rows kept)", stoppedAtCursor: s.cursor)
        }

        let body: JSON
        do {
            body = try await client.get(path, params, statement, envelope: { body in
                if let p = MosendClient.listProblem(body) { return p }
                do throws(CursorShapeError) {
                    _ = try Self.nextCursor(body)
                    return nil
                } catch {
                    return "the next cursor (\(error.path)) is \(MosendClient.describe(error.value)), not a string"
                }
            })
        } catch {
            var e = error
            e.stoppedAtCursor = s.cursor
            state.withLock { $0.done = true }
            throw e
        }
        var rows = try client.rows(of: body, path: path, params)
        var repeated = 0
        let fresh = state.withLock { st in
            rows.filter { row in
                guard case .string(let id)? = row["id"] else { return true }
                if st.ids.insert(IDFingerprint(id)).inserted { return true }
                repeated += 1
                return false
            }
        }
        rows = fresh
        if let remaining, rows.count > remaining { rows.removeLast(rows.count - remaining) }
        let next: String?
        do throws(CursorShapeError) {
            next = try Self.nextCursor(body)
        } catch {
            state.withLock { $0.done = true }
            throw APIError(category: .invalidResponse, path: path, params: params,
                           detail: "the next cursor (\(error.path)) is \(MosendClient.describe(error.value)), not a string; "
                               + "the scan cannot go on, so it stops with the \(s.rows) rows before this page",
                           stoppedAtCursor: s.cursor)
        }
        if let next, next == s.cursor || state.withLock({ $0.seen.contains(next) }) {
            state.withLock { $0.done = true }
            throw APIError(category: .cursorLoop, path: path, params: params,
                           detail: "the server sent back a cursor this scan had already followed (page \(s.pages + 1)); "
                               + "following it would loop forever, so the scan stops with the \(s.rows) rows before that page",
                           stoppedAtCursor: s.cursor)
        }
        let number = s.pages + 1
        state.withLock { st in
            st.pages = number
            st.rows += rows.count
            if let c = s.cursor { st.seen.insert(c) }
            st.cursor = next
            if next == nil { st.done = true }
        }
        return Page(rows: rows, number: number, cursor: s.cursor, nextCursor: next, repeatedRows: repeated)
    }

    /// 128 bits of an id: two SipHash values under the process's random seed, so that no
    /// server can choose two ids that collide, and two of 10^9 ids collide by chance with
    /// a probability near 10^-21.
    struct IDFingerprint: Hashable {
        let a: Int, b: Int
        init(_ id: String) {
            var h = Hasher()
            h.combine(UInt8(0))
            h.combine(id)
            a = h.finalize()
            var g = Hasher()
            g.combine(UInt8(1))
            g.combine(id)
            b = g.finalize()
        }
    }

    /// The next cursor in any shape api.md lists; nil when null, absent or empty. An
    /// integer is taken as its digits; any other value (an object, say) cannot be sent
    /// back, and ending the scan there would lose the rows after it in silence: it throws.
    static func nextCursor(_ body: JSON) throws(CursorShapeError) -> String? {
        let candidates: [(String, JSON?)] = [
            ("nextCursor", body["nextCursor"]), ("next_cursor", body["next_cursor"]), ("meta.nextCursor", body["meta"]?["nextCursor"]),
            ("pagination.nextCursor", body["pagination"]?["nextCursor"]),
            ("pagination.next_cursor", body["pagination"]?["next_cursor"]),
        ]
        for (path, candidate) in candidates {
            switch candidate {
            case nil, .null?: continue
            case .string(let s)?: if !s.isEmpty { return s }
            case .int(let n)?: return String(n)
            case let other?: throw CursorShapeError(path: path, value: other)
            }
        }
        return nil
    }
}

/// A next cursor that is neither a string, an integer, nor null.
struct CursorShapeError: Error {
    let path: String
    let value: JSON
}
