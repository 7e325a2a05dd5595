import MQSyntax

/// What mq knows about each API source before calling it: its path and parameters, which
/// filters the API answers (and with which operators), paging, and the fields it returns.
/// Like Steampipe's key columns: the planner pushes down only what an entry declares.
public struct CatalogEntry: Sendable {
    public struct Field: Sendable {
        public let name: String
        public let type: String
        public let note: String
    }

    public let name: String
    /// Relative to `/organizations/:orgId/reports`.
    public let path: String
    public let params: [String]
    /// Filters the API answers: field → operators.
    public let pushable: [String: [String]]
    /// Clauses the source takes (`since`, `until`, `search`, `limit`, `where`).
    public let clauses: [String]
    public let pageDefault: Int?
    public let pageMax: Int?
    public let oneRow: Bool
    public let fields: [Field]
    /// The values a pushable field takes, as api.md lists them. A value outside them is
    /// filtered locally (the API would reject it), with a warning.
    public var values: [String: [String]] = [:]

    public var fieldNames: [String] { fields.map(\.name) }
}

public enum Catalog {
    static func f(_ name: String, _ type: String, _ note: String = "") -> CatalogEntry.Field {
        CatalogEntry.Field(name: name, type: type, note: note)
    }

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
        name: "customers", path: "/customers",
        params: ["since", "until", "category", "resolutionOutcome", "q", "limit", "cursor"],
        pushable: ["category": ["="], "resolutionOutcome": ["="]],
        clauses: ["where", "since", "until", "search", "limit"], pageDefault: 50, pageMax: 100, oneRow: false,
        fields: customerFields,
        values: ["category": ["sales", "support", "billing", "onboarding", "complaint", "other"],
                 "resolutionOutcome": ["resolved", "unresolved", "escalated", "abandoned", "pending"]])

    public static let customer = CatalogEntry(
        name: "customer", path: "/customers/:contactId", params: [], pushable: [:], clauses: ["where"],
        pageDefault: nil, pageMax: nil, oneRow: true,
        fields: customerFields + [f("metrics", "object", "{byMonth: [{month, conversations, messagesIn, messagesOut, avgFirstResponseSeconds}]}"),
                                  f("timeline", "array<object>", "newest first: {at, type, conversationId, agent, detail}")])

    public static let timeline = CatalogEntry(
        name: "timeline", path: "/customers/:contactId", params: [], pushable: [:], clauses: ["where", "limit"],
        pageDefault: nil, pageMax: nil, oneRow: false,
        fields: [f("at", "date-time"), f("type", "string", "conversation_opened message_in message_out agent_assigned label_added resolved reopened"),
                 f("conversationId", "string"), f("agent", "object?"), f("detail", "string")])

    public static let summary = CatalogEntry(
        name: "summary", path: "/summary", params: [], pushable: [:], clauses: ["where"], pageDefault: nil,
        pageMax: nil, oneRow: true,
        fields: [f("contacts", "int"), f("conversations", "object", "{open, resolved, total}"),
                 f("messages", "object", "{sent, received}"), f("avgFirstResponseSeconds", "double?"),
                 f("avgResolutionSeconds", "double?"), f("activeAgents", "int"),
                 f("topLabels", "array<object>", "[{label, count}]"), f("period", "object", "{from, to}")])

    public static let billing = CatalogEntry(
        name: "billing", path: "/billing", params: [], pushable: [:], clauses: ["where"], pageDefault: nil,
        pageMax: nil, oneRow: true,
        fields: [f("plan", "string"), f("currency", "string"), f("period", "object", "{start, end}"),
                 f("conversationsBilled", "int"), f("amountDue", "double"), f("credits", "double"),
                 f("usage", "array<object>", "[{category, conversations, cost}]; `| flatten usage` for rows")])

    public static let messaging = CatalogEntry(
        name: "messaging", path: "/messaging", params: ["since"], pushable: [:], clauses: ["where", "since", "limit"],
        pageDefault: nil, pageMax: nil, oneRow: false,
        fields: [f("date", "string", "YYYY-MM-DD (UTC day)"), f("sent", "int"), f("delivered", "int"), f("read", "int"),
                 f("failed", "int"), f("received", "int"), f("conversationsOpened", "int"),
                 f("conversationsResolved", "int"), f("avgFirstResponseSeconds", "double?")])

    public static let all = [customers, customer, timeline, summary, billing, messaging]

    public static func entry(named name: String) -> CatalogEntry? { all.first { $0.name == name } }

    public static func entry(for kind: Source.Kind) -> CatalogEntry? {
        switch kind {
        case .customers: return customers
        case .customer: return customer
        case .timeline: return timeline
        case .summary: return summary
        case .billing: return billing
        case .messaging: return messaging
        case .file, .variable, .subquery: return nil
        }
    }

    /// `.inspect SOURCE`: its fields and types, and what pushes down to the API.
    public static func describe(_ e: CatalogEntry) -> String {
        var out = "\(e.name): GET /organizations/:orgId/reports\(e.path)"
        if !e.params.isEmpty { out += "?" + e.params.joined(separator: "&") }
        out += "\n"
        if e.oneRow { out += "  one row\n" } else if let d = e.pageDefault, let m = e.pageMax {
            out += "  paged by cursor: \(d) rows a page by default, at most \(m)\n"
        } else {
            out += "  one request, many rows\n"
        }
        out += "  clauses: " + e.clauses.joined(separator: ", ") + "\n"
        if e.pushable.isEmpty {
            out += "  pushed down: " + (e.clauses.filter { $0 != "where" }.map { "`\($0)`" }.joined(separator: ", ").nonEmpty ?? "nothing") + "\n"
        } else {
            let filters = e.pushable.keys.sorted().map { "`\($0) \(e.pushable[$0]!.joined(separator: "|")) value`" }
            out += "  pushed down: " + (filters + ["`since`", "`until`", "`search` (as q)", "a `limit` no local stage can change"])
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
