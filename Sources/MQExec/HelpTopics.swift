import MQCore
import MQSyntax

/// `.help TOPIC` for the language: each source and stage, what it does and examples.
/// Every example runs in the tests (HelpTests) against the simulator, so none can rot.
public struct HelpTopic: Sendable {
    public let name: String
    public let synopsis: String
    public let text: String
    public let examples: [String]
}

public enum HelpTopics {
    public static let all: [HelpTopic] = [
        // Sources
        HelpTopic(name: "customers", synopsis: "customers [where E] [since D] [until D] [search \"t\"] [limit N]",
                  text: "Contacts with their conversation metrics, paged by cursor. category and resolutionOutcome "
                      + "equality, since, until, search and limit are sent to the API; the rest runs locally.",
                  examples: ["customers where category=billing since 2026-04 | limit 5",
                             "customers search \"smith\" | select name, phone, conversations"]),
        HelpTopic(name: "customer", synopsis: "customer ID",
                  text: "One contact's detail: the list fields plus metrics by month and the timeline. ID is the contact's id, "
                      + "or its phone, email or name in quotes, found with one search first.",
                  examples: ["let id = (customers | limit 1 | select id); customer $id | select name, metrics"]),
        HelpTopic(name: "timeline", synopsis: "timeline ID",
                  text: "One contact's timeline as rows, newest first. ID is as for `customer`: an id, a phone, an email or a name.",
                  examples: ["let id = (customers | limit 1 | select id); timeline $id | limit 3"]),
        HelpTopic(name: "summary", synopsis: "summary",
                  text: "The org's totals, one row.", examples: ["summary | format vertical"]),
        HelpTopic(name: "billing", synopsis: "billing",
                  text: "The billing period, one row; `flatten usage` gives a row per usage line, in the field `usage`.",
                  examples: ["billing | flatten usage | select usage.category, usage.conversations, usage.cost"]),
        HelpTopic(name: "messaging", synopsis: "messaging [since D]",
                  text: "Messages sent, delivered and failed, one row a day.",
                  examples: ["messaging since -7d | spark failed", "messaging | summarize sum(failed)"]),
        HelpTopic(name: "from", synopsis: "from \"FILE\"",
                  text: "Rows of a local .json, .ndjson or .csv file. No request is made.",
                  examples: []),
        // Stages
        HelpTopic(name: "where", synopsis: "where EXPR   (also: filter)",
                  text: "Keeps the rows where EXPR is true. Operators: = != < <= > >= ~ (contains) =~ (regex) "
                      + "in [..] has, is [not] null, and or not.",
                  examples: ["customers | where conversations > 3 and labels has \"vip\" | count",
                             "customers | where name ~ \"ann\" | select name"]),
        HelpTopic(name: "select", synopsis: "select FIELD, NAME = EXPR, …   (also: project)",
                  text: "Keeps and computes columns, in that order.",
                  examples: ["customers | limit 3 | select name, rate = messagesOut / conversations"]),
        HelpTopic(name: "derive", synopsis: "derive NAME = EXPR, …   (also: extend)",
                  text: "Adds computed columns and keeps the others.",
                  examples: ["customers | limit 3 | derive ageDays = days_since(createdAt) | select name, ageDays"]),
        HelpTopic(name: "sort", synopsis: "sort FIELD [asc|desc], …   (-FIELD for descending)",
                  text: "Orders the rows; nulls last. `sort … | limit N` keeps only the top N in memory.",
                  examples: ["customers | sort -conversations, name | limit 5 | select name, conversations"]),
        HelpTopic(name: "limit", synopsis: "limit N   (also: take); offset N",
                  text: "The first N rows. A limit no local stage can change is sent to the API, and paging stops once it is met.",
                  examples: ["customers | limit 3", "customers | offset 10 | limit 2 | select name"]),
        HelpTopic(name: "summarize", synopsis: "summarize AGG, … [by FIELD, …]",
                  text: "Aggregates: count() sum() avg() min() max() median() distinct(), and expressions over them. "
                      + "A condition adds up: sum(x = y) counts where it holds, avg(x = y) is its share. Keys may be named.",
                  examples: ["customers | summarize n = count(), avg(csat) by category",
                             "customers | summarize csat = round(avg(csat), 2), resolvedPct = round(100 * avg(resolutionOutcome = resolved), 1) by agent = agent.name"]),
        HelpTopic(name: "count", synopsis: "count [by FIELD, …]",
                  text: "Counts rows, or rows per group, largest first.",
                  examples: ["customers | count by resolutionOutcome"]),
        HelpTopic(name: "distinct", synopsis: "distinct FIELD, …",
                  text: "One row per distinct combination.", examples: ["customers | distinct agent.name | limit 5"]),
        HelpTopic(name: "join", synopsis: "join [left] SOURCE on FIELD [= FIELD]",
                  text: "`join customer on id` fetches each row's detail while the rows arrive (deduplicated, in parallel, bounded by "
                      + "--max-requests); `join from \"file\"`, `join ($name)` and `join (query)` are hash joins. Keys "
                      + "match as `=` does (10 = 10.0; 1, \"1\" and true never meet). The left row keeps its fields; a right "
                      + "field whose name it has is added as NAME_right.",
                  examples: ["customers | limit 3 | join customer on id | select name, timeline"]),
        HelpTopic(name: "flatten", synopsis: "flatten PATH [as NAME]",
                  text: "One row per element of the array at PATH, the element in the field NAME (default: PATH's last "
                      + "segment); the array leaves the row and the element never merges into it. A row whose array is "
                      + "empty, null or missing gives no row.",
                  examples: ["customers | limit 5 | flatten labels | count by labels",
                             "customers | limit 1 | join customer on id | flatten metrics.byMonth | select name, byMonth.month"]),
        HelpTopic(name: "top", synopsis: "top N FIELD", text: "The N most frequent values, with their counts.",
                  examples: ["customers | top 3 agent.name"]),
        HelpTopic(name: "format", synopsis: "format " + OutputFormat.names(separator: "|"),
                  text: "The output format of this statement (`.format` sets it for the session).",
                  examples: ["summary | format json"]),
        HelpTopic(name: "save", synopsis: "save \"PATH\"",
                  text: "Writes the rows to a file, in the format its extension names (.csv .tsv .json .ndjson .md .txt). "
                      + "The file appears only when the query completes.",
                  examples: []),
        HelpTopic(name: "chart", synopsis: "chart FIELD | chart LABEL VALUE; spark FIELD",
                  text: "A bar chart of counts (one field) or of values (label and value); `spark` draws a sparkline.",
                  examples: ["customers | chart category", "messaging | spark sent"]),
        HelpTopic(name: "pivot", synopsis: "pivot KEY, VALUE",
                  text: "Each distinct value of KEY becomes a column holding VALUE (summed where several rows meet, null where "
                      + "none does); the other fields are the rows' keys. Columns in the order their values first appear.",
                  examples: ["customers | count by category, outcome = resolutionOutcome | pivot outcome, count"]),
        HelpTopic(name: "describe", synopsis: "describe   (also: .inspect $NAME, .inspect QUERY)",
                  text: "One row per field of the input: field, kind, count (values), nulls, distinct, min, max, avg (numbers).",
                  examples: ["customers | describe", "messaging | describe"]),
        HelpTopic(name: "param", synopsis: "param NAME = DEFAULT",
                  text: "A script's parameter: the value of `mq --set NAME=… script.mq` when given (options go before the "
                      + "script), else DEFAULT.",
                  examples: ["param n = 5; customers | limit $n | select name"]),
        HelpTopic(name: "let", synopsis: "let NAME = QUERY | VALUE",
                  text: "Keeps a result (or a value) as $NAME for later statements.",
                  examples: ["let vip = customers | where labels has \"vip\"; $vip | count"]),
        HelpTopic(name: "explain", synopsis: "explain QUERY",
                  text: "The plan: each request with the parameters pushed down, the pages expected and the local stages. Runs nothing.",
                  examples: ["explain customers where category=billing | limit 5"]),
        HelpTopic(name: "functions", synopsis: "NAME(ARGUMENT, …)",
                  text: HelpTopics.functionTable(FunctionSpec.all.filter { !$0.isAggregate }) + "\n\nIn `summarize`:\n"
                      + HelpTopics.functionTable(FunctionSpec.all.filter(\.isAggregate))
                      + "\n\nWindow functions, in `derive` and `select`, with `over ([by F, …] [sort F, …])` (the aggregates too:"
                      + " over the partition, or running with `sort`):\n"
                      + HelpTopics.functionTable(FunctionSpec.all.filter { $0.kind == .window }) + "\n\n`.help NAME` shows one.",
                  examples: FunctionSpec.all.prefix(3).map { "\(Catalog.customers.name) | \($0.example)" }),
    ]

    /// `  round(X) or round(X, DIGITS)   a number rounded …`, a line a function.
    static func functionTable(_ specs: [FunctionSpec]) -> String {
        let shown = specs.map { ($0.signature.replacingOccurrences(of: "`", with: ""), $0.help) }
        let width = shown.map(\.0.count).max() ?? 0
        return shown.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    /// One function's topic, from its spec.
    public static func function(_ spec: FunctionSpec) -> HelpTopic {
        HelpTopic(name: spec.name, synopsis: spec.signature.replacingOccurrences(of: "`", with: ""),
                  text: (spec.isAggregate ? "An aggregate (in `summarize`, or with `over (…)`): "
                      : spec.kind == .window ? "A window function (in `derive` or `select`): " : "") + spec.help + ".",
                  examples: ["\(Catalog.customers.name) | \(spec.example)"])
    }

    public static func topic(_ name: String) -> HelpTopic? {
        // `offset` is told with `limit`, `spark` with `chart`.
        let shared = ["offset": "limit", "spark": "chart"]
        let n = Usage.canonical(name)
        // A stage's topic first: `count` and `distinct` are stages and aggregates.
        return all.first { $0.name == (shared[n] ?? n) } ?? FunctionSpec.named(n).map(function)
    }
}
