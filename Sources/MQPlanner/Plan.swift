import MQCore
import MQSyntax

/// What goes to the API for one source: a catalog entry, the contact it names, and the
/// parameters the planner pushed.
public struct RemoteCall: Sendable, Equatable {
    public let entry: CatalogEntry
    /// The contact id of a source that takes one (`customer ID`); nil while a `lookup`
    /// has yet to find it.
    public var contact: String?
    /// The search that finds the contact's id first, when the statement names the contact
    /// by phone, email or name (`customer "+447700900123"`).
    public var lookup: ContactLookup?
    /// The pushed parameters (the pager adds `limit` and `cursor`).
    public var query = ListQuery()

    public init(entry: CatalogEntry, contact: String? = nil) {
        self.entry = entry
        self.contact = contact
    }

    /// The path under `/organizations/:orgId/reports` (with `:contactId` in it while a
    /// lookup has yet to find the id).
    public var path: String { entry.path(contact: contact) }

    /// The parameters of the first request, as sent.
    public func firstParams() -> [(String, String)] { RemoteCall.firstParams(entry, query) }

    /// The parameters of a first request to `entry`: the pushed ones, and a paged list's
    /// page size (or the row limit, when smaller).
    static func firstParams(_ entry: CatalogEntry, _ query: ListQuery) -> [(String, String)] {
        var p = query.wireParams
        if let size = entry.pageSize, let limit = entry.limitParam { p.append((limit, String(min(size, query.rowLimit ?? .max)))) }
        return p
    }

    public static func == (a: RemoteCall, b: RemoteCall) -> Bool {
        a.entry.name == b.entry.name && a.contact == b.contact && a.lookup == b.lookup && a.query == b.query
    }
}

/// A local operator, in pipeline order: the physical plan, which the executor maps one
/// to one onto streams. Expressions are resolved: bare words that name a field of the
/// source became fields, the others strings.
public enum Operator: Sendable {
    case filter(Expr)
    case select([Projection])
    case derive([Projection])
    /// Window functions: each call's value for each row, into the field `name`, from
    /// every row of its partition (blocking). The rows keep their order.
    case window([WindowCall])
    /// Fields that were only a step (a window call inside an expression) leave the rows.
    case exclude([String])
    case sort([SortKey])
    /// `sort KEYS | limit K`: the first K rows in that order, kept in a heap of K rows
    /// instead of sorting them all.
    case topK([SortKey], Int)
    /// `limit`, `offset`, and `offset N | limit M` as one: skip `skip` rows, then pass
    /// at most `count` (nil: all).
    case slice(skip: Int, count: Int?)
    case summarize([Projection], by: [Expr])
    case count(by: [Expr])
    case distinct([Expr])
    case join(JoinPlan)
    /// Each element of the array at the field into the field `name`; the array leaves
    /// the row, and a row whose array is empty, null or missing gives no row.
    case flatten(Expr, name: String)
    case top(Int, Expr)
    /// Each distinct value of the key becomes a column holding the value (summed where
    /// rows meet); the other fields are the rows' keys (blocking).
    case pivot(Expr, Expr)
    /// A row per field of the input (blocking).
    case describe
    case chart([Expr])
    case spark(Expr)

    /// Whether the operator must see every row before emitting any: so a partial input
    /// gives it no result.
    public var isBlocking: Bool {
        switch self {
        case .sort, .topK, .summarize, .count, .distinct, .top, .chart, .spark, .window, .pivot, .describe: return true
        case .join(let j): return j.right == nil  // `join customer` collects the ids first
        default: return false
        }
    }
}

/// `NAME = F(ARGS) over (by … sort …)` as it runs.
public struct WindowCall: Sendable {
    public var name: String
    public var function: String
    public var args: [Expr]
    public var window: Window
    public var span: Span

    /// The call as an expression again (for `FieldNeed` and printing).
    public var expr: Expr { Expr(.window(function, args, window), span) }
}

/// A join as it runs: how, and the names its rows get.
public struct JoinPlan: Sendable {
    public var join: Join
    /// The right side, read whole and indexed by its key (a hash join); nil for
    /// `join customer`, one detail request per distinct key, in parallel.
    public var right: Plan?
    /// The left rows' columns when known before they run (a file's from its first rows):
    /// the names of right fields are decided from these and the first batch.
    public var leftColumns: [String]?
    /// The right side's columns when known before it runs: a right side without rows
    /// still gives a left join its columns.
    public var rightColumns: [String]?

    /// With `on F` (no `= G`) both sides' F are equal: the right one is not added again.
    public var sharedKey: String? {
        guard join.equals == nil, case .field(let path) = join.on.kind, path.count == 1 else { return nil }
        return path[0]
    }

    /// Right name → joined name, when both sides' columns are known now.
    public var renames: [(String, String)]? {
        guard right != nil, let leftColumns, let rightColumns else { return nil }
        let right = rightColumns.filter { $0 != sharedKey }
        let names = JoinPlan.names(left: Set(leftColumns), right: right)
        return right.compactMap { c in names[c].flatMap { $0 == c ? nil : (c, $0) } }
    }

    /// The one naming rule: a right field whose name the left has becomes `NAME_right`
    /// (`NAME_right2`, … while that is taken too); the others keep theirs.
    public static func names(left: Set<String>, right: [String]) -> [String: String] {
        var taken = left.union(right)
        var out: [String: String] = [:]
        for c in right {
            guard left.contains(c) else {
                out[c] = c
                continue
            }
            var name = c + "_right"
            var n = 2
            while taken.contains(name) {
                name = c + "_right\(n)"
                n += 1
            }
            taken.insert(name)
            out[c] = name
        }
        return out
    }
}

public indirect enum PlannedSource: Sendable {
    case remote(RemoteCall)
    case file(String)
    case variable(String)
    case subquery(Plan)
    /// A literal value kept with `let` (one row `{value: …}`).
    case value(JSON)
}

public struct Plan: Sendable {
    public var source: PlannedSource
    public var operators: [Operator]
    /// The fields a file source builds (the others are read past); nil: every field.
    /// Worked out from what the operators, and the plan this one feeds, look at.
    public var fields: Set<String>? = nil
    /// Each filter or limit not pushed down, and why.
    public var notes: [String]
    /// Said on stderr, with a caret, when the statement runs: likely mistakes that are
    /// not errors (a filter that cannot match).
    public var warnings: [Diagnostic] = []
    /// `| format NAME`, the last one wins.
    public var format: String?
    /// `| save "path"`
    public var save: String?
    /// The statement as written, canonical.
    public var text: String

    public init(source: PlannedSource, operators: [Operator], notes: [String] = [], format: String? = nil,
                save: String? = nil, text: String)
    {
        self.source = source
        self.operators = operators
        self.notes = notes
        self.format = format
        self.save = save
        self.text = text
    }

    /// Whether a stage needs every row before it gives any (so a partial input gives no
    /// result).
    public var isBlocking: Bool { operators.contains(where: \.isBlocking) }

    /// For a paged source: how many pages the scan may take, as `explain` says it.
    public var pages: PageBudget? {
        guard case .remote(let call) = source, let size = call.entry.pageSize else { return nil }
        if let n = call.query.rowLimit { return .rows(n, pages: max(1, (n + size - 1) / size)) }
        for op in operators {
            switch op {
            case .filter, .select, .derive, .flatten, .exclude, .slice(_, nil): continue
            case .slice(let skip, let count?): return .untilLocal(skip + count)
            default: return .all(pageSize: size)
            }
        }
        return .all(pageSize: size)
    }
}

/// How far a scan of a paged source goes.
public enum PageBudget: Sendable, Equatable {
    /// A pushed limit: paging stops once `n` rows have arrived.
    case rows(Int, pages: Int)
    /// A limit only streaming stages precede: paging stops once `n` rows pass them.
    case untilLocal(Int)
    /// Every page, to the last.
    case all(pageSize: Int)
}
