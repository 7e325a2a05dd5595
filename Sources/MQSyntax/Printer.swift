import MQCore

/// Prints statements in canonical form: one space around operators, lower-case keywords,
/// `, ` between list items. Parsing what it prints gives the same tree.
public enum Printer {
    public static func statement(_ s: Statement) -> String {
        switch s.kind {
        case .query(let q): return query(q)
        case .letQuery(let name, let q): return "let \(name) = \(query(q))"
        case .letValue(let name, let e): return "let \(name) = \(expr(e))"
        case .param(let name, let e): return "param \(name) = \(expr(e))"
        case .explain(let q): return "explain \(query(q))"
        case .meta(let name, let args): return args.isEmpty ? ".\(name)" : ".\(name) \(args)"
        }
    }

    public static func query(_ q: Query) -> String {
        var out = source(q.source)
        for c in q.clauses { out += " " + clause(c) }
        for s in q.stages { out += " | " + stage(s) }
        return out
    }

    static func source(_ s: Source) -> String {
        switch s.kind {
        case .api(let name, let id): return id.map { "\(name) \(contact($0))" } ?? name
        case .file(let path): return "from \(quote(path))"
        case .variable(let v): return "$\(v)"
        case .subquery(let q): return "(\(query(q)))"
        }
    }

    /// A contact id prints bare when it is a uuid, as it was most likely pasted: exactly
    /// when the lexer would read it back as one (8-4-4-4-12 ASCII hex), else quoted.
    static func contact(_ e: Expr) -> String {
        if case .string(let s) = e.kind, Lexer.isUUID(s.utf8) { return s }
        return expr(e)
    }

    static func clause(_ c: Clause) -> String {
        switch c.kind {
        case .where(let e): return "where \(expr(e))"
        // A clause reads an arithmetic expression (`since month(today) - 1mo`): anything
        // looser takes parentheses.
        case .since(let e): return "since \(expr(e, precedence: 5))"
        case .until(let e): return "until \(expr(e, precedence: 5))"
        case .search(let e): return "search \(expr(e))"
        case .limit(let e): return "limit \(expr(e))"
        }
    }

    static func stage(_ s: Stage) -> String {
        switch s.kind {
        case .where(let e): return "where \(expr(e))"
        case .select(let ps): return "select " + ps.map(projection).joined(separator: ", ")
        case .derive(let ps): return "derive " + ps.map(projection).joined(separator: ", ")
        case .sort(let keys):
            return "sort " + keys.map { ($0.descending ? "-" : "") + expr($0.expr, precedence: 7) }.joined(separator: ", ")
        case .limit(let e): return "limit \(expr(e))"
        case .offset(let e): return "offset \(expr(e))"
        case .summarize(let ps, let by):
            return "summarize " + ps.map(projection).joined(separator: ", ")
                + (by.isEmpty ? "" : " by " + by.map(projection).joined(separator: ", "))
        case .count(let by): return by.isEmpty ? "count" : "count by " + by.map(projection).joined(separator: ", ")
        case .distinct(let es): return "distinct " + es.map { expr($0) }.joined(separator: ", ")
        case .join(let j):
            let target: String = switch j.target {
            case .customer: "customer"
            case .file(let p): "from \(quote(p))"
            case .variable(let v): "($\(v))"
            case .subquery(let q): "(\(query(q)))"
            }
            return "join " + (j.left ? "left " : "") + target + " on " + expr(j.on, precedence: 5)
                + (j.equals.map { " = " + expr($0, precedence: 5) } ?? "")
        case .flatten(let e, let n): return "flatten \(expr(e))" + (n.map { " as " + name($0) } ?? "")
        case .top(let n, let e): return "top \(expr(n)) \(expr(e))"
        case .pivot(let k, let v): return "pivot \(expr(k)), \(expr(v))"
        case .describe: return "describe"
        case .format(let f): return "format \(f)"
        case .save(let p): return "save \(quote(p))"
        case .chart(let es): return "chart " + es.map { expr($0) }.joined(separator: " ")
        case .spark(let e): return "spark \(expr(e))"
        }
    }

    /// `over (by a, b sort -c)`; `over ()` for the whole input in its order.
    public static func window(_ w: Window) -> String {
        var parts: [String] = []
        if !w.by.isEmpty { parts.append("by " + w.by.map { expr($0, precedence: 5) }.joined(separator: ", ")) }
        if !w.sort.isEmpty {
            parts.append("sort " + w.sort.map { ($0.descending ? "-" : "") + expr($0.expr, precedence: 7) }.joined(separator: ", "))
        }
        return "over (" + parts.joined(separator: " ") + ")"
    }

    /// `NAME = EXPR`, or the expression alone. An unnamed comparison `(a = b)` keeps its
    /// parentheses: printed bare it would read back as a column named `a`.
    static func projection(_ p: Projection) -> String {
        if p.name == nil, case .binary("=", _, _) = p.expr.kind { return "(" + expr(p.expr) + ")" }
        return (p.name.map { name($0) + " = " } ?? "") + expr(p.expr)
    }

    /// A string literal. Escapes go by Unicode scalar, as the lexer reads: by Character, a
    /// quote followed by a combining mark (U+17D2) is one Character, was not escaped, and
    /// ended the literal early when read back.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    static let reserved = Set(["and", "or", "not", "in", "has", "is", "null", "true", "false", "by", "on", "asc", "desc",
                               "left", "over", "sort"] + Period.words)

    /// A field name, in backticks when it is not a plain word.
    public static func name(_ n: String) -> String {
        let plain = !n.isEmpty && n.first.map { $0.isLetter || $0 == "_" } == true
            && n.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !reserved.contains(n.lowercased())
        return plain ? n : "`\(n)`"
    }

    static func precedence(of op: String) -> Int { Parser.precedence[op] ?? 3 }

    /// `precedence`: how tightly the surrounding context binds; lower-binding inner
    /// expressions get parentheses.
    public static func expr(_ e: Expr, precedence outer: Int = 0, rhs: Bool = false) -> String {
        switch e.kind {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .double(let d): return "\(d)"
        case .string(let s): return quote(s)
        case .bareWord(let w): return w
        case .date(let d): return d
        case .day(let d): return d
        case .duration(_, let text): return text
        case .months(_, let text): return text
        case .field(let path):
            // On the right of a comparison a plain word is a value: a field there is quoted.
            if rhs && path.count == 1 { return "`\(path[0])`" }
            return path.map(name).joined(separator: ".")
        case .variable(let v): return "$\(v)"
        case .list(let items): return "[" + items.map { expr($0, rhs: true) }.joined(separator: ", ") + "]"
        case .call(let f, let args): return f + "(" + args.map { expr($0) }.joined(separator: ", ") + ")"
        case .window(let f, let args, let w): return f + "(" + args.map { expr($0) }.joined(separator: ", ") + ") " + window(w)
        case .isNull(let inner, let negated):
            let s = expr(inner, precedence: 5) + (negated ? " is not null" : " is null")
            return outer > 4 ? "(\(s))" : s
        case .unary(let op, let inner):
            if op == "-" { return "-" + expr(inner, precedence: 7) }
            if case .binary(let b, let l, let r) = inner.kind, b == "in" || b == "has" {
                let s = expr(l, precedence: 5) + " not \(b) " + expr(r, precedence: 5, rhs: true)
                return outer > 4 ? "(\(s))" : s
            }
            let s = "not " + expr(inner, precedence: 3)
            return outer > 3 ? "(\(s))" : s
        case .binary(let op, let l, let r):
            let p = precedence(of: op)
            let isComparison = p == 4
            let left = expr(l, precedence: isComparison ? 5 : p)
            let right = expr(r, precedence: isComparison ? 5 : p + 1, rhs: isComparison)
            let s = "\(left) \(op) \(right)"
            return p < outer ? "(\(s))" : s
        }
    }
}
