import MQCore
import MQPlanner
import MQSyntax
import Testing

/// Joins and subqueries: the plan of the other side, the columns known before anything
/// runs, and the names the joined rows get (a right field whose name the left has is added
/// as `NAME_right`, language.md's "Names never collide silently").
@Suite struct JoinPlanTests {
    struct JoinCase: CustomTestStringConvertible, Sendable {
        var query: String
        var pushdown = true
        var variables: [String: PlannerContext.Variable] = [:]
        var fileColumns: [String]? = nil
        /// The join as `explain` prints it.
        var describe: String
        var blocking = false
        /// The right side's source; nil for `join customer`.
        var right: PlanCase.Source?
        var leftColumns: [String]?
        var rightColumns: [String]?
        /// `right → joined`; nil when a side's columns are unknown before the run.
        var renames: [String]?
        /// The fields the left file's reader builds.
        var leftFields: Set<String>? = nil
        /// The fields the right file's reader builds.
        var rightFields: Set<String>? = nil

        var testDescription: String { query + (pushdown ? "" : "  [pushdown off]") }
    }

    static let customers = Catalog.customers.fieldNames

    static let cases: [JoinCase] = [
        // The left's columns are the catalog's; the file's `name` collides, its `id` is the key.
        JoinCase(query: "customers | join from \"crm.csv\" on id", fileColumns: ["id", "name", "w"],
                 describe: "join from \"crm.csv\" (hash join) on id", right: .file("crm.csv"),
                 leftColumns: customers, rightColumns: ["id", "name", "w"], renames: ["name → name_right"]),
        // Without `= G` nothing but the key is shared; with it both keys stay, so `phone` collides too.
        JoinCase(query: "customers | join from \"crm.csv\" on phone = mobile", fileColumns: ["mobile", "name", "phone"],
                 describe: "join from \"crm.csv\" (hash join) on phone = mobile", right: .file("crm.csv"),
                 leftColumns: customers, rightColumns: ["mobile", "name", "phone"],
                 renames: ["name → name_right", "phone → phone_right"]),
        // The file's columns unreadable: the renames wait for the rows.
        JoinCase(query: "customers | join from \"crm.csv\" on id",
                 describe: "join from \"crm.csv\" (hash join) on id", right: .file("crm.csv"),
                 leftColumns: customers, rightColumns: nil, renames: nil),
        // What follows the join narrows what the right file builds: its key, and what is selected.
        JoinCase(query: "customers | join from \"crm.csv\" on id | select name, w", fileColumns: ["id", "name", "w"],
                 describe: "join from \"crm.csv\" (hash join) on id", right: .file("crm.csv"),
                 leftColumns: customers, rightColumns: ["id", "name", "w"], renames: ["name → name_right"],
                 rightFields: ["id", "name", "w"]),
        // A file on both sides: `w_right` is the right's `w`, so both files must read `w` (the
        // left's decides the rename); the left's `w_right` too, as a left `w_right` would
        // push the right's `w` to `w_right2`.
        JoinCase(query: "from \"a.csv\" | join from \"b.csv\" on id | select w_right", fileColumns: ["id", "w"],
                 describe: "join from \"b.csv\" (hash join) on id", right: .file("b.csv"),
                 leftColumns: ["id", "w"], rightColumns: ["id", "w"], renames: ["w → w_right"],
                 leftFields: ["id", "w", "w_right"], rightFields: ["id", "w", "w_right"]),
        JoinCase(query: "from \"a.csv\" | join from \"b.csv\" on id | select w_right", pushdown: false, fileColumns: ["id", "w"],
                 describe: "join from \"b.csv\" (hash join) on id", right: .file("b.csv"),
                 leftColumns: ["id", "w"], rightColumns: ["id", "w"], renames: ["w → w_right"]),
        JoinCase(query: "customers | join left ($vips) on id", variables: ["vips": .result(columns: ["id", "name", "score"])],
                 describe: "join left ($vips) (hash join) on id", right: .variable("vips"),
                 leftColumns: customers, rightColumns: ["id", "name", "score"], renames: ["name → name_right"]),
        // No collision: nothing renamed.
        JoinCase(query: "customers | select id, name | join ($vips) on id", variables: ["vips": .result(columns: ["id", "score"])],
                 describe: "join ($vips) (hash join) on id", right: .variable("vips"),
                 leftColumns: ["id", "name"], rightColumns: ["id", "score"], renames: []),
        // One detail request per distinct id; it must collect the ids first.
        JoinCase(query: "customers | join customer on id",
                 describe: "join customer (one detail request per distinct id, in parallel) on id", blocking: true,
                 right: nil, leftColumns: nil, rightColumns: nil, renames: nil),
    ]

    @Test(arguments: cases) func join(_ c: JoinCase) throws {
        let ctx = Planning.context(pushdown: c.pushdown, variables: c.variables, fileColumns: c.fileColumns)
        let plan = try Planner(ctx).plan(Planning.query(c.query))
        let joins = plan.operators.compactMap { op -> JoinPlan? in if case .join(let j) = op { j } else { nil } }
        try #require(joins.count == 1, "expected one join in \(plan.operators.map(PlanPrinter.describe))")
        let op = try #require(plan.operators.first { if case .join = $0 { true } else { false } })
        let j = joins[0]
        #expect(PlanPrinter.describe(op) == c.describe)
        #expect(op.isBlocking == c.blocking, "blocking")
        switch (c.right, j.right?.source) {
        case (nil, nil): break
        case (.file(let want)?, .file(let got)?): #expect(got == want, "the right file")
        case (.variable(let want)?, .variable(let got)?): #expect(got == want, "the right variable")
        default: Issue.record("expected the right side \(String(describing: c.right)), got \(String(describing: j.right?.source))")
        }
        #expect(j.leftColumns == c.leftColumns, "left columns")
        #expect(j.rightColumns == c.rightColumns, "right columns")
        #expect(j.renames.map { $0.map { "\($0.0) → \($0.1)" } } == c.renames, "renames")
        #expect(plan.fields == c.leftFields, "the left file's fields")
        #expect(j.right?.fields == c.rightFields, "the right file's fields")
    }

    /// A subquery is planned whole: its own request and pushdown, and, for a file, the
    /// fields the outer pipeline needs of it.
    @Test func subqueryOfCustomersKeepsItsPushdown() throws {
        let plan = try Planner(Planning.context()).plan(Planning.query("(customers where category = billing) | where conversations > 3"))
        guard case .subquery(let inner) = plan.source else {
            Issue.record("expected a subquery source, got \(plan.source)")
            return
        }
        guard case .remote(let call) = inner.source else {
            Issue.record("expected the subquery to call the API, got \(inner.source)")
            return
        }
        #expect(call.entry.name == "customers")
        #expect(Planning.params(call) == ["category=billing", "limit=100"])
        #expect(inner.operators.isEmpty, "the subquery has nothing local: \(inner.operators.map(PlanPrinter.describe))")
        #expect(plan.operators.map(PlanPrinter.describe) == ["where conversations > 3"])
        // The outer filter is over rows of unknown origin: nothing to push, nothing to say.
        #expect(plan.notes.isEmpty, "notes: \(plan.notes)")
    }

    @Test func subqueryOfAFileReadsWhatTheOuterPipelineNeeds() throws {
        let plan = try Planner(Planning.context()).plan(Planning.query("(from \"x.csv\" | where a > 1) | select b"))
        guard case .subquery(let inner) = plan.source else {
            Issue.record("expected a subquery source, got \(plan.source)")
            return
        }
        // Alone, `from "x.csv" | where a > 1` needs whole rows; fed to `select b`, only a and b.
        #expect(inner.fields == ["a", "b"], "the inner filter's a and the outer select's b")
        #expect(plan.fields == nil, "only a file source has fields")
        #expect(inner.operators.map(PlanPrinter.describe) == ["where a > 1"])
        #expect(plan.operators.map(PlanPrinter.describe) == ["select b"])
    }
}
