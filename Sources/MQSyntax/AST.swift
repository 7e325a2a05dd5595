import MQCore

/// The syntax tree. Every node carries the span of its text, for diagnostics; spans never
/// take part in equality (see `Span`).

public struct Statement: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case query(Query)
        /// `let NAME = QUERY` keeps a result; `let NAME = LITERAL` a value.
        case letQuery(name: String, Query)
        case letValue(name: String, Expr)
        /// `param NAME = DEFAULT`: `--set NAME=…` when given, else DEFAULT.
        case param(name: String, Expr)
        /// `explain QUERY`: print the plan, run nothing.
        case explain(Query)
        /// `.name args…`
        case meta(name: String, args: String)
    }
    public var kind: Kind
    public var span: Span

    public init(kind: Kind, span: Span) {
        self.kind = kind
        self.span = span
    }
}

public struct Query: Sendable, Equatable {
    public var source: Source
    public var clauses: [Clause]
    public var stages: [Stage]
    public var span: Span
}

public struct Source: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        /// An API source by its catalog name (`customers`), with the contact id of one
        /// that takes one (`customer ID`, `timeline ID`).
        case api(String, contact: Expr?)
        /// `from "file"`
        case file(String)
        /// `$name`: a result kept with `let`.
        case variable(String)
        /// `(QUERY)`
        case subquery(Query)
    }
    public var kind: Kind
    public var span: Span

    /// The words a source starts with: the catalog's names, and `from`.
    public static var names: [String] { Catalog.all.map(\.name) + ["from"] }
}

/// What follows a source before the first `|`.
public struct Clause: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case `where`(Expr)
        case since(Expr)
        case until(Expr)
        case search(Expr)
        case limit(Expr)
    }
    public var kind: Kind
    public var span: Span

    public static let names = ["where", "since", "until", "search", "limit"]
}

public struct Projection: Sendable, Equatable {
    public var name: String?
    public var expr: Expr
    public var span: Span
    public init(name: String?, expr: Expr, span: Span) {
        self.name = name
        self.expr = expr
        self.span = span
    }
}

public struct SortKey: Sendable, Equatable {
    public var expr: Expr
    public var descending: Bool
    public var span: Span
    public init(expr: Expr, descending: Bool, span: Span) {
        self.expr = expr
        self.descending = descending
        self.span = span
    }
}

public struct Join: Sendable, Equatable {
    public indirect enum Target: Sendable, Equatable {
        /// `join customer on id`: the detail of each row's contact.
        case customer
        case file(String)
        case variable(String)
        case subquery(Query)
    }
    public var left: Bool
    public var target: Target
    /// The field of the incoming rows.
    public var on: Expr
    /// The field of the joined rows, when it has another name (`on phone = mobile`).
    public var equals: Expr?

    public init(left: Bool, target: Target, on: Expr, equals: Expr?) {
        self.left = left
        self.target = target
        self.on = on
        self.equals = equals
    }
}

public struct Stage: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case `where`(Expr)
        case select([Projection])
        case derive([Projection])
        case sort([SortKey])
        case limit(Expr)
        case offset(Expr)
        /// Group keys may be named (`by agent = agent.name`), as `select` names columns.
        case summarize([Projection], by: [Projection])
        case count(by: [Projection])
        case distinct([Expr])
        case join(Join)
        /// `flatten PATH [as NAME]`: each element of the array at PATH into the field NAME.
        case flatten(Expr, as: String?)
        case top(Expr, Expr)
        /// `pivot KEY, VALUE`: each KEY value becomes a column holding VALUE.
        case pivot(Expr, Expr)
        /// One row per field: its kind, count, nulls, distinct values, min, max, avg.
        case describe
        case format(String)
        case save(String)
        case chart([Expr])
        case spark(Expr)
    }
    public var kind: Kind
    public var span: Span

    /// Stage names and their aliases, as the parser accepts them (from `Usage`).
    public static var names: [String] { Usage.stageWords }
}

/// What `over (…)` says: the partition and the order within it.
public struct Window: Sendable, Equatable {
    public var by: [Expr]
    public var sort: [SortKey]
    public init(by: [Expr], sort: [SortKey]) {
        self.by = by
        self.sort = sort
    }
}

public struct Expr: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        /// A bare word where a value fits (`category=billing`): a field if the source
        /// has one by that name, else the word as a string. The planner decides.
        case bareWord(String)
        case date(String)
        /// A word for a period relative to now, lower-cased: `today`, `yesterday`,
        /// `this_week`, `last_month`… (`Period`).
        case day(String)
        /// Seconds; `-7d` is a negated duration, meaning 7 days before now in a comparison.
        case duration(Int, String)
        /// `1mo`: calendar months, added to or taken from a date (`createdAt + 1mo`);
        /// `-1mo` is a month before now. Not a number of seconds, so nothing else.
        case months(Int, String)
        /// `agent.name` → ["agent", "name"]
        case field([String])
        case variable(String)
        case list([Expr])
        case unary(String, Expr)
        case binary(String, Expr, Expr)
        case call(String, [Expr])
        /// `F(ARGS) over (by … sort …)`: a window function (`rank`, `lag`, …) or an
        /// aggregate over each row's partition (running with `sort`).
        case window(String, [Expr], Window)
        case isNull(Expr, negated: Bool)
    }
    public var kind: Kind
    public var span: Span

    public init(_ kind: Kind, _ span: Span) {
        self.kind = kind
        self.span = span
    }
}
