import MQCore

/// How a contact written as a phone, an email or a name (`timeline "+447700900123"`)
/// becomes the id its detail request needs: one search of the customers list first.
///
/// The planner makes one when the text is not a uuid (`Lexer.isUUID`), `explain` prints
/// its request, the executor sends it and asks `match` which contact the answer names.
public struct ContactLookup: Sendable, Equatable {
    /// The text as the statement gave it.
    public let text: String
    /// The search: the list's search parameter with the text, and `limit` rows.
    public let query: ListQuery

    /// Rows the search asks for: enough to list the candidates when several match (a
    /// person picks from a short list, not from a page of 100), in one request.
    public static let limit = 10

    /// The list searched, and the fields its search reads (the catalog's).
    public static var entry: CatalogEntry { Catalog.customers }
    public static var fields: [String] { entry.search!.fields }
    /// The fields searched, in words: "name, phone or email".
    public static var fieldsText: String { Planner.either(fields) }

    public init(text: String) {
        self.text = text
        var q = ListQuery(rowLimit: Self.limit)
        q[Self.entry.search!.param] = text
        query = q
    }

    /// The path under `/organizations/:orgId/reports`.
    public var path: String { Self.entry.path }

    /// The parameters of the search request, as sent.
    public func params() -> [(String, String)] { RemoteCall.firstParams(Self.entry, query) }

    /// What the search's answer says.
    public enum Match: Sendable, Equatable {
        /// The contact meant: its id.
        case one(id: String)
        /// No contact matches.
        case none
        /// Several might be meant: the rows, in the list's order, and whether the answer
        /// had a next page (more contacts match than it holds).
        case several([JSONObject], more: Bool)
    }

    /// Which contact the search's answer (its rows, and whether it had a next page) names.
    ///
    /// The API's search is a case-insensitive substring match, so a full email also finds
    /// the longer ones that contain it (`ana@x.io` in `diana@x.io`). Among the rows:
    /// 1. a single row is the one;
    /// 2. else the one row whose phone or email is the text: these identify a contact
    ///    (an email ignoring case, a phone also without its leading `+`);
    /// 3. else, when no phone or email is the text, the one row whose name is the text,
    ///    ignoring case. Two such rows stay ambiguous: people share names.
    ///
    /// A choice is made only from a complete answer (no next page): past the page there
    /// may be a duplicate of the contact chosen, or the only exact match. Rows without an
    /// id cannot be asked for and do not count. (An empty page with a next cursor is
    /// followed by the executor: the rows here are the first that came.)
    public func match(_ rows: [JSONObject], more: Bool) -> Match {
        let rows = rows.filter { $0["id"]?.stringValue != nil }
        if rows.isEmpty { return .none }
        func id(_ r: JSONObject) -> String { r["id"]!.stringValue! }
        if !more {
            if rows.count == 1 { return .one(id: id(rows[0])) }
            let wanted = text.lowercased()
            let byContact = rows.filter { r in
                let phone = r["phone"]?.stringValue
                return phone == text || phone == "+" + text || r["email"]?.stringValue?.lowercased() == wanted
            }
            if byContact.count == 1 { return .one(id: id(byContact[0])) }
            if byContact.isEmpty {
                let byName = rows.filter { $0["name"]?.stringValue?.lowercased() == wanted }
                if byName.count == 1 { return .one(id: id(byName[0])) }
            }
        }
        return .several(rows, more: more)
    }
}
