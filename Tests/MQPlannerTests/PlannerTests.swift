import MQCore
import MQPlanner
import MQSyntax
import Testing

/// Query text → physical plan, with no simulator and no network. The expected values come
/// from the catalog (Sources/MQCore/API/Catalog.swift), api.md (what each endpoint takes:
/// `category` and `resolutionOutcome` match one exact value each, `since` inclusive,
/// `until` exclusive, pages of at most 100 rows) and language.md (a month or day in
/// `since`/`until` means its whole span; pushdown never changes the answer).
@Suite struct PlannerTests {
    static let uuid = "3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"
    /// Every page of customers but the filters' rows: mq asks for the API's maximum.
    static let allPages = PageBudget.all(pageSize: 100)
    static let notPushable = "runs locally: the API filters only by `category = value` and `resolutionOutcome = value`"

    // MARK: filters

    /// `category` and `resolutionOutcome` equality go to the API; anything else stays here.
    static let filters: [PlanCase] = [
        PlanCase(query: "customers where category = billing", source: .remote("customers"), path: "/customers",
                 params: ["category=billing", "limit=100"], pages: allPages),
        PlanCase(query: "customers where resolutionOutcome = escalated", source: .remote("customers"),
                 params: ["resolutionOutcome=escalated", "limit=100"], pages: allPages),
        PlanCase(query: "customers where category = \"support\" and resolutionOutcome = pending", source: .remote("customers"),
                 params: ["category=support", "resolutionOutcome=pending", "limit=100"], pages: allPages),
        // The wire order is the catalog's, not the condition's.
        PlanCase(query: "customers where resolutionOutcome = resolved and category = sales", source: .remote("customers"),
                 params: ["category=sales", "resolutionOutcome=resolved", "limit=100"], pages: allPages),
        // A `where` right after the source, written as a stage, is pushed like the clause.
        PlanCase(query: "customers | where category = billing | where resolutionOutcome = resolved", source: .remote("customers"),
                 params: ["category=billing", "resolutionOutcome=resolved", "limit=100"], pages: allPages),
        // The pushable conjunct goes, the other stays, and the note says why.
        PlanCase(query: "customers where category = billing and conversations > 3", source: .remote("customers"),
                 params: ["category=billing", "limit=100"], pages: allPages,
                 operators: ["where conversations > 3"], notes: ["conversations > 3 " + notPushable]),
        // The API takes one value a filter: the second stays local (together they match nothing,
        // and so does billing from the API filtered by sales here).
        PlanCase(query: "customers where category = billing and category = sales", source: .remote("customers"),
                 params: ["category=billing", "limit=100"], pages: allPages,
                 operators: ["where category = \"sales\""],
                 notes: ["category = \"sales\" runs locally: the API takes one `category`, already billing"]),
        PlanCase(query: "customers where category = billing | where category = sales", source: .remote("customers"),
                 params: ["category=billing", "limit=100"], pages: allPages,
                 operators: ["where category = \"sales\""],
                 notes: ["category = \"sales\" runs locally: the API takes one `category`, already billing"]),
        // Not one equality: `or`, `!=`, `in`, a comparison with another field.
        PlanCase(query: "customers where category = billing or category = sales", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where category = \"billing\" or category = \"sales\""],
                 notes: ["category = \"billing\" or category = \"sales\" " + notPushable]),
        PlanCase(query: "customers where category != billing", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where category != \"billing\""], notes: ["category != \"billing\" " + notPushable]),
        PlanCase(query: "customers where category in [billing, sales]", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where category in [\"billing\", \"sales\"]"], notes: ["category in [\"billing\", \"sales\"] " + notPushable]),
        // `name` is a field of customers, so this compares two fields: nothing to send.
        PlanCase(query: "customers where category = name", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where category = `name`"], notes: ["category = `name` " + notPushable]),
        // With pushdown off the same filter runs here.
        PlanCase(query: "customers where category = billing", pushdown: false, source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where category = \"billing\""], notes: ["category = \"billing\" runs locally: pushdown is off"]),
        // A value outside api.md's list: the API would reject it, so it runs here, with a warning.
        PlanCase(query: "customers where category = bilings", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where category = \"bilings\""],
                 notes: ["category = \"bilings\" runs locally: `bilings` is not one of the API's values"], warnings: ["W001"]),
        // The API matches exactly: `Billing` is not `billing`.
        PlanCase(query: "customers where category = Billing", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where category = \"Billing\""],
                 notes: ["category = \"Billing\" runs locally: `Billing` is not one of the API's values"], warnings: ["W001"]),
        PlanCase(query: "customers | where resolutionOutcome = closed and category = billing", source: .remote("customers"),
                 params: ["category=billing", "limit=100"], pages: allPages,
                 operators: ["where resolutionOutcome = \"closed\""],
                 notes: ["resolutionOutcome = \"closed\" runs locally: `closed` is not one of the API's values"], warnings: ["W001"]),
    ]

    @Test(arguments: filters) func filter(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: the window

    /// `since` and `until` as the API takes them: a month or a day is its whole span, so
    /// `until` names the first instant after it (api.md: `until` is exclusive).
    static let windows: [PlanCase] = [
        PlanCase(query: "customers since 2026-04 until 2026-04", source: .remote("customers"),
                 params: ["since=2026-04-01", "until=2026-05-01", "limit=100"], pages: allPages),
        PlanCase(query: "customers since 2026-04-15 until 2026-04-15", source: .remote("customers"),
                 params: ["since=2026-04-15", "until=2026-04-16", "limit=100"], pages: allPages),
        PlanCase(query: "customers until 2026-12", source: .remote("customers"),
                 params: ["until=2027-01-01", "limit=100"], pages: allPages),
        PlanCase(query: "customers until 2028-02-28", source: .remote("customers"),
                 params: ["until=2028-02-29", "limit=100"], pages: allPages),
        PlanCase(query: "customers since \"2026\" until \"2026\"", source: .remote("customers"),
                 params: ["since=2026-01-01", "until=2027-01-01", "limit=100"], pages: allPages),
        // A date-time is an instant, sent in UTC.
        PlanCase(query: "customers since 2026-04-15T10:30Z", source: .remote("customers"),
                 params: ["since=2026-04-15T10:30:00.000Z", "limit=100"], pages: allPages),
        PlanCase(query: "customers since \"2026-04-15T10:30:00+02:00\"", source: .remote("customers"),
                 params: ["since=2026-04-15T08:30:00.000Z", "limit=100"], pages: allPages),
        // Relative to the context's now, 2026-11-15T12:00Z.
        PlanCase(query: "customers since -7d", source: .remote("customers"),
                 params: ["since=2026-11-08T12:00:00.000Z", "limit=100"], pages: allPages),
        PlanCase(query: "customers since yesterday until today", source: .remote("customers"),
                 params: ["since=2026-11-14", "until=2026-11-16", "limit=100"], pages: allPages),
        // The window is no filter: it decides what a row aggregates (api.md), so no local
        // stage can stand in for it and it is sent with pushdown off too.
        PlanCase(query: "customers since 2026-04 until 2026-04", pushdown: false, source: .remote("customers"),
                 params: ["since=2026-04-01", "until=2026-05-01", "limit=100"], pages: allPages),
        // Parameters go in the catalog's order (since, until, category, resolutionOutcome,
        // q, limit) whatever the order of the clauses.
        PlanCase(query: "customers limit 5 search \"ann\" where resolutionOutcome = resolved and category = sales until 2026-06 since 2026-04",
                 source: .remote("customers"),
                 params: ["since=2026-04-01", "until=2026-07-01", "category=sales", "resolutionOutcome=resolved", "q=ann", "limit=5"],
                 rowLimit: 5, pages: .rows(5, pages: 1), operators: ["limit 5"]),
        PlanCase(query: "customers search \"ann\" since 2026-04 | where resolutionOutcome = resolved | where category = sales | limit 5",
                 source: .remote("customers"),
                 params: ["since=2026-04-01", "category=sales", "resolutionOutcome=resolved", "q=ann", "limit=5"],
                 rowLimit: 5, pages: .rows(5, pages: 1), operators: ["limit 5"]),
    ]

    @Test(arguments: windows) func window(_ c: PlanCase) throws { try Planning.run(c) }

    /// language.md v2, Dates: period words are a month or a week as a literal is (now is
    /// 2026-11-15T12:00Z, a Sunday, so this week started on Monday 2026-11-09); `-1mo`,
    /// `-4w` are that long before now; any other expression is the evaluator's instant.
    static let periodWindows: [PlanCase] = [
        PlanCase(query: "customers since last_month", source: .remote("customers"),
                 params: ["since=2026-10-01", "limit=100"], pages: allPages),
        // Until the start of this month: the whole of last month, as `until 2026-10`.
        PlanCase(query: "customers until last_month", source: .remote("customers"),
                 params: ["until=2026-11-01", "limit=100"], pages: allPages),
        PlanCase(query: "customers since last_month until last_month", source: .remote("customers"),
                 params: ["since=2026-10-01", "until=2026-11-01", "limit=100"], pages: allPages),
        PlanCase(query: "customers until this_month", source: .remote("customers"),
                 params: ["until=2026-12-01", "limit=100"], pages: allPages),
        PlanCase(query: "customers since this_week", source: .remote("customers"),
                 params: ["since=2026-11-09", "limit=100"], pages: allPages),
        PlanCase(query: "customers since last_week until last_week", source: .remote("customers"),
                 params: ["since=2026-11-02", "until=2026-11-09", "limit=100"], pages: allPages),
        PlanCase(query: "customers since this_week until this_week", source: .remote("customers"),
                 params: ["since=2026-11-09", "until=2026-11-16", "limit=100"], pages: allPages),
        PlanCase(query: "messaging since last_week", source: .remote("messaging"), params: ["since=2026-11-02"]),
        PlanCase(query: "customers since -1mo", source: .remote("customers"),
                 params: ["since=2026-10-15T12:00:00.000Z", "limit=100"], pages: allPages),
        PlanCase(query: "customers since -4w until -1w", source: .remote("customers"),
                 params: ["since=2026-10-18T12:00:00.000Z", "until=2026-11-08T12:00:00.000Z", "limit=100"], pages: allPages),
        // An expression is evaluated (by the session's evaluator, a table here) to one
        // instant, sent as it is: no widening to the month, even for `until`.
        PlanCase(query: "customers since month(today) - 1mo until this_month", evaluated: ["month(today) - 1mo": "2026-10-01T00:00:00.000Z"],
                 source: .remote("customers"), params: ["since=2026-10-01T00:00:00.000Z", "until=2026-12-01", "limit=100"], pages: allPages),
        PlanCase(query: "customers until month(today)", evaluated: ["month(today)": "2026-11"], source: .remote("customers"),
                 params: ["until=2026-11-01T00:00:00.000Z", "limit=100"], pages: allPages),
        // Variables are values before the evaluator sees the expression.
        PlanCase(query: "customers since $d - 1mo", variables: ["d": .value(.string("2026-04"))],
                 evaluated: ["2026-04 - 1mo": "2026-03-01T00:00:00.000Z"], source: .remote("customers"),
                 params: ["since=2026-03-01T00:00:00.000Z", "limit=100"], pages: allPages),
        // A date-time text with an offset is sent in UTC.
        PlanCase(query: "customers since today - 2w", evaluated: ["today - 2w": "2026-11-01T02:00:00+02:00"],
                 source: .remote("customers"), params: ["since=2026-11-01T00:00:00.000Z", "limit=100"], pages: allPages),
    ]

    @Test(arguments: periodWindows) func periodWindow(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: search

    static let searches: [PlanCase] = [
        PlanCase(query: "customers search \"García\"", source: .remote("customers"),
                 params: ["q=García", "limit=100"], pages: allPages),
        PlanCase(query: "customers search \"ann\" limit 5", source: .remote("customers"),
                 params: ["q=ann", "limit=5"], rowLimit: 5, pages: .rows(5, pages: 1), operators: ["limit 5"]),
        // Locally, the fields api.md says `q` searches, case-insensitively (`~`).
        PlanCase(query: "customers search \"ann\"", pushdown: false, source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["where name ~ \"ann\" or phone ~ \"ann\" or email ~ \"ann\""],
                 notes: ["search \"ann\" runs locally (name, phone or email contains it): pushdown is off"]),
        PlanCase(query: "customers search \"ann\" limit 5", pushdown: false, source: .remote("customers"),
                 params: ["limit=100"], pages: .untilLocal(5),
                 operators: ["where name ~ \"ann\" or phone ~ \"ann\" or email ~ \"ann\"", "limit 5"],
                 notes: ["search \"ann\" runs locally (name, phone or email contains it): pushdown is off",
                         "limit 5 is not pushed: the local `search` before it can drop rows"]),
    ]

    @Test(arguments: searches) func search(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: limit, offset, top-k and the page budget

    static let limits: [PlanCase] = [
        PlanCase(query: "customers limit 20", source: .remote("customers"),
                 params: ["limit=20"], rowLimit: 20, pages: .rows(20, pages: 1), operators: ["limit 20"]),
        PlanCase(query: "customers | limit 20", source: .remote("customers"),
                 params: ["limit=20"], rowLimit: 20, pages: .rows(20, pages: 1), operators: ["limit 20"]),
        PlanCase(query: "customers where category = billing | limit 5", source: .remote("customers"),
                 params: ["category=billing", "limit=5"], rowLimit: 5, pages: .rows(5, pages: 1), operators: ["limit 5"]),
        // A local filter before the limit: the API's first 5 rows may not pass it.
        PlanCase(query: "customers where conversations > 3 limit 5", source: .remote("customers"),
                 params: ["limit=100"], pages: .untilLocal(5), operators: ["where conversations > 3", "limit 5"],
                 notes: ["conversations > 3 " + notPushable, "limit 5 is not pushed: the local `where` before it can drop rows"]),
        PlanCase(query: "customers | where conversations > 3 | limit 5", source: .remote("customers"),
                 params: ["limit=100"], pages: .untilLocal(5), operators: ["where conversations > 3", "limit 5"],
                 notes: ["conversations > 3 " + notPushable, "limit 5 is not pushed: the local `where` before it can drop rows"]),
        // `sort | limit` is a top-k over every page.
        PlanCase(query: "customers | sort -conversations | limit 5", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["sort -conversations | limit 5: top-k, keeping 5 rows at a time (blocking)"],
                 notes: ["limit 5 is not pushed: `sort` before it reorders rows, so every row is needed first"]),
        PlanCase(query: "customers | sort name | limit 1", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["sort name | limit 1: top-k, keeping 1 row at a time (blocking)"],
                 notes: ["limit 1 is not pushed: `sort` before it reorders rows, so every row is needed first"]),
        // A limit before the sort is pushed: the sort sees the first 5 rows either way.
        PlanCase(query: "customers | limit 5 | sort name", source: .remote("customers"),
                 params: ["limit=5"], rowLimit: 5, pages: .rows(5, pages: 1), operators: ["limit 5", "sort name (blocking)"]),
        // `offset | limit` is one slice; paging stops once 15 rows are through.
        PlanCase(query: "customers | offset 10 | limit 5", source: .remote("customers"),
                 params: ["limit=100"], pages: .untilLocal(15), operators: ["offset 10 | limit 5"],
                 notes: ["limit 5 is not pushed: `offset` before it skips rows"]),
        PlanCase(query: "customers | offset 10", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages, operators: ["offset 10"]),
        PlanCase(query: "customers | sort name | offset 3 | limit 2", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages, operators: ["sort name (blocking)", "offset 3 | limit 2"],
                 notes: ["limit 2 is not pushed: `offset` before it skips rows"]),
        // A limit after a limit keeps the fewer rows: the smaller is sent.
        PlanCase(query: "customers | limit 10 | limit 3", source: .remote("customers"),
                 params: ["limit=3"], rowLimit: 3, pages: .rows(3, pages: 1), operators: ["limit 10", "limit 3"]),
        PlanCase(query: "customers | count by category | limit 3", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages, operators: ["count by category (blocking)", "limit 3"],
                 notes: ["limit 3 is not pushed: `count` before it"]),
        // `flatten` changes the row count, but streams: paging stops once 3 rows are through.
        PlanCase(query: "customers | flatten labels | limit 3", source: .remote("customers"),
                 params: ["limit=100"], pages: .untilLocal(3), operators: ["flatten labels", "limit 3"],
                 notes: ["limit 3 is not pushed: `flatten` before it changes the row count"]),
        PlanCase(query: "customers limit 5", pushdown: false, source: .remote("customers"),
                 params: ["limit=100"], pages: .untilLocal(5), operators: ["limit 5"],
                 notes: ["limit 5 is not pushed: pushdown is off (paging still stops once 5 rows are through)"]),
        // Pages of at most 100 rows (api.md): a pushed limit over it takes several.
        PlanCase(query: "customers limit 250", source: .remote("customers"),
                 params: ["limit=100"], rowLimit: 250, pages: .rows(250, pages: 3), operators: ["limit 250"]),
        PlanCase(query: "customers limit 100", source: .remote("customers"),
                 params: ["limit=100"], rowLimit: 100, pages: .rows(100, pages: 1), operators: ["limit 100"]),
        PlanCase(query: "customers limit 101", source: .remote("customers"),
                 params: ["limit=100"], rowLimit: 101, pages: .rows(101, pages: 2), operators: ["limit 101"]),
        PlanCase(query: "customers", source: .remote("customers"), params: ["limit=100"], pages: allPages),
        PlanCase(query: "customers | count", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages, operators: ["count (blocking)"]),
    ]

    @Test(arguments: limits) func limit(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: the other sources

    static let sources: [PlanCase] = [
        PlanCase(query: "summary", source: .remote("summary"), path: "/summary"),
        PlanCase(query: "billing", source: .remote("billing"), path: "/billing"),
        PlanCase(query: "billing | flatten usage", source: .remote("billing"), operators: ["flatten usage"]),
        PlanCase(query: "summary | where contacts > 10", source: .remote("summary"),
                 operators: ["where contacts > 10"], notes: ["contacts > 10 runs locally: `summary` has no filter parameters"]),
        PlanCase(query: "messaging", source: .remote("messaging"), path: "/messaging"),
        PlanCase(query: "messaging since 2026-10", source: .remote("messaging"), params: ["since=2026-10-01"]),
        PlanCase(query: "messaging since -7d", source: .remote("messaging"), params: ["since=2026-11-08T12:00:00.000Z"]),
        PlanCase(query: "messaging since today | where failed > 0", source: .remote("messaging"), params: ["since=2026-11-15"],
                 operators: ["where failed > 0"], notes: ["failed > 0 runs locally: `messaging` has no filter parameters"]),
        PlanCase(query: "customer \(uuid)", source: .remote("customer"), contact: uuid, path: "/customers/\(uuid)"),
        // A quoted uuid is the id too, in any case of its hex digits (the lexer's test).
        PlanCase(query: "customer \"\(uuid)\"", source: .remote("customer"), contact: uuid, path: "/customers/\(uuid)"),
        PlanCase(query: "customer \"\(uuid.uppercased())\"", source: .remote("customer"), contact: uuid.uppercased(),
                 path: "/customers/\(uuid.uppercased())"),
        // The timeline is the detail's array as rows: the same request.
        PlanCase(query: "timeline \(uuid) | where type = message_in | count", source: .remote("timeline"), contact: uuid,
                 path: "/customers/\(uuid)", operators: ["where type = \"message_in\"", "count (blocking)"],
                 notes: ["type = \"message_in\" runs locally: `timeline` has no filter parameters"]),
        PlanCase(query: "customer \(uuid) | flatten metrics.byMonth", source: .remote("customer"), contact: uuid,
                 operators: ["flatten metrics.byMonth (each element into `byMonth`)"]),
        PlanCase(query: "customer $id", variables: ["id": .value(.string(uuid))], source: .remote("customer"), contact: uuid,
                 path: "/customers/\(uuid)"),
        // A kept result of one row and one column stands where a value does.
        PlanCase(query: "customer $r", variables: ["r": .result(columns: ["id"], single: .string(uuid), rows: 1)],
                 source: .remote("customer"), contact: uuid, path: "/customers/\(uuid)"),
    ]

    @Test(arguments: sources) func source(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: a contact by phone, email or name

    /// The search that finds the contact: the customers list's `q` and 10 rows, whatever
    /// else the statement asks; the detail request then waits for the id.
    static func lookupParams(_ text: String) -> [String] { ["q=" + text, "limit=10"] }
    static let detail = "/customers/:contactId"

    /// Text that is not a uuid is searched for first (language.md v2), and only such text.
    static let lookups: [PlanCase] = [
        PlanCase(query: "customer \"+447700900123\"", source: .remote("customer"), lookup: lookupParams("+447700900123"),
                 path: detail),
        PlanCase(query: "customer \"ana.silva@example.com\" | select name, phone", source: .remote("customer"),
                 lookup: lookupParams("ana.silva@example.com"), path: detail, operators: ["select name, phone"]),
        PlanCase(query: "customer \"Ana Silva\"", source: .remote("customer"), lookup: lookupParams("Ana Silva"), path: detail),
        // Not quite a uuid (one digit short, or not hex) is a text to search for.
        PlanCase(query: "customer \"3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2\"", source: .remote("customer"),
                 lookup: lookupParams("3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2"), path: detail),
        PlanCase(query: "customer \"abc-123\"", source: .remote("customer"), lookup: lookupParams("abc-123"), path: detail),
        // The timeline is the same detail request, so the same lookup; its limit stays local.
        PlanCase(query: "timeline \"ana.silva@example.com\" | limit 3", source: .remote("timeline"),
                 lookup: lookupParams("ana.silva@example.com"), path: detail, operators: ["limit 3"],
                 notes: ["`timeline` has no limit parameter"]),
        // A kept value that is not a uuid is searched for like a written one.
        PlanCase(query: "customer $p", variables: ["p": .value(.string("+447700900123"))], source: .remote("customer"),
                 lookup: lookupParams("+447700900123"), path: detail),
        PlanCase(query: "timeline $r", variables: ["r": .result(columns: ["name"], single: .string("Ana Silva"), rows: 1)],
                 source: .remote("timeline"), lookup: lookupParams("Ana Silva"), path: detail),
        // The lookup is how the id is found, not a pushed filter: pushdown off sends it too.
        PlanCase(query: "customer \"+447700900123\"", pushdown: false, source: .remote("customer"),
                 lookup: lookupParams("+447700900123"), path: detail),
    ]

    @Test(arguments: lookups) func lookup(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: warnings for a filter or aggregate that cannot work

    static let warnings: [PlanCase] = [
        PlanCase(query: "customers | where csat > \"high\"", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where csat > \"high\""], notes: ["csat > \"high\" " + notPushable], warnings: ["W002"]),
        PlanCase(query: "customers | where phone = 447700900123", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where phone = 447700900123"], notes: ["phone = 447700900123 " + notPushable], warnings: ["W002"]),
        // The kind follows a field through a rename.
        PlanCase(query: "customers | select n = name | where n = 5", source: .remote("customers"), params: ["limit=100"],
                 pages: allPages, operators: ["select n = name", "where n = 5"], warnings: ["W002"]),
        // Same kinds: no warning.
        PlanCase(query: "customers | where createdAt > 2026-04", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where createdAt > 2026-04"], notes: ["createdAt > 2026-04 " + notPushable]),
        PlanCase(query: "customers | where csat >= 4", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where csat >= 4"], notes: ["csat >= 4 " + notPushable]),
        // `sum` takes numbers; `max` takes any kind.
        PlanCase(query: "customers | summarize sum(name)", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["summarize sum(name) (blocking)"], warnings: ["W003"]),
        PlanCase(query: "customers | summarize avg(csat), max(name) by category", source: .remote("customers"), params: ["limit=100"],
                 pages: allPages, operators: ["summarize avg(csat), max(name) by category (blocking)"]),
        // Period words and relative months are dates: against a date-time field, no warning.
        PlanCase(query: "customers | where createdAt > this_month", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where createdAt > this_month"], notes: ["createdAt > this_month " + notPushable]),
        PlanCase(query: "customers | where lastConversationAt >= -1mo", source: .remote("customers"), params: ["limit=100"],
                 pages: allPages, operators: ["where lastConversationAt >= -1mo"], notes: ["lastConversationAt >= -1mo " + notPushable]),
        PlanCase(query: "customers | where csat > last_week", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where csat > last_week"], notes: ["csat > last_week " + notPushable], warnings: ["W002"]),
        PlanCase(query: "customers | where csat < -1mo", source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where csat < -1mo"], notes: ["csat < -1mo " + notPushable], warnings: ["W002"]),
    ]

    @Test(arguments: warnings) func warning(_ c: PlanCase) throws { try Planning.run(c) }

    /// A calendar month moves a date and nothing else: with `+`/`-` next to one, or `-1mo`.
    static let months: [PlanCase] = [
        PlanCase(query: "customers | derive next = createdAt + 1mo, before = createdAt - 2mo, later = 1mo + createdAt, ago = -1mo",
                 source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["derive next = createdAt + 1mo, before = createdAt - 2mo, later = 1mo + createdAt, ago = -1mo"]),
    ]

    @Test(arguments: months) func month(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: files: the fields a reader builds

    static let files: [PlanCase] = [
        PlanCase(query: "from \"x.csv\" | where a > 1 | select b", source: .file("x.csv"),
                 operators: ["where a > 1", "select b"], fields: ["a", "b"]),
        // Pushdown off reads every field (the plan is the one written).
        PlanCase(query: "from \"x.csv\" | where a > 1 | select b", pushdown: false, source: .file("x.csv"),
                 operators: ["where a > 1", "select b"]),
        // Rows that leave whole need every field.
        PlanCase(query: "from \"x.csv\"", source: .file("x.csv")),
        PlanCase(query: "from \"x.csv\" | where a > 1", source: .file("x.csv"), operators: ["where a > 1"]),
        PlanCase(query: "from \"x.csv\" | chart a", source: .file("x.csv"), operators: ["chart a"]),
        PlanCase(query: "from \"x.csv\" limit 5", source: .file("x.csv"), operators: ["limit 5"]),
        // A count reads no field at all.
        PlanCase(query: "from \"x.csv\" | count", source: .file("x.csv"), operators: ["count (blocking)"], fields: []),
        PlanCase(query: "from \"x.csv\" | count by a", source: .file("x.csv"), operators: ["count by a (blocking)"], fields: ["a"]),
        PlanCase(query: "from \"x.csv\" | sort b | select a", source: .file("x.csv"),
                 operators: ["sort b (blocking)", "select a"], fields: ["a", "b"]),
        PlanCase(query: "from \"x.csv\" | select a | chart a", source: .file("x.csv"), operators: ["select a", "chart a"], fields: ["a"]),
        PlanCase(query: "from \"x.csv\" | summarize avg(a) by b", source: .file("x.csv"),
                 operators: ["summarize avg(a) by b (blocking)"], fields: ["a", "b"]),
        PlanCase(query: "from \"x.csv\" | flatten tags | select tags", source: .file("x.csv"),
                 operators: ["flatten tags", "select tags"], fields: ["tags"]),
        // A bare word is a field when the file's first rows have it, else text.
        PlanCase(query: "from \"x.csv\" where s = g | select s", fileColumns: ["s", "g"], source: .file("x.csv"),
                 operators: ["where s = `g`", "select s"], fields: ["s", "g"]),
        PlanCase(query: "from \"x.csv\" where s = g | select s", fileColumns: ["s"], source: .file("x.csv"),
                 operators: ["where s = \"g\"", "select s"], fields: ["s"]),
        // Columns unknown: decided row by row, so `g` must be read in case it is a field.
        PlanCase(query: "from \"x.csv\" where s = g | select s", source: .file("x.csv"),
                 operators: ["where s = g", "select s"], fields: ["s", "g"]),
    ]

    @Test(arguments: files) func file(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: variables

    static let variables: [PlanCase] = [
        PlanCase(query: "customers limit $n", variables: ["n": .value(.int(3))], source: .remote("customers"),
                 params: ["limit=3"], rowLimit: 3, pages: .rows(3, pages: 1), operators: ["limit 3"]),
        PlanCase(query: "customers | limit $n", variables: ["n": .value(.string("4"))], source: .remote("customers"),
                 params: ["limit=4"], rowLimit: 4, pages: .rows(4, pages: 1), operators: ["limit 4"]),
        PlanCase(query: "customers where category = $c", variables: ["c": .value(.string("billing"))], source: .remote("customers"),
                 params: ["category=billing", "limit=100"], pages: allPages),
        PlanCase(query: "customers where category = $c", variables: ["c": .value(.string("bilings"))], source: .remote("customers"),
                 params: ["limit=100"], pages: allPages, operators: ["where category = \"bilings\""],
                 notes: ["category = \"bilings\" runs locally: `bilings` is not one of the API's values"], warnings: ["W001"]),
        PlanCase(query: "customers since $d", variables: ["d": .value(.string("2026-04"))], source: .remote("customers"),
                 params: ["since=2026-04-01", "limit=100"], pages: allPages),
        PlanCase(query: "customers | where id = $one", variables: ["one": .result(columns: ["id"], single: .string("u-1"), rows: 1)],
                 source: .remote("customers"), params: ["limit=100"], pages: allPages,
                 operators: ["where id = \"u-1\""], notes: ["id = \"u-1\" " + notPushable]),
        PlanCase(query: "$vips | where score > 3 | select id", variables: ["vips": .result(columns: ["id", "score"], rows: 5)],
                 source: .variable("vips"), operators: ["where score > 3", "select id"]),
        PlanCase(query: "$n | select value", variables: ["n": .value(.int(3))], source: .value, operators: ["select value"]),
    ]

    @Test(arguments: variables) func variable(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: pushdown across local stages

    /// A filter commutes with filters and sorts; `select`, `derive` and a smaller limit
    /// cannot change which rows a limit keeps; a filter kept local says why, and a value
    /// the API does not know is warned about wherever it stands.
    static let acrossStages: [PlanCase] = [
        PlanCase(query: "customers | where conversations > 3 | where category = billing", source: .remote("customers"),
                 params: ["category=billing", "limit=100"], pages: allPages,
                 operators: ["where conversations > 3"], notes: ["conversations > 3 " + notPushable]),
        PlanCase(query: "customers | select name | limit 5", source: .remote("customers"),
                 params: ["limit=5"], rowLimit: 5, pages: .rows(5, pages: 1), operators: ["select name", "limit 5"]),
        PlanCase(query: "customers | derive d = conversations * 2 | limit 5", source: .remote("customers"),
                 params: ["limit=5"], rowLimit: 5, pages: .rows(5, pages: 1), operators: ["derive d = conversations * 2", "limit 5"]),
        PlanCase(query: "customers limit 10 | limit 3", source: .remote("customers"),
                 params: ["limit=3"], rowLimit: 3, pages: .rows(3, pages: 1), operators: ["limit 10", "limit 3"]),
        PlanCase(query: "customers | sort name | where category = billing", source: .remote("customers"),
                 params: ["category=billing", "limit=100"], pages: allPages, operators: ["sort name (blocking)"]),
        PlanCase(query: "customers | sort name | limit 5 | where category = bilings", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages,
                 operators: ["sort name | limit 5: top-k, keeping 5 rows at a time (blocking)", "where category = \"bilings\""],
                 notes: ["limit 5 is not pushed: `sort` before it", "category = \"bilings\" runs locally: the `limit` before it"],
                 warnings: ["W001"]),
        // `category` is no longer the source's after this select: nothing to push or say.
        PlanCase(query: "customers | select category = name | where category = billing", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages, operators: ["select category = name", "where category = \"billing\""]),
        PlanCase(query: "customers | where conversations > 3 | where category = bilings", source: .remote("customers"),
                 params: ["limit=100"], pages: allPages, operators: ["where conversations > 3", "where category = \"bilings\""],
                 notes: ["conversations > 3 " + notPushable, "category = \"bilings\" runs locally: `bilings` is not one of the API's values"],
                 warnings: ["W001"]),
        PlanCase(query: "customers | limit 5 | where category = billing", source: .remote("customers"),
                 params: ["limit=5"], rowLimit: 5, pages: .rows(5, pages: 1), operators: ["limit 5", "where category = \"billing\""],
                 notes: ["category = \"billing\" runs locally"]),
        PlanCase(query: "messaging | limit 5", source: .remote("messaging"), operators: ["limit 5"],
                 notes: ["limit 5 is not pushed"]),
    ]

    @Test(arguments: acrossStages) func pushdownAcrossStages(_ c: PlanCase) throws { try Planning.run(c) }

    // MARK: errors

    static let errors: [ErrorCase] = [
        // A clause the source does not take (the catalog's `clauses`).
        ErrorCase(query: "customer \(uuid) since 2026-04", code: "E032", message: "`customer` does not take `since`"),
        ErrorCase(query: "timeline \(uuid) search \"x\"", code: "E032", message: "`timeline` does not take `search`"),
        ErrorCase(query: "summary limit 1", code: "E032", message: "`summary` does not take `limit`"),
        ErrorCase(query: "billing search \"x\"", code: "E032", message: "`billing` does not take `search`"),
        ErrorCase(query: "messaging until 2026-10", code: "E032", message: "`messaging` does not take `until`"),
        ErrorCase(query: "from \"x.csv\" since 2026-04", code: "E032", message: "`since` applies to API sources only"),
        // An empty window, before any request: `until 2026-04` ends at 2026-05-01.
        ErrorCase(query: "customers since 2026-05 until 2026-04", code: "E043",
                  message: "`since` starts it at 2026-05-01 and `until` ends it at 2026-05-01"),
        ErrorCase(query: "customers until 2026-04 since 2026-05", code: "E043",
                  message: "`since` starts it at 2026-05-01 and `until` ends it at 2026-05-01"),
        ErrorCase(query: "customers since today until yesterday", code: "E043",
                  message: "`since` starts it at 2026-11-15 and `until` ends it at 2026-11-15"),
        ErrorCase(query: "customers since 2026-04-15T10:00Z until 2026-04-15T10:00Z", code: "E043", message: "the window is empty"),
        ErrorCase(query: "customers since this_month until last_month", code: "E043",
                  message: "`since` starts it at 2026-11-01 and `until` ends it at 2026-11-01"),
        ErrorCase(query: "customers since this_week until last_week", code: "E043",
                  message: "`since` starts it at 2026-11-09 and `until` ends it at 2026-11-09"),
        ErrorCase(query: "customers since -1w until -1mo", code: "E043",
                  message: "`since` starts it at 2026-11-08T12:00:00.000Z and `until` ends it at 2026-10-15T12:00:00.000Z"),
        ErrorCase(query: "customers since today until today - 1w", evaluated: ["today - 1w": "2026-11-08T00:00:00.000Z"],
                  code: "E043", message: "`since` starts it at 2026-11-15 and `until` ends it at 2026-11-08T00:00:00.000Z"),
        // A clause's expression must give a date; there is no row to read a field from.
        ErrorCase(query: "customers since today * 2", evaluated: ["today * 2": .null], code: "E036", message: "`today * 2` is not a date"),
        ErrorCase(query: "customers since lower(\"x\")", evaluated: ["lower(\"x\")": "x"], code: "E036",
                  message: "`lower(\"x\")` is not a date"),
        ErrorCase(query: "customers since createdAt - 1d", code: "E036", message: "expected a date here"),
        ErrorCase(query: "customers since 1mo", code: "E036", message: "expected a date here"),
        // Without an evaluator (no session) an expression cannot be a date.
        ErrorCase(query: "customers since month(today) - 1mo", code: "E036", message: "`month(today) - 1mo` is not a date"),
        // A calendar month is not a number of seconds.
        ErrorCase(query: "customers | where avgResolutionSeconds > 1mo", code: "E046", message: "`1mo` is a calendar month"),
        ErrorCase(query: "customers | derive x = 2 * 1mo", code: "E046", message: "`1mo` is a calendar month"),
        ErrorCase(query: "customers | derive x = 1mo - createdAt", code: "E046", message: "`1mo` is a calendar month"),
        ErrorCase(query: "customers | derive x = 1mo + 1mo", code: "E046", message: "`1mo` is a calendar month"),
        ErrorCase(query: "customers since today + 3mo * 2", evaluated: ["x": .null], code: "E046", message: "`3mo` is a calendar month"),
        // Fields the rows do not have at that point.
        ErrorCase(query: "customers | select name | where csat > 3", code: "E030", message: "unknown field `csat`"),
        ErrorCase(query: "customers | select nmae", code: "E030", message: "unknown field `nmae`"),
        ErrorCase(query: "customers | count by category | sort conversations", code: "E030", message: "unknown field `conversations`"),
        ErrorCase(query: "customers | summarize n = count() by category | where avg_csat > 3", code: "E030",
                  message: "unknown field `avg_csat`"),
        ErrorCase(query: "$vips | where nope > 3", variables: ["vips": .result(columns: ["id", "score"])], code: "E030",
                  message: "unknown field `nope`"),
        // Aggregates outside `summarize`.
        ErrorCase(query: "customers | where count() > 3", code: "E029", message: "`count()` is an aggregate"),
        ErrorCase(query: "customers | select avg(csat)", code: "E029", message: "`avg()` is an aggregate"),
        ErrorCase(query: "customers | derive total = sum(conversations)", code: "E029", message: "`sum()` is an aggregate"),
        ErrorCase(query: "customers | summarize name", code: "E038", message: "`summarize` takes aggregates"),
        // A kept result where a value must stand.
        ErrorCase(query: "customers | where id = $r", variables: ["r": .result(columns: ["id", "name"], rows: 3)], code: "E041",
                  message: "`$r` is a result of 3 rows and 2 columns, not a value"),
        ErrorCase(query: "customer $r", variables: ["r": .result(columns: ["id"], rows: 2)], code: "E041",
                  message: "`$r` is a result of 2 rows and 1 column, not a value"),
        // An empty search would match every contact: it names none.
        ErrorCase(query: "customer \"\"", code: "E052", message: "`customer` needs a contact: its id, phone, email or name"),
        ErrorCase(query: "timeline \"  \"", code: "E052", message: "`timeline` needs a contact"),
        ErrorCase(query: "customer $e", variables: ["e": .value(.string(""))], code: "E052", message: "`customer` needs a contact"),
        ErrorCase(query: "customers limit $r", variables: ["r": .result(columns: ["n"], rows: 2)], code: "E041",
                  message: "`$r` is a result"),
        ErrorCase(query: "customers | limit $missing", code: "E040", message: "unknown variable `$missing`"),
        ErrorCase(query: "$nope | count", code: "E040", message: "unknown variable `$nope`"),
        ErrorCase(query: "customers | limit $s", variables: ["s": .value(.string("many"))], code: "E037",
                  message: "`limit` needs a whole number; $s is \"many\""),
        // Values of the wrong sort.
        ErrorCase(query: "customers since \"soon\"", code: "E036", message: "`soon` is not a date"),
        ErrorCase(query: "customers search true", code: "E035", message: "`search` must be a text value"),
        ErrorCase(query: "customers | where name =~ \"(\"", code: "E031", message: "invalid regular expression"),
        ErrorCase(query: "customer \(uuid) | flatten metrics.byMonth as name", code: "E044", message: "a field the rows already have"),
    ]

    @Test(arguments: errors) func error(_ c: ErrorCase) throws { try Planning.runError(c) }
}
