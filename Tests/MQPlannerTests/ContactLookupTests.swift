import MQCore
import MQPlanner
import Testing

/// Which contact a lookup's answer names (`ContactLookup.match`): the API's search is a
/// case-insensitive substring match on name, phone or email (api.md), so one text may find
/// several contacts; an exact phone or email, then an exact name, settles it, and only an
/// answer with no next page is complete enough to choose from.
@Suite struct ContactLookupTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var text: String
        /// `id name phone email` of each row the search answered, in the list's order.
        var rows: [(String, String, String, String?)]
        var more = false
        var want: Want
        var testDescription: String { label }
    }

    enum Want: Equatable {
        case one(String)
        case none
        /// The ids listed, in order.
        case several([String], more: Bool)
    }

    static let cases: [Case] = [
        Case(label: "one row is the one", text: "ana",
             rows: [("id-1", "Ana Silva", "+351912000001", "ana@example.com")], want: .one("id-1")),
        Case(label: "no row: none", text: "zzz", rows: [], want: .none),
        Case(label: "several by name", text: "Ana",
             rows: [("id-1", "Ana Silva", "+351912000001", nil), ("id-2", "Ana Costa", "+351912000002", nil)],
             want: .several(["id-1", "id-2"], more: false)),
        // diana@ contains ana@: the exact email wins, ignoring case.
        Case(label: "an exact email wins", text: "ANA@example.com",
             rows: [("id-1", "Diana Reis", "+351912000001", "diana@example.com"),
                    ("id-2", "Ana Silva", "+351912000002", "ana@example.com")], want: .one("id-2")),
        Case(label: "an exact phone wins", text: "+44770090012",
             rows: [("id-1", "Tom Hill", "+447700900123", nil), ("id-2", "Ann Lee", "+44770090012", nil)], want: .one("id-2")),
        Case(label: "a phone without its +", text: "44770090012",
             rows: [("id-1", "Tom Hill", "+447700900123", nil), ("id-2", "Ann Lee", "+44770090012", nil)], want: .one("id-2")),
        Case(label: "an exact name wins, ignoring case", text: "ana silva",
             rows: [("id-1", "Ana Silvana", "+351912000001", nil), ("id-2", "Ana Silva", "+351912000002", nil)],
             want: .one("id-2")),
        // People share names: two exact names are still two.
        Case(label: "two exact names stay ambiguous", text: "Ana Silva",
             rows: [("id-1", "Ana Silva", "+351912000001", nil), ("id-2", "Ana Silva", "+351912000002", nil),
                    ("id-3", "Ana Silvana", "+351912000003", nil)],
             want: .several(["id-1", "id-2", "id-3"], more: false)),
        // Two contacts with one email (a duplicate): neither is chosen.
        Case(label: "two exact emails stay ambiguous", text: "ana@example.com",
             rows: [("id-1", "Ana Silva", "+351912000001", "ana@example.com"),
                    ("id-2", "Ana S.", "+351912000002", "ana@example.com")],
             want: .several(["id-1", "id-2"], more: false)),
        // A phone or email outranks a name: the name match is not taken over them.
        Case(label: "an exact email over an exact name", text: "ana@example.com",
             rows: [("id-1", "ana@example.com", "+351912000001", nil),
                    ("id-2", "Ana Silva", "+351912000002", "ana@example.com")], want: .one("id-2")),
        // With a next page the answer is not all of it: the exact match may have a
        // duplicate past it, so nothing is chosen.
        Case(label: "an exact email with more pages is not chosen", text: "ana@example.com",
             rows: [("id-1", "Diana Reis", "+351912000001", "diana@example.com"),
                    ("id-2", "Ana Silva", "+351912000002", "ana@example.com")], more: true,
             want: .several(["id-1", "id-2"], more: true)),
        Case(label: "one row with more pages is not chosen", text: "ana",
             rows: [("id-1", "Ana Silva", "+351912000001", nil)], more: true, want: .several(["id-1"], more: true)),
    ]

    static func object(_ r: (String, String, String, String?)) -> JSONObject {
        JSONObject(pairs: [("id", .string(r.0)), ("name", .string(r.1)), ("phone", .string(r.2)),
                           ("email", r.3.map(JSON.string) ?? .null)])
    }

    @Test(arguments: cases) func match(_ c: Case) {
        let got = ContactLookup(text: c.text).match(c.rows.map(Self.object), more: c.more)
        let want: ContactLookup.Match = switch c.want {
        case .one(let id): .one(id: id)
        case .none: .none
        case .several(let ids, let more): .several(c.rows.filter { ids.contains($0.0) }.map(Self.object), more: more)
        }
        #expect(got == want)
    }

    /// A row without an id cannot be asked for: it is not a candidate.
    @Test func aRowWithoutAnIdIsNoCandidate() {
        let noId = JSONObject(pairs: [("name", .string("Ana Silva"))])
        let got = ContactLookup(text: "Ana").match([noId, Self.object(("id-2", "Ana Costa", "+351912000002", nil))], more: false)
        #expect(got == .one(id: "id-2"))
    }

    /// The search the plan sends: the catalog's search parameter and the lookup's limit.
    @Test func theSearchRequest() {
        let l = ContactLookup(text: "+447700900123")
        #expect(l.path == Catalog.customers.path)
        #expect(l.params().map { "\($0.0)=\($0.1)" } == ["\(Catalog.customers.search!.param)=+447700900123", "limit=10"])
        #expect(l.query.rowLimit == ContactLookup.limit)
    }
}
