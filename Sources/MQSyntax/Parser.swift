import MQCore

/// Parses a script into statements: recursive descent, precedence climbing for
/// expressions, keywords recognised in context.
public struct Parser {
    var tokens: [Token]
    var p = 0
    /// Levels of nesting entered: expressions (parentheses, lists, calls, operands), each
    /// operator of a chain, unary minus, subqueries.
    var depth = 0
    /// The stage, clause or statement form parsed last (`sort`, `since`, `let`…), for
    /// the usage hint of a token left over after it.
    var construct: String? = nil

    /// Recursive descent spends stack on each level, and so do the printer, planner and
    /// evaluator on the tree it makes: deeper nesting is an error rather than a stack
    /// overflow (the fuzzer's 1,400 parentheses crashed). A chain `a or b or c …` is as
    /// deep as it is long, since its tree is, and the printer parenthesizes some chains
    /// (`(a = b) != c`): counting each operator keeps what prints within the limit too.
    public static let maxDepth = 256

    /// Every statement of a script, or the first error.
    public static func parse(_ source: SourceText) throws(Diagnostic) -> [Statement] {
        var parser = Parser(tokens: try Lexer.tokens(source))
        return try parser.script()
    }

    /// Parses one statement's text (the REPL's unit).
    public static func parseStatement(_ text: String) throws(Diagnostic) -> Statement? {
        try parse(SourceText(text)).first
    }

    /// Whether a statement is complete, incomplete (the shell should read another line),
    /// or wrong.
    public enum Completeness: Sendable, Equatable {
        case complete
        case incomplete
        case invalid(Diagnostic)
    }

    public static func completeness(of text: String) -> Completeness {
        do {
            _ = try parse(SourceText(text))
            return .complete
        } catch {
            return error.isIncomplete ? .incomplete : .invalid(error)
        }
    }

    // MARK: token helpers

    var current: Token { tokens[p] }

    /// Enters a level of nesting; the caller restores `depth` when it returns.
    mutating func nest() throws(Diagnostic) {
        depth += 1
        if depth > Parser.maxDepth { throw Diagnostic.tooDeep(Parser.maxDepth, at: current.span) }
    }

    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    func isSymbol(_ s: String) -> Bool {
        if case .symbol(let x) = current.kind { return x == s }
        return false
    }

    func isWord(_ w: String) -> Bool {
        if case .word(let x) = current.kind { return x.lowercased() == w }
        return false
    }

    var atStatementEnd: Bool {
        current.kind == .end || current.kind == .eof || isSymbol(")")
    }

    mutating func eat(_ symbol: String) -> Bool {
        if isSymbol(symbol) {
            _ = advance()
            return true
        }
        return false
    }

    mutating func eatWord(_ w: String) -> Bool {
        if isWord(w) {
            _ = advance()
            return true
        }
        return false
    }

    static func describe(_ t: Token) -> String {
        switch t.kind {
        case .word(let w): return "`\(w)`"
        case .quotedName(let n): return "`\(n)`"
        case .string(let s): return "\"\(s)\""
        case .int(let n): return "`\(n)`"
        case .double(let d): return "`\(d)`"
        case .date(let d): return "`\(d)`"
        case .duration(_, let t): return "`\(t)`"
        case .months(_, let t): return "`\(t)`"
        case .uuid(let u): return "`\(u)`"
        case .variable(let v): return "`$\(v)`"
        case .symbol(let s): return "`\(s)`"
        case .meta(let n, _): return "`.\(n)`"
        case .end: return "the end of the statement"
        case .eof: return "the end of the input"
        }
    }

    /// An error for the current token: "incomplete" when the input ran out.
    func expected(_ what: String, after: String) -> Diagnostic {
        let t = current
        if t.kind == .eof {
            return .incomplete(expected: what, after: after, at: t.span)
        }
        return .unexpected(Parser.describe(t), expected: "\(what) after \(after)", at: t.span)
    }

    // MARK: statements

    mutating func script() throws(Diagnostic) -> [Statement] {
        var out: [Statement] = []
        while true {
            while current.kind == .end { _ = advance() }
            if current.kind == .eof { return out }
            construct = nil
            out.append(try statement())
            guard current.kind == .end || current.kind == .eof else {
                var hints = unexpectedHints()
                if hints.isEmpty { hints = leftoverHints() }
                throw Diagnostic.unexpected(Parser.describe(current), expected: "the end of the statement (`;` or a newline)",
                                            at: current.span, hints: hints)
            }
        }
    }

    static let subqueryHint = "a subquery closes after its last stage: `join (customers where category = vip | select id) on id`"

    /// Hints for a token that should not be where it is.
    func unexpectedHints() -> [String] {
        if case .word(let w) = current.kind {
            if Stage.names.contains(w.lowercased()) { return ["stages follow `|`: `| \(w) …`"] }
            if let s = Hints.closest(w, in: Clause.names) { return ["did you mean `\(s)`?"] }
        }
        if isSymbol(")") { return ["this `)` has no matching `(`"] }
        return []
    }

    /// Hints for a value left over after a complete stage (`select a b`, `where x = 1 2`):
    /// the separator it probably lacks, and how the stage is written.
    func leftoverHints() -> [String] {
        var hints: [String] = []
        let startsValue: Bool = switch current.kind {
        case .word, .quotedName, .string, .int, .double, .date, .duration, .months, .uuid, .variable: true
        case .symbol(let s): s == "(" || s == "["
        default: false
        }
        if startsValue, let c = construct {
            let filtering = ["where", "where clause"].contains(c)
            if filtering && (isWord("like") || isWord("ilike")) {
                hints.append("`~` matches text, case-insensitive: `where name ~ \"ann\"`; `=~` a regular expression")
            } else if filtering && isWord("between") {
                hints.append("a range is two comparisons: `where csat >= 3 and csat <= 4`")
            } else if filtering {
                hints.append("is `and` or `or` missing before \(Parser.describe(current))?")
            } else if c == "count" && isSymbol("(") {
                hints.append("`| count` counts the rows (`| count by category` per group); `count()` goes in `summarize`")
            } else if c == "sort" && (isWord("asc") || isWord("desc")) {
                hints.append("one direction a field: `sort name desc, createdAt asc`")
            } else if ["select", "derive", "sort", "distinct", "summarize", "count"].contains(c) {
                hints.append("is a `,` missing before \(Parser.describe(current))?")
            }
        }
        if let c = construct, let usage = Usage.hint(c) { hints.append(usage) }
        return hints
    }

    mutating func statement() throws(Diagnostic) -> Statement {
        let start = current.span
        if case .meta(let name, let args) = current.kind {
            _ = advance()
            return Statement(kind: .meta(name: name, args: args), span: start)
        }
        if isWord("let") {
            _ = advance()
            construct = "let"
            do throws(Diagnostic) {
                guard case .word(let name) = current.kind else { throw expected("a name", after: "`let`") }
                _ = advance()
                guard eat("=") else { throw expected("`=`", after: "`let \(name)`") }
                if startsQuery() {
                    let q = try query()
                    return Statement(kind: .letQuery(name: name, q), span: start.to(q.span))
                }
                let e = try expression(after: "`let \(name) =`")
                return Statement(kind: .letValue(name: name, e), span: start.to(e.span))
            } catch {
                throw error.withUsage("let")
            }
        }
        // `param NAME = DEFAULT`: a script's parameter (a source cannot be called `param`).
        if isWord("param"), p + 2 < tokens.count, case .word = tokens[p + 1].kind, tokens[p + 2].kind == .symbol("=") {
            _ = advance()
            construct = "param"
            do throws(Diagnostic) {
                guard case .word(let name) = current.kind else { throw expected("a name", after: "`param`") }
                _ = advance()
                _ = eat("=")
                let e = try expression(after: "`param \(name) =`")
                return Statement(kind: .param(name: name, e), span: start.to(e.span))
            } catch {
                throw error.withUsage("param")
            }
        }
        if isWord("explain") {
            _ = advance()
            do throws(Diagnostic) {
                let q = try query(after: "`explain`")
                return Statement(kind: .explain(q), span: start.to(q.span))
            } catch {
                throw error.withUsage("explain")
            }
        }
        let q = try query()
        return Statement(kind: .query(q), span: q.span)
    }

    /// Whether the tokens ahead begin a query rather than a value.
    func startsQuery() -> Bool {
        switch current.kind {
        case .word(let w): return Source.names.contains(w.lowercased())
        case .variable:
            if p + 1 < tokens.count, case .symbol("|") = tokens[p + 1].kind { return true }
            if p + 1 < tokens.count, case .word(let w) = tokens[p + 1].kind { return Clause.names.contains(w.lowercased()) }
            return false
        case .symbol("("):
            if p + 1 < tokens.count, case .word(let w) = tokens[p + 1].kind { return Source.names.contains(w.lowercased()) }
            return false
        default: return false
        }
    }

    // MARK: queries

    /// `stopAt`: a word that ends the clauses and the query (a join's `on`, after a source
    /// written without parentheses: `join customers since -30d on phone`); such a query
    /// has no stages.
    mutating func query(after: String = "the start", stopAt: String? = nil) throws(Diagnostic) -> Query {
        try nest()
        defer { depth -= 1 }
        let src = try source(after: after)
        var clauses: [Clause] = []
        var seen = Set<String>()
        while !atStatementEnd && !isSymbol("|") && !(stopAt.map(isWord) ?? false) {
            guard case .word(let w) = current.kind else {
                var hints = unexpectedHints()
                if hints.isEmpty { hints = leftoverHints() }
                if hints.isEmpty { hints = ["clauses: where, since, until, search, limit; stages follow `|`"] }
                throw Diagnostic.unexpected(Parser.describe(current), expected: "a clause or `|`", at: current.span,
                                            hints: hints)
            }
            let name = w.lowercased()
            guard Clause.names.contains(name) else {
                if Stage.names.contains(name) {
                    throw Diagnostic.unknownClause(w, at: current.span, suggestion: nil)
                        .adding(hint: "stages follow `|`: `| \(w) …`")
                }
                throw Diagnostic.unknownClause(w, at: current.span, suggestion: Hints.closest(w, in: Clause.names))
            }
            let kw = advance()
            guard seen.insert(name).inserted else { throw Diagnostic.duplicateClause(name, at: kw.span) }
            let e: Expr
            construct = name == "where" || name == "limit" ? name + " clause" : name
            do throws(Diagnostic) {
                switch name {
                case "where": e = try expression(after: "`where`")
                // An expression, as far as arithmetic: `since month(today) - 1mo`.
                case "since", "until": e = try expression(after: "`\(name)`", minPrecedence: 5)
                case "search": e = try value(after: "`search`")
                default: e = try countValue(after: "`limit`")
                }
            } catch {
                throw error.withUsage(construct!)
            }
            let span = kw.span.to(e.span)
            let kind: Clause.Kind = switch name {
            case "where": .where(e)
            case "since": .since(e)
            case "until": .until(e)
            case "search": .search(e)
            default: .limit(e)
            }
            clauses.append(Clause(kind: kind, span: span))
        }
        var stages: [Stage] = []
        skipEndsBeforePipe()
        while stopAt == nil, eat("|") {
            // A line ending in `|` continues on the next.
            while current.kind == .end, peekPastEnds() { _ = advance() }
            stages.append(try stage())
            skipEndsBeforePipe()
        }
        let end = stages.last?.span ?? clauses.last?.span ?? src.span
        return Query(source: src, clauses: clauses, stages: stages, span: src.span.to(end))
    }

    /// A script line starting with `|` continues the statement above it.
    mutating func skipEndsBeforePipe() {
        var k = p
        while k < tokens.count, tokens[k].kind == .end, !tokens[k].isSemicolon { k += 1 }
        if k > p, k < tokens.count, tokens[k].kind == .symbol("|") { p = k }
    }

    /// After `|`, newlines may stand before the stage.
    func peekPastEnds() -> Bool {
        var k = p
        while k < tokens.count, tokens[k].kind == .end { k += 1 }
        return k < tokens.count && tokens[k].kind != .eof
    }

    mutating func source(after: String) throws(Diagnostic) -> Source {
        let t = current
        switch t.kind {
        case .variable(let v):
            _ = advance()
            return Source(kind: .variable(v), span: t.span)
        case .symbol("("):
            _ = advance()
            let q = try query(after: "`(`")
            guard isSymbol(")") else { throw expected("`)`", after: "the subquery").adding(hint: Parser.subqueryHint) }
            let close = advance()
            return Source(kind: .subquery(q), span: t.span.to(close.span))
        case .word(let w):
            let name = w.lowercased()
            switch name {
            case _ where Catalog.entry(named: name) != nil:
                _ = advance()
                guard Catalog.entry(named: name)!.takesContact else { return Source(kind: .api(name, contact: nil), span: t.span) }
                let id: Expr
                do throws(Diagnostic) { id = try contactId(after: "`\(name)`") } catch { throw error.withUsage(name) }
                return Source(kind: .api(name, contact: id), span: t.span.to(id.span))
            case "from":
                _ = advance()
                guard case .string(let path) = current.kind else {
                    throw expected("a file name in quotes (from \"crm.csv\")", after: "`from`").withUsage("from")
                }
                let f = advance()
                construct = "from"
                return Source(kind: .file(path), span: t.span.to(f.span))
            default:
                throw Diagnostic.unknownSource(w, at: t.span, suggestion: Hints.closest(w, in: Source.names))
            }
        case .eof:
            throw Diagnostic.incomplete(expected: "a source", after: after, at: t.span)
        default:
            throw Diagnostic.unexpected(Parser.describe(t), expected: "a source (\(Catalog.customers.name), \(Catalog.summary.name), …)", at: t.span,
                                        hints: [Diagnostic.sources])
        }
    }

    /// A contact: a pasted uuid, a string (an id, or a phone, email or name to look up), or
    /// a `$variable`.
    mutating func contactId(after: String) throws(Diagnostic) -> Expr {
        let t = current
        switch t.kind {
        case .uuid(let u):
            _ = advance()
            return Expr(.string(u), t.span)
        case .string(let s):
            _ = advance()
            return Expr(.string(s), t.span)
        case .variable(let v):
            _ = advance()
            return Expr(.variable(v), t.span)
        default:
            throw expected("a contact id, phone, email or name (a uuid, \"…\" or $var)", after: after)
        }
    }

    // MARK: stages

    mutating func stage() throws(Diagnostic) -> Stage {
        let t = current
        guard case .word(let w) = t.kind else {
            throw expected("a stage (where, sort, limit, …)", after: "`|`")
                .adding(hint: Diagnostic.stages)
        }
        guard Stage.names.contains(w.lowercased()) else {
            throw Diagnostic.unknownStage(w, at: t.span, suggestion: Hints.closest(w, in: Stage.names))
        }
        let name = Usage.canonical(w)
        _ = advance()
        do throws(Diagnostic) {
            let stage = try stageBody(name, t)
            construct = name
            return stage
        } catch {
            throw error.withUsage(name)
        }
    }

    /// A stage after its name.
    mutating func stageBody(_ name: String, _ t: Token) throws(Diagnostic) -> Stage {
        // Messages name the stage as it was typed (`filter`), the switch its stage.
        var typed = name
        if case .word(let w) = t.kind { typed = w.lowercased() }
        let after = "`\(typed)`"
        func done(_ k: Stage.Kind, _ end: Span?) -> Stage { Stage(kind: k, span: t.span.to(end ?? t.span)) }
        switch name {
        case "where":
            let e = try expression(after: after)
            return done(.where(e), e.span)
        case "select":
            let ps = try projections(after: after, named: false)
            return done(.select(ps), ps.last?.span)
        case "derive":
            let ps = try projections(after: after, named: true)
            return done(.derive(ps), ps.last?.span)
        case "sort":
            if isWord("by"), p + 1 < tokens.count, case .word = tokens[p + 1].kind {
                // `sort by name` (SQL's ORDER BY) would sort by a field called `by`.
                throw Diagnostic.sortBy(at: current.span)
            }
            let keys = try sortKeys(after: after)
            return done(.sort(keys), keys.last?.span)
        case "limit":
            let e = try countValue(after: after)
            return done(.limit(e), e.span)
        case "offset":
            let e = try countValue(after: after)
            return done(.offset(e), e.span)
        case "summarize":
            if isWord("by") {
                throw Diagnostic.byWithoutAggregate(at: current.span)
            }
            let aggs = try projections(after: after, named: false)
            var by: [Projection] = []
            if eatWord("by") { by = try projections(after: "`by`", named: false) }
            return done(.summarize(aggs, by: by), by.last?.span ?? aggs.last?.span)
        case "count":
            var by: [Projection] = []
            if eatWord("by") { by = try projections(after: "`by`", named: false) }
            return done(.count(by: by), by.last?.span)
        case "distinct":
            let es = try exprList(after: after)
            return done(.distinct(es), es.last?.span)
        case "pivot":
            let key = try expression(after: after)
            guard eat(",") else { throw expected("`,` and the value field", after: "`pivot \(Printer.expr(key))`") }
            let value = try expression(after: "`,`")
            return done(.pivot(key, value), value.span)
        case "describe":
            return done(.describe, nil)
        case "join":
            let left = eatWord("left")
            let target: Join.Target
            let tt = current
            switch tt.kind {
            case .word(let x) where x.lowercased() == "customer":
                _ = advance()
                target = .customer
            case .word(let x) where x.lowercased() == "from":
                _ = advance()
                guard case .string(let path) = current.kind else { throw expected("a file name in quotes", after: "`join from`") }
                _ = advance()
                target = .file(path)
            case .word(let x) where Catalog.entry(named: x.lowercased()) != nil:
                // `join left customers since -30d on phone`: the source and its clauses, up to
                // `on`, as if in parentheses (stages need them).
                target = .subquery(try query(after: "`join`", stopAt: "on"))
            case .symbol("("):
                _ = advance()
                if case .variable(let v) = current.kind, p + 1 < tokens.count, tokens[p + 1].kind == .symbol(")") {
                    _ = advance()
                    _ = advance()
                    target = .variable(v)
                } else {
                    let q = try query(after: "`(`")
                    guard eat(")") else { throw expected("`)`", after: "the subquery").adding(hint: Parser.subqueryHint) }
                    target = .subquery(q)
                }
            case .variable(let v):
                _ = advance()
                target = .variable(v)
            default:
                throw expected("what to join: customer, a source (customers since -30d), from \"FILE\", ($var) or (QUERY)", after: left ? "`join left`" : after)
            }
            guard eatWord("on") else { throw expected("`on FIELD`", after: "the join's source") }
            let on = try expression(after: "`on`", minPrecedence: 5)
            var equals: Expr? = nil
            if eat("=") { equals = try expression(after: "`=`", minPrecedence: 5) }
            return done(.join(Join(left: left, target: target, on: on, equals: equals)), (equals ?? on).span)
        case "flatten":
            let e = try expression(after: after)
            guard eatWord("as") else { return done(.flatten(e, as: nil), e.span) }
            switch current.kind {
            case .word(let w), .quotedName(let w):
                let t = advance()
                return done(.flatten(e, as: w), e.span.to(t.span))
            default:
                throw expected("a field name", after: "`as`")
            }
        case "top":
            let n = try countValue(after: after)
            let e = try expression(after: "`top \(Printer.expr(n))`")
            return done(.top(n, e), e.span)
        case "format":
            guard case .word(let f) = current.kind else { throw expected("a format name", after: after) }
            let ft = advance()
            let formats = OutputFormat.allCases.map(\.rawValue)
            guard formats.contains(f.lowercased()) else {
                throw Diagnostic.unknownFormat(f, at: ft.span, suggestion: Hints.closest(f, in: formats))
            }
            return done(.format(f.lowercased()), ft.span)
        case "save":
            guard case .string(let path) = current.kind else { throw expected("a file name in quotes", after: after) }
            let st = advance()
            return done(.save(path), st.span)
        case "chart":
            var es = [try expression(after: after)]
            if !atStatementEnd && !isSymbol("|") { es.append(try expression(after: "the chart's label")) }
            return done(.chart(es), es.last?.span)
        default:  // spark
            let e = try expression(after: after)
            return done(.spark(e), e.span)
        }
    }

    mutating func projections(after: String, named: Bool) throws(Diagnostic) -> [Projection] {
        var out: [Projection] = []
        repeat {
            let start = current.span
            var name: String? = nil
            if case .word(let w) = current.kind, p + 1 < tokens.count, tokens[p + 1].kind == .symbol("=") {
                name = w
                _ = advance()
                _ = advance()
            } else if case .quotedName(let w) = current.kind, p + 1 < tokens.count, tokens[p + 1].kind == .symbol("=") {
                name = w
                _ = advance()
                _ = advance()
            } else if named {
                throw expected("`NAME = EXPR`", after: out.isEmpty ? after : "`,`")
            }
            let e = try expression(after: name.map { "`\($0) =`" } ?? (out.isEmpty ? after : "`,`"))
            out.append(Projection(name: name, expr: e, span: start.to(e.span)))
        } while eat(",")
        return out
    }

    /// `KEY [asc|desc], …` with `-KEY` for descending: `sort` and a window's `sort`.
    mutating func sortKeys(after: String) throws(Diagnostic) -> [SortKey] {
        var keys: [SortKey] = []
        repeat {
            let start = current.span
            let desc = eat("-")
            let e = try expression(after: keys.isEmpty ? after : "`,`")
            var d = desc
            var end = e.span
            if isWord("desc") { d = true; end = advance().span } else if isWord("asc") { end = advance().span }
            keys.append(SortKey(expr: e, descending: d, span: start.to(end)))
        } while eat(",")
        return keys
    }

    /// Inside `over (…)`: `[by EXPR, …] [sort KEY, …]`, both optional.
    mutating func windowBody() throws(Diagnostic) -> Window {
        var by: [Expr] = []
        var sort: [SortKey] = []
        if eatWord("by") {
            repeat { by.append(try expression(after: by.isEmpty ? "`by`" : "`,`")) } while eat(",")
        }
        if eatWord("sort") { sort = try sortKeys(after: "`sort`") }
        return Window(by: by, sort: sort)
    }

    mutating func exprList(after: String) throws(Diagnostic) -> [Expr] {
        var out: [Expr] = []
        repeat { out.append(try expression(after: out.isEmpty ? after : "`,`")) } while eat(",")
        return out
    }

    /// A whole number (or a `$variable` holding one).
    mutating func countValue(after: String) throws(Diagnostic) -> Expr {
        let t = current
        switch t.kind {
        case .int(let n) where n >= 0:
            _ = advance()
            return Expr(.int(n), t.span)
        case .variable(let v):
            _ = advance()
            return Expr(.variable(v), t.span)
        case .eof:
            throw Diagnostic.incomplete(expected: "a number", after: after, at: t.span)
        default:
            throw Diagnostic.notACount(after.filter { $0 != "`" }, at: t.span)
        }
    }

    /// A single value: a literal, a bare word, a variable (for `search`).
    mutating func value(after: String) throws(Diagnostic) -> Expr {
        try expression(after: after, minPrecedence: 6)
    }

    // MARK: expressions

    /// Binary operators by precedence (higher binds tighter).
    static let precedence: [String: Int] = [
        "or": 1, "and": 2,
        "=": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "~": 4, "=~": 4, "in": 4, "has": 4,
        "+": 5, "-": 5, "*": 6, "/": 6,
    ]

    func binaryOperator() -> String? {
        switch current.kind {
        case .symbol(let s) where Parser.precedence[s] != nil: return s
        case .word(let w) where ["and", "or", "in", "has"].contains(w.lowercased()): return w.lowercased()
        default: return nil
        }
    }

    public mutating func expression(after: String = "the start", minPrecedence: Int = 1) throws(Diagnostic) -> Expr {
        let entry = depth
        defer { depth = entry }
        try nest()
        var lhs = try unary(after: after)
        while true {
            // `is [not] null`, at comparison strength.
            if isWord("is"), minPrecedence <= 4 {
                let isTok = advance()
                let negated = eatWord("not")
                guard isWord("null") else { throw expected("`null`", after: negated ? "`is not`" : "`is`") }
                let n = advance()
                lhs = Expr(.isNull(lhs, negated: negated), lhs.span.to(n.span).to(isTok.span))
                try nest()
                continue
            }
            // `not in`, `not has`
            if isWord("not"), minPrecedence <= 4, p + 1 < tokens.count,
               case .word(let w) = tokens[p + 1].kind, ["in", "has"].contains(w.lowercased())
            {
                _ = advance()
                let op = advance()
                let rhs = try operand(after: "`not \(w)`")
                let inner = Expr(.binary(w.lowercased(), lhs, rhs), lhs.span.to(rhs.span))
                lhs = Expr(.unary("not", inner), lhs.span.to(rhs.span).to(op.span))
                try nest()
                continue
            }
            guard let op = binaryOperator(), let prec = Parser.precedence[op], prec >= minPrecedence else { return lhs }
            let opTok = advance()
            let rhs: Expr
            if prec == 4 {
                rhs = try operand(after: "`\(op)`")
            } else {
                rhs = try expression(after: "`\(op)`", minPrecedence: prec + 1)
            }
            lhs = Expr(.binary(op, lhs, rhs), lhs.span.to(rhs.span).to(opTok.span))
            try nest()
        }
    }

    /// The right side of a comparison: an arithmetic expression where a bare word is a
    /// value (`category=billing`).
    mutating func operand(after: String) throws(Diagnostic) -> Expr {
        bareUnlessQuoted(try expression(after: after, minPrecedence: 5))
    }

    /// `bare`, except that a name in backticks stays a field: `where name = `nickname``
    /// compares two fields (and prints back that way; an empty `` `` `` stays a field too).
    /// So does a name that would not read back as the same bare word (`` (`b c`) ``,
    /// `` (`true`) ``), since a bare word prints as it is.
    func bareUnlessQuoted(_ e: Expr) -> Expr {
        switch e.kind {
        case .field(let path) where path.count == 1:
            if case .quotedName = tokens[tokenIndex(at: e.span.start)].kind { return e }
            guard Parser.readsAsBareWord(path[0]) else { return e }
            return Expr(.bareWord(path[0]), e.span)
        case .list(let items): return Expr(.list(items.map(bareUnlessQuoted)), e.span)
        default: return e
        }
    }

    /// Whether `w` is one word to the lexer that a value position reads as a field (not
    /// `true`, `null`, `today`, `not`, `and`…), so that a bare word `w` prints back as itself.
    static func readsAsBareWord(_ w: String) -> Bool {
        let b = Array(w.utf8)
        guard let first = b.first, Lexer.isWordStart(first), b.allSatisfy({ Lexer.isWordChar($0) }) else { return false }
        let lower = w.lowercased()
        return !["and", "or", "not", "null", "true", "false"].contains(lower) && Period(rawValue: lower) == nil
    }

    /// The token that starts at `offset` (the last one before it, if none does).
    func tokenIndex(at offset: Int) -> Int {
        var lo = 0
        var hi = tokens.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if tokens[mid].span.start <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// A plain word (or a list of them) on the right of a comparison is a bare word.
    public static func bare(_ e: Expr) -> Expr {
        switch e.kind {
        case .field(let path) where path.count == 1: return Expr(.bareWord(path[0]), e.span)
        case .list(let items): return Expr(.list(items.map(bare)), e.span)
        default: return e
        }
    }

    mutating func unary(after: String) throws(Diagnostic) -> Expr {
        let t = current
        if isWord("not") {
            _ = advance()
            let e = try expression(after: "`not`", minPrecedence: 3)
            return Expr(.unary("not", e), t.span.to(e.span))
        }
        if isSymbol("-") {
            _ = advance()
            try nest()  // `- - - x` recurses here, not through `expression`
            defer { depth -= 1 }
            let e = try unary(after: "`-`")
            // Fold negative literals so that they print and compare as written.
            switch e.kind {
            case .int(let n): return Expr(.int(-n), t.span.to(e.span))
            case .double(let d): return Expr(.double(-d), t.span.to(e.span))
            default: return Expr(.unary("-", e), t.span.to(e.span))
            }
        }
        return try postfix(after: after)
    }

    mutating func postfix(after: String) throws(Diagnostic) -> Expr {
        var e = try primary(after: after)
        // `agent.name`: a path continues a field.
        while isSymbol("."), !current.spaceBefore, case .field(var path) = e.kind {
            _ = advance()
            let t = current
            switch t.kind {
            case .word(let w), .quotedName(let w):
                _ = advance()
                path.append(w)
                e = Expr(.field(path), e.span.to(t.span))
            default:
                throw expected("a field name", after: "`.`")
            }
        }
        return e
    }

    mutating func primary(after: String) throws(Diagnostic) -> Expr {
        let t = current
        switch t.kind {
        case .int(let n): _ = advance(); return Expr(.int(n), t.span)
        case .double(let d): _ = advance(); return Expr(.double(d), t.span)
        case .string(let s): _ = advance(); return Expr(.string(s), t.span)
        case .date(let d): _ = advance(); return Expr(.date(d), t.span)
        case .duration(let s, let text): _ = advance(); return Expr(.duration(s, text), t.span)
        case .months(let n, let text): _ = advance(); return Expr(.months(n, text), t.span)
        case .uuid(let u): _ = advance(); return Expr(.string(u), t.span)
        case .variable(let v): _ = advance(); return Expr(.variable(v), t.span)
        case .quotedName(let n): _ = advance(); return Expr(.field([n]), t.span)
        case .symbol("("):
            _ = advance()
            let e = try expression(after: "`(`")
            guard isSymbol(")") else { throw expected("`)`", after: "the expression") }
            let close = advance()
            return Expr(e.kind, t.span.to(close.span))
        case .symbol("["):
            _ = advance()
            var items: [Expr] = []
            if !isSymbol("]") {
                repeat { items.append(try expression(after: items.isEmpty ? "`[`" : "`,`", minPrecedence: 5)) } while eat(",")
            }
            guard isSymbol("]") else { throw expected("`]`", after: "the list") }
            let close = advance()
            return Expr(.list(items), t.span.to(close.span))
        case .word(let w) where ["and", "or"].contains(w.lowercased()):
            // `where and x = 1`: read as a field, it would fail later and further away.
            throw Diagnostic.unexpected(Parser.describe(t), expected: "a value after \(after)", at: t.span,
                                        hints: ["`\(w.lowercased())` joins two conditions: `where conversations > 3 \(w.lowercased()) category = billing`",
                                                "a field named `\(w)` takes backticks"])
        case .word(let w):
            _ = advance()
            let lower = w.lowercased()
            switch lower {
            case "true": return Expr(.bool(true), t.span)
            case "false": return Expr(.bool(false), t.span)
            case "null": return Expr(.null, t.span)
            default: if Period(rawValue: lower) != nil { return Expr(.day(lower), t.span) }
            }
            if isSymbol("("), !current.spaceBefore {
                _ = advance()
                var args: [Expr] = []
                if !isSymbol(")") {
                    repeat { args.append(try expression(after: args.isEmpty ? "`\(w)(`" : "`,`")) } while eat(",")
                }
                guard isSymbol(")") else { throw expected("`)`", after: "the arguments of `\(w)`") }
                let close = advance()
                guard let range = FunctionSpec.named(lower)?.arity else {
                    throw Diagnostic.unknownFunction(w, at: t.span, suggestion: Hints.closest(w, in: FunctionSpec.all.map(\.name).sorted()))
                }
                let spec = FunctionSpec.named(lower)!
                guard range.contains(args.count), !spec.pairs || args.count % 2 == 1 else {
                    let expected = spec.pairs ? "conditions and values in pairs, then an else value (an odd number of arguments)"
                        : range.lowerBound == range.upperBound
                        ? (range.lowerBound == 0 ? "no arguments" : range.lowerBound == 1 ? "1 argument" : "\(range.lowerBound) arguments")
                        : "\(range.lowerBound) to \(range.upperBound) arguments"
                    throw Diagnostic.arity(w, expected: expected, got: args.count, at: t.span.to(close.span))
                }
                if isWord("over"), p + 1 < tokens.count, tokens[p + 1].kind == .symbol("(") {
                    _ = advance()
                    _ = advance()
                    let window = try windowBody()
                    guard isSymbol(")") else { throw expected("`)`", after: "the window (`over (by … sort …)`)") }
                    let end = advance()
                    return Expr(.window(lower, args, window), t.span.to(end.span))
                }
                return Expr(.call(lower, args), t.span.to(close.span))
            }
            return Expr(.field([w]), t.span)
        case .eof:
            throw Diagnostic.incomplete(expected: "a value", after: after, at: t.span)
        default:
            throw Diagnostic.unexpected(Parser.describe(t), expected: "a value after \(after)", at: t.span)
        }
    }
}

extension Diagnostic {
    func adding(hint: String) -> Diagnostic {
        var d = self
        d.hints.append(hint)
        return d
    }
}
