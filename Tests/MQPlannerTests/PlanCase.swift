import MQCore
import MQPlanner
import MQSyntax
import Testing

/// One query and the physical plan it must give: what goes to the API, what runs locally,
/// and what `explain` says about the rest. Every field is checked for every case; a field
/// left at its default expects nothing there (no parameter, no local operator, no note),
/// so a row states the whole plan, not a part of it.
struct PlanCase: CustomTestStringConvertible, Sendable {
    enum Source: Sendable, Equatable {
        /// An API source by its catalog name.
        case remote(String)
        case file(String)
        case variable(String)
        case value
        case subquery
    }

    var query: String
    var pushdown = true
    var variables: [String: PlannerContext.Variable] = [:]
    /// What `PlannerContext.fileColumns` answers for every file; nil: it cannot read them.
    var fileColumns: [String]? = nil
    /// A stand-in for the session's evaluator (`PlannerContext.evaluate`): the value of each
    /// expression by its printed form, null for any other; none set: no evaluator.
    var evaluated: [String: JSON] = [:]

    var source: Source
    /// The contact id of `customer ID` / `timeline ID`.
    var contact: String? = nil
    /// The parameters of the search that finds the contact first (a phone, an email or a
    /// name), `name=value` in order; nil: no lookup.
    var lookup: [String]? = nil
    /// The path under `/organizations/:orgId/reports`; nil: not checked (the catalog's
    /// path of the entry, which `Catalog` tests own).
    var path: String? = nil
    /// The first request's parameters as sent, `name=value`, in order (`limit` included).
    var params: [String] = []
    var rowLimit: Int? = nil
    var pages: PageBudget? = nil
    /// The local operators as `explain` prints them.
    var operators: [String] = []
    /// One substring per note, in order: the plan has exactly this many notes.
    var notes: [String] = []
    var warnings: [String] = []
    /// The fields a file source builds (nil: all of them).
    var fields: Set<String>? = nil
    /// Set when the planner does not do what this row says (yet): why the row is right.
    var knownIssue: String? = nil

    var testDescription: String { query + (pushdown ? "" : "  [pushdown off]") }
}

/// A query the planner must refuse, with the code and a part of the message.
struct ErrorCase: CustomTestStringConvertible, Sendable {
    var query: String
    var variables: [String: PlannerContext.Variable] = [:]
    var evaluated: [String: JSON] = [:]
    var code: String
    var message: String

    var testDescription: String { "\(query) → \(code)" }
}

struct NotAQuery: Error, CustomStringConvertible {
    var text: String
    var description: String { "expected one query statement: \(text)" }
}

enum Planning {
    /// "Now" for every case: `today`, `-7d`.
    static let now = Instant.parseISO8601("2026-11-15T12:00:00Z")!.instant

    static func query(_ text: String) throws -> Query {
        let statements = try Parser.parse(SourceText(text))
        try #require(statements.count == 1, "expected one statement in \(text)")
        guard case .query(let q) = statements[0].kind else { throw NotAQuery(text: text) }
        return q
    }

    static func context(pushdown: Bool = true, variables: [String: PlannerContext.Variable] = [:],
                        fileColumns: [String]? = nil, evaluated: [String: JSON] = [:]) -> PlannerContext
    {
        var ctx = PlannerContext(now: now)
        ctx.pushdown = pushdown
        ctx.variables = variables
        if let fileColumns { ctx.fileColumns = { _ in fileColumns } }
        if !evaluated.isEmpty { ctx.evaluate = { e in evaluated[Printer.expr(e)] ?? .null } }
        return ctx
    }

    static func plan(_ c: PlanCase) throws -> Plan {
        try Planner(context(pushdown: c.pushdown, variables: c.variables, fileColumns: c.fileColumns, evaluated: c.evaluated))
            .plan(query(c.query))
    }

    static func params(_ call: RemoteCall) -> [String] { call.firstParams().map { "\($0.0)=\($0.1)" } }

    /// Plans the case and checks every part of the plan; under `withKnownIssue` when the
    /// row says the planner is wrong there.
    static func run(_ c: PlanCase) throws {
        let plan = try plan(c)
        if let issue = c.knownIssue {
            withKnownIssue(Comment(rawValue: issue)) { check(c, plan) }
        } else {
            check(c, plan)
        }
    }

    static func check(_ c: PlanCase, _ plan: Plan) {
        switch (c.source, plan.source) {
        case (.remote(let name), .remote(let call)):
            #expect(call.entry.name == name, "source")
            #expect(call.contact == c.contact, "contact")
            #expect(call.lookup.map { $0.params().map { "\($0.0)=\($0.1)" } } == c.lookup, "the lookup's parameters")
            if let path = c.path { #expect(call.path == path, "path") }
            #expect(params(call) == c.params, "the first request's parameters")
            #expect(call.query.rowLimit == c.rowLimit, "the pushed row limit")
        case (.file(let want), .file(let got)):
            #expect(got == want, "file")
        case (.variable(let want), .variable(let got)):
            #expect(got == want, "variable")
        case (.value, .value), (.subquery, .subquery):
            break
        default:
            Issue.record("expected the source \(c.source), got \(plan.source)")
        }
        if case .remote = c.source {} else {
            #expect(c.params.isEmpty && c.rowLimit == nil && c.contact == nil && c.lookup == nil,
                    "a row with parameters must expect a remote source")
        }
        #expect(plan.operators.map(PlanPrinter.describe) == c.operators, "local operators")
        #expect(plan.pages == c.pages, "page budget")
        #expect(plan.fields == c.fields, "file fields")
        #expect(plan.warnings.map(\.code) == c.warnings, "warnings: \(plan.warnings.map(\.message))")
        #expect(plan.notes.count == c.notes.count, "notes: \(plan.notes)")
        for (note, want) in zip(plan.notes, c.notes) {
            #expect(note.contains(want), "expected the note \"\(note)\" to contain \"\(want)\"")
        }
    }

    static func runError(_ c: ErrorCase) throws {
        let q = try query(c.query)
        do {
            let plan = try Planner(context(variables: c.variables, evaluated: c.evaluated)).plan(q)
            Issue.record("expected \(c.code), got a plan: \(PlanPrinter().print(plan))")
        } catch {
            #expect(error.code == c.code, "code; message: \(error.message)")
            #expect(error.message.contains(c.message), "expected the message \"\(error.message)\" to contain \"\(c.message)\"")
        }
    }
}
