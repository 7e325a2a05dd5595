/// What mq knows about each API source before calling it: its path, the shape of its
/// answer, which filters and clauses it answers as parameters, and the fields it returns.
/// Like Steampipe's key columns: the planner pushes down only what an entry declares.
///
/// This is the one description of a source. The parser reads the names and which take a
/// contact id, the planner its parameters, the executor its shape, `.inspect` and
/// `.help` its fields; a new source is one more entry here (and a client call if its
/// shape is new).
public struct CatalogEntry: Sendable {
    public struct Field: Sendable {
        public let name: String
        public let type: String
        public let note: String
    }

    /// What one answer holds.
    public enum Shape: Sendable, Equatable {
        /// `data` is one object: one row.
        case oneRow
        /// `data` is the rows, all of them in one answer.
        case list
        /// `data` is one page of rows, with a cursor to the next; mq asks for `pageMax`
        /// rows a page (the API's default is `pageDefault`).
        case paged(pageDefault: Int, pageMax: Int)
        /// The rows are the array at this member of a one-object answer.
        case part(of: String)
    }

    /// A field the API filters by equality, and the parameter that carries it.
    public struct Filter: Sendable {
        public let param: String
        /// The values the API takes, as api.md lists them: a value outside them is
        /// filtered locally (the API would reject it), with a warning.
        public let values: [String]
    }

    /// A text search the API answers, and what mq searches when it runs it locally.
    public struct Search: Sendable {
        public let param: String
        /// The fields the API searches: a local search (pushdown off) matches these.
        public let fields: [String]
    }

    public let name: String
    /// Relative to `/organizations/:orgId/reports`; `:contactId` stands for the id.
    public let path: String
    public let shape: Shape
    /// Filters the API answers: field → parameter.
    public var filters: [String: Filter] = [:]
    public var search: Search? = nil
    /// The parameters that bound the time window (`since`, `until`), when taken.
    public var since: String? = nil
    public var until: String? = nil
    public let fields: [Field]

    /// The source names a contact (`customer ID`).
    public var takesContact: Bool { path.contains(":contactId") }
    public var isOneRow: Bool { shape == .oneRow }
    /// Rows a page mq asks for, for a paged source.
    public var pageSize: Int? {
        if case .paged(_, let max) = shape { return max }
        return nil
    }
    /// The limit parameter of a paged source, which the planner may push.
    public var limitParam: String? { pageSize == nil ? nil : "limit" }
    public var fieldNames: [String] { fields.map(\.name) }

    /// Clauses the source takes, in the order the language lists them.
    public var clauses: [String] {
        ["where"] + (since == nil ? [] : ["since"]) + (until == nil ? [] : ["until"])
            + (search == nil ? [] : ["search"]) + (isOneRow ? [] : ["limit"])
    }

    /// Every query parameter, in the order requests carry them.
    public var params: [String] {
        [since, until].compactMap { $0 } + filters.values.map(\.param).sorted() + (search.map { [$0.param] } ?? [])
            + (pageSize == nil ? [] : ["limit", "cursor"])
    }

    /// The path of one call: the contact id in place, as given (the client encodes it).
    public func path(contact: String?) -> String { CatalogEntry.path(path, contact: contact) }

    public static func path(_ path: String, contact: String?) -> String {
        guard let contact, let r = path.firstRange(of: ":contactId") else { return path }
        return path[..<r.lowerBound] + contact + path[r.upperBound...]
    }
}

public enum Catalog {
    static func f(_ name: String, _ type: String, _ note: String = "") -> CatalogEntry.Field {
        CatalogEntry.Field(name: name, type: type, note: note)
    }
    typealias Filter = CatalogEntry.Filter
    typealias Search = CatalogEntry.Search

    static let customerFields: [CatalogEntry.Field] = [
        f("id", "string", "uuid"), f("name", "string"), f("phone", "string", "E.164"), f("email", "string?"),
        f("createdAt", "date-time"),
        f("category", "string", "sales support billing onboarding complaint other (latest conversation)"),
        f("resolutionOutcome", "string", "resolved unresolved escalated abandoned pending (latest conversation)"),
        f("conversations", "int"), f("messagesIn", "int"), f("messagesOut", "int"),
        f("firstConversationAt", "date-time"), f("lastConversationAt", "date-time"),
        f("avgFirstResponseSeconds", "double?"), f("avgResolutionSeconds", "double?"), f("csat", "double?", "1–5"),
        f("labels", "array<string>"), f("agent", "object?", "{id, name} of the latest assigned agent"),
    ]

    public static let customers = CatalogEntry(
        name: "customers", path: "/customers", shape: .paged(pageDefault: 50, pageMax: 100),
        filters: ["category": Filter(param: "category", values: ["sales", "support", "billing", "onboarding", "complaint", "other"]),
                  "resolutionOutcome": Filter(param: "resolutionOutcome",
                                              values: ["resolved", "unresolved", "escalated", "abandoned", "pending"])],
        search: Search(param: "q", fields: ["name", "phone", "email"]), since: "since", until: "until",
        fields: customerFields)

    /// One contact's detail: the list's fields and two more.
    public static let customer = CatalogEntry(
        name: "customer", path: "/customers/:contactId", shape: .oneRow,
        fields: customerFields + [f("metrics", "object", "{byMonth: [{month, conversations, messagesIn, messagesOut, avgFirstResponseSeconds}]}"),
                                  f("timeline", "array<object>", "newest first: {at, type, conversationId, agent, detail}")])

    public static let timeline = CatalogEntry(
        name: "timeline", path: "/customers/:contactId", shape: .part(of: "timeline"),
        fields: [f("at", "date-time"), f("type", "string", "conversation_opened message_in message_out agent_assigned label_added resolved reopened"),
                 f("conversationId", "string"), f("agent", "object?"), f("detail", "string")])

    public static let summary = CatalogEntry(
        name: "summary", path: "/summary", shape: .oneRow,
        fields: [f("contacts", "int"), f("conversations", "object", "{open, resolved, total}"),
                 f("messages", "object", "{sent, received}"), f("avgFirstResponseSeconds", "double?"),
                 f("avgResolutionSeconds", "double?"), f("activeAgents", "int"),
                 f("topLabels", "array<object>", "[{label, count}]"), f("period", "object", "{from, to}")])

    public static let billing = CatalogEntry(
        name: "billing", path: "/billing", shape: .oneRow,
        fields: [f("plan", "string"), f("currency", "string"), f("period", "object", "{start, end}"),
                 f("conversationsBilled", "int"), f("amountDue", "double"), f("credits", "double"),
                 f("usage", "array<object>", "[{category, conversations, cost}]; `| flatten usage` for rows")])

    public static let messaging = CatalogEntry(
        name: "messaging", path: "/messaging", shape: .list, since: "since",
        fields: [f("date", "date", "YYYY-MM-DD (UTC day)"), f("sent", "int"), f("delivered", "int"), f("read", "int"),
                 f("failed", "int"), f("received", "int"), f("conversationsOpened", "int"),
                 f("conversationsResolved", "int"), f("avgFirstResponseSeconds", "double?")])

    public static let all = [summary, billing, messaging, customers, customer, timeline]

    public static func entry(named name: String) -> CatalogEntry? { all.first { $0.name == name } }

    /// What `join customer` fetches for each row: a contact's detail.
    public static let contactDetail = customer

    /// The fields a detail has beyond the list row's (a `join left customer` row without
    /// a detail has them as nulls).
    public static var detailOnlyFields: [String] {
        contactDetail.fieldNames.filter { !customers.fieldNames.contains($0) }
    }

    /// The sources, as a hint lists them: `customer ID` for one that takes a contact.
    public static var synopsis: String {
        all.map { $0.takesContact ? $0.name + " ID" : $0.name }.joined(separator: ", ")
    }

    /// `.inspect SOURCE`: its fields and types, and what pushes down to the API.
    public static func describe(_ e: CatalogEntry) -> String {
        var out = "\(e.name): GET /organizations/:orgId/reports\(e.path)"
        if !e.params.isEmpty { out += "?" + e.params.joined(separator: "&") }
        out += "\n"
        switch e.shape {
        case .oneRow: out += "  one row\n"
        case .paged(let d, let m): out += "  paged by cursor: \(d) rows a page by default, at most \(m)\n"
        case .list, .part: out += "  one request, many rows\n"
        }
        out += "  clauses: " + e.clauses.joined(separator: ", ") + "\n"
        if e.filters.isEmpty {
            out += "  pushed down: " + (e.clauses.filter { $0 != "where" }.map { "`\($0)`" }.joined(separator: ", ").nonEmpty ?? "nothing") + "\n"
        } else {
            let filters = e.filters.keys.sorted().map { "`\($0) = value`" }
            let window = [e.since.map { _ in "`since`" }, e.until.map { _ in "`until`" }].compactMap { $0 }
            let search = e.search.map { ["`search` (as \($0.param))"] } ?? []
            out += "  pushed down: " + (filters + window + search + ["a `limit` no local stage can change"])
                .joined(separator: ", ") + "\n"
        }
        out += "  fields:\n"
        let w = e.fields.map(\.name.count).max() ?? 0
        let tw = e.fields.map(\.type.count).max() ?? 0
        for f in e.fields {
            let line = "    " + f.name.padding(w) + "  " + f.type.padding(tw) + (f.note.isEmpty ? "" : "  " + f.note)
            out += line.trimmingTrailingSpaces + "\n"
        }
        return out
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    var nonEmpty: String? { isEmpty ? nil : self }
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
