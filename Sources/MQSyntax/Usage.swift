import MQCore

/// How each construct is written: its synopsis and one example, for the hint of a
/// mistake made inside it.
///
/// The examples are written as they stand in a statement (a stage after `customers |`),
/// and a test parses each one, so a hint never shows syntax that does not work.
public enum Usage {
    public struct Form: Sendable {
        public let synopsis: String
        /// What the synopsis cannot show (`-FIELD for descending`).
        public var note: String? = nil
        /// Other names a stage answers to (`filter` for `where`): what SQL, KQL and PRQL
        /// users type.
        public var aliases: [String] = []
        public let example: String
        /// Where the example goes: after `customers | ` (a stage), after `customers `
        /// (a clause), or alone (a statement).
        public let kind: Kind
    }

    public enum Kind: Sendable { case stage, clause, statement }

    /// Keyed by construct, in the order `.help` and hints list them; stage aliases
    /// (`filter`, `take`…) map to their stage through `form(_:)`.
    public static let ordered: KeyValuePairs<String, Form> = [
        // Stages
        "where": Form(synopsis: "where EXPR", aliases: ["filter"], example: "where conversations > 3 and category = billing", kind: .stage),
        "select": Form(synopsis: "select FIELD, NAME = EXPR, …", aliases: ["project"], example: "select name, rate = messagesOut / conversations", kind: .stage),
        "derive": Form(synopsis: "derive NAME = EXPR, …", aliases: ["extend"], example: "derive ageDays = days_since(createdAt)", kind: .stage),
        "sort": Form(synopsis: "sort FIELD [asc|desc], …", note: "-FIELD for descending", example: "sort -conversations, name", kind: .stage),
        "limit": Form(synopsis: "limit N", aliases: ["take"], example: "limit 20", kind: .stage),
        "offset": Form(synopsis: "offset N", example: "offset 20", kind: .stage),
        "summarize": Form(synopsis: "summarize AGG, … [by FIELD, …]", example: "summarize n = count(), avg(csat) by category", kind: .stage),
        "count": Form(synopsis: "count [by FIELD, …]", example: "count by resolutionOutcome", kind: .stage),
        "distinct": Form(synopsis: "distinct FIELD, …", example: "distinct agent.name", kind: .stage),
        "join": Form(synopsis: "join [left] customer|SOURCE [CLAUSES]|from \"FILE\"|($NAME)|(QUERY) on FIELD [= FIELD]",
                     example: "join from \"crm.csv\" on phone = Phone", kind: .stage),
        "flatten": Form(synopsis: "flatten FIELD [as NAME]", example: "flatten metrics.byMonth as m", kind: .stage),
        "top": Form(synopsis: "top N FIELD", example: "top 3 agent.name", kind: .stage),
        "pivot": Form(synopsis: "pivot KEY, VALUE", note: "each KEY value a column of VALUE, summed where rows meet",
                      example: "count by category, outcome = resolutionOutcome | pivot outcome, count", kind: .stage),
        "describe": Form(synopsis: "describe", note: "a row per field: kind, count, nulls, distinct, min, max, avg",
                         example: "describe", kind: .stage),
        "format": Form(synopsis: "format " + OutputFormat.names(separator: "|"), example: "format csv", kind: .stage),
        "save": Form(synopsis: "save \"PATH\"", example: "save \"out.csv\"", kind: .stage),
        "chart": Form(synopsis: "chart FIELD | chart LABEL VALUE", example: "chart category", kind: .stage),
        "spark": Form(synopsis: "spark FIELD", example: "spark conversations", kind: .stage),
        // Clauses of an API source
        "where clause": Form(synopsis: "SOURCE where EXPR", example: "where category = billing", kind: .clause),
        "since": Form(synopsis: "since DATE", note: "2026-04, 2026-04-15T10:30Z, today, this_week, last_month, -7d, -1mo, month(today) - 1mo", example: "since -30d", kind: .clause),
        "until": Form(synopsis: "until DATE", note: "2026-04, 2026-04-15T10:30Z, yesterday, last_month, -7d, this_month + 1mo", example: "until 2026-04", kind: .clause),
        "search": Form(synopsis: "search \"TEXT\"", example: "search \"smith\"", kind: .clause),
        "limit clause": Form(synopsis: "SOURCE limit N", example: "limit 100", kind: .clause),
        // Sources and statements
        "customer": Form(synopsis: "customer ID", note: "a uuid, a phone, email or name (\"…\"), or $NAME",
                         example: "let id = (customers | limit 1 | select id); customer $id", kind: .statement),
        "timeline": Form(synopsis: "timeline ID", note: "a uuid, a phone, email or name (\"…\"), or $NAME",
                         example: "let id = (customers | limit 1 | select id); timeline $id", kind: .statement),
        "from": Form(synopsis: "from \"FILE\"", note: ".csv, .json or .ndjson", example: "from \"crm.csv\" | limit 5", kind: .statement),
        "param": Form(synopsis: "param NAME = DEFAULT", note: "`--set NAME=…` when given",
                      example: "param n = 5; customers | limit $n", kind: .statement),
        "let": Form(synopsis: "let NAME = QUERY | VALUE", example: "let since = 2026-04; customers since $since | count", kind: .statement),
        "explain": Form(synopsis: "explain QUERY", example: "explain customers where category = billing | limit 5", kind: .statement),
    ]

    public static let forms = Dictionary(uniqueKeysWithValues: ordered.map { ($0.key, $0.value) })

    /// The stages, in the order of the language reference.
    public static let stageNames = ordered.filter { $0.value.kind == .stage }.map(\.key)

    /// Alias → stage.
    public static let aliases: [String: String] = Dictionary(uniqueKeysWithValues: ordered.flatMap { name, form in
        form.aliases.map { ($0, name) }
    })

    /// Each stage name followed by its aliases, as the parser accepts them.
    public static let stageWords: [String] = ordered.filter { $0.value.kind == .stage }.flatMap { [$0.key] + $0.value.aliases }

    /// The stage a word names, an alias turned into its stage's name.
    public static func canonical(_ name: String) -> String {
        let n = name.lowercased()
        return aliases[n] ?? n
    }

    public static func form(_ name: String) -> Form? {
        let n = name.lowercased()
        return forms[aliases[n] ?? n]
    }

    /// The `.help` topic that explains a construct: the clauses of an API source are
    /// under `customers`.
    public static func topic(_ name: String) -> String {
        let n = name.lowercased()
        switch n {
        case "where clause": return "where"
        case "limit clause": return "limit"
        case "since", "until", "search":
            // A clause of API sources is explained under the first source that takes it.
            return Catalog.all.first { $0.clauses.contains(n) }!.name
        default: return aliases[n] ?? n
        }
    }

    /// The hint for a mistake inside `name`: its synopsis and example.
    public static func hint(_ name: String) -> String? {
        guard let f = form(name) else { return nil }
        let topic = topic(name)
        let note = f.note.map { " (\($0))" } ?? ""
        return "`\(f.synopsis)`\(note), e.g. `\(f.example)`; see `.help \(topic)`"
    }
}

extension Diagnostic {
    /// This diagnostic with the usage of the construct it happened in, when nothing more
    /// specific was said.
    func withUsage(_ construct: String) -> Diagnostic {
        guard hints.isEmpty, let h = Usage.hint(construct) else { return self }
        return adding(hint: h)
    }
}
