import MQCore
import MQSyntax

/// What goes to the API for one source.
public struct RemoteCall: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case summary, billing, messaging, customers
        case customer(String)
        case timeline(String)
    }
    public var endpoint: Endpoint
    /// The customers list's parameters (the pager adds `limit` and `cursor`).
    public var query: CustomersQuery
    /// `messaging`'s `since`.
    public var since: String?

    /// The path under `/organizations/:orgId/reports`.
    public var path: String {
        switch endpoint {
        case .summary: return "/summary"
        case .billing: return "/billing"
        case .messaging: return "/messaging"
        case .customers: return "/customers"
        case .customer(let id), .timeline(let id): return "/customers/\(id)"
        }
    }

    /// The parameters of the first request, as sent.
    public func firstParams(pageSize: Int = 100) -> [(String, String)] {
        switch endpoint {
        case .messaging: return since.map { [("since", $0)] } ?? []
        case .customers:
            var p = query.wireParams
            p.append(("limit", String(min(pageSize, query.rowLimit ?? .max))))
            return p
        default: return []
        }
    }

    public static func == (a: RemoteCall, b: RemoteCall) -> Bool {
        a.endpoint == b.endpoint && a.query == b.query && a.since == b.since
    }
}

/// A local operator, in pipeline order. Expressions are resolved: bare words that name a
/// field of the source became fields, the others strings.
public enum Operator: Sendable {
    case filter(Expr)
    case select([Projection])
    case derive([Projection])
    case sort([SortKey])
    case limit(Int)
    case offset(Int)
    case summarize([Projection], by: [Expr])
    case count(by: [Expr])
    case distinct([Expr])
    case join(Join, right: Plan?)
    /// Each element of the array at the field into the field `name`; the array leaves
    /// the row, and a row whose array is empty, null or missing gives no row.
    case flatten(Expr, name: String)
    case top(Int, Expr)
    case chart([Expr])
    case spark(Expr)

    /// Whether the operator must see every row before emitting any.
    public var isBlocking: Bool {
        switch self {
        case .sort, .summarize, .count, .distinct, .top, .chart, .spark: return true
        default: return false
        }
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
}
