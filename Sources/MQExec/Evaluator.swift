import Synchronization
import MQCore
import MQPlanner
import MQSyntax

/// Evaluates resolved expressions against a row.
struct Evaluator: Sendable {
    let now: Instant
    private let regexes: RegexCache

    init(now: Instant) {
        self.now = now
        regexes = RegexCache()
    }

    func eval(_ e: Expr, _ row: JSONObject) -> Value {
        switch e.kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bareWord(let w):
            // Only sources without a catalog keep bare words: a field if the row has one.
            if let v = row[w] { return Value(v) }
            return .string(w)
        case .date(let text):
            return Instant.parseISO8601(text).map { .date($0.instant) } ?? .string(text)
        case .day(let d):
            // A period word as a value is its first instant.
            return Period(rawValue: d).map { Value.date($0.bounds(at: now).start) } ?? .null
        case .duration(let seconds, _): return .int(seconds)
        // No number of seconds: only a date moves by it (below); the planner refuses the rest.
        case .months: return .null
        case .field(let path): return Value(Evaluator.lookup(path, in: row))
        case .variable: return .null  // resolved by the planner
        case .list(let items): return .array(items.map { eval($0, row).json })
        case .isNull(let x, let negated): return .bool(eval(x, row).isNull != negated)
        case .unary(let op, let x):
            if op == "not" { return .bool(!eval(x, row).truthy) }
            // `-7d`, `-1mo`: that long before now.
            if case .duration(let s, _) = x.kind { return .date(now.adding(seconds: -s)) }
            if case .months(let n, _) = x.kind { return Evaluator.moved(.date(now), months: -n) }
            switch eval(x, row) {
            // -Int.min does not fit: into a double, as `+ - *` overflow.
            case .int(let n): return n == .min ? .double(-Double(n)) : .int(-n)
            case .double(let d): return .double(-d)
            default: return .null
            }
        case .binary(let op, let l, let r):
            switch op {
            case "and": return .bool(eval(l, row).truthy && eval(r, row).truthy)
            case "or": return .bool(eval(l, row).truthy || eval(r, row).truthy)
            default: break
            }
            // `createdAt + 1mo`: calendar months move the date itself, not by seconds.
            if op == "+" || op == "-", case .months(let n, _) = r.kind { return Evaluator.moved(eval(l, row), months: op == "+" ? n : -n) }
            if op == "+", case .months(let n, _) = l.kind { return Evaluator.moved(eval(r, row), months: n) }
            let a = eval(l, row)
            let b = eval(r, row)
            return binary(op, a, b)
        case .call(let f, let args):
            return call(f, args.map { eval($0, row) })
        case .window:
            return .null  // the planner makes each window call a field a window stream fills
        }
    }

    /// Throws what stopped the statement's local work: a regular expression too slow for
    /// one value, or Ctrl-C (the task cancelled). Streams call it once a batch, so Ctrl-C
    /// stops a long filter, sort, join or file read within a batch.
    func check() throws {
        if let e = regexes.failure { throw e }
        if Task.isCancelled { throw CancellationError() }
    }

    static func lookup(_ path: [String], in row: JSONObject) -> JSON {
        // A column may itself be named with dots (`agent.name` after a select).
        if path.count > 1, let v = row[path.joined(separator: ".")] { return v }
        guard var v = row[path[0]] else { return .null }
        for key in path.dropFirst() {
            guard let next = v[key] else { return .null }
            v = next
        }
        return v
    }

    func binary(_ op: String, _ a: Value, _ b: Value) -> Value {
        switch op {
        case "=": return .bool(Compare.equal(a, b))
        case "!=": return .bool(!Compare.equal(a, b))
        case "<": return .bool(Compare.order(a, b).map { $0 < 0 } ?? false)
        case "<=": return .bool(Compare.order(a, b).map { $0 <= 0 } ?? false)
        case ">": return .bool(Compare.order(a, b).map { $0 > 0 } ?? false)
        case ">=": return .bool(Compare.order(a, b).map { $0 >= 0 } ?? false)
        case "~":
            let needle = b.text.lowercased()
            if case .array(let items) = a { return .bool(items.contains { Text.contains(Value($0).text.lowercased(), needle) }) }
            if a.isNull { return .bool(false) }
            return .bool(Text.contains(a.text.lowercased(), needle))
        case "=~":
            guard !a.isNull, regexes.failure == nil, let re = regexes.get(b.text) else { return .bool(false) }
            switch re.match(a.text) {
            case .match: return .bool(true)
            case .noMatch: return .bool(false)
            case .tooSlow:
                regexes.fail(ExecError("the regular expression \"\(b.text)\" took more than \(Int(Regex.timeLimit)) s on one value "
                    + "(\(a.text.count) characters), so the statement stops",
                    hints: ["a nested repetition such as (a+)+ backtracks exponentially; write it without one (a+), "
                        + "or use `~` to test for plain text"]))
                return .bool(false)
            case .cancelled:
                regexes.fail(CancellationError())
                return .bool(false)
            }
        case "in":
            guard case .array(let items) = b else { return .bool(Compare.equal(a, b)) }
            return .bool(items.contains { Compare.equal(a, Value($0)) })
        case "has":
            guard case .array(let items) = a else { return .bool(false) }
            return .bool(items.contains { Compare.equal(Value($0), b) })
        default:
            return arithmetic(op, a, b)
        }
    }

    /// A date-time (or a `date()`/`month()` result) moved by calendar months, clamped to
    /// the month's end (2026-01-31 + 1mo is 2026-02-28); null for anything else, or past
    /// year 9999.
    static func moved(_ v: Value, months n: Int) -> Value {
        guard let d = v.dateForArithmetic, let m = d.adding(months: n) else { return .null }
        return .date(m)
    }

    func arithmetic(_ op: String, _ a: Value, _ b: Value) -> Value {
        // Dates: date ± seconds, date − date in seconds. A date beyond year 9999 (or
        // before year 0) has no spelling: null, as division by zero is.
        // A date-time field is an ISO-8601 string, and `date()`/`month()` give one: with a
        // duration (seconds) added or taken away, each is a date-time (`createdAt + 1d`).
        if op == "+" || op == "-", let s = b.number, let d = a.dateForArithmetic {
            return d.offset(bySeconds: op == "+" ? s : -s).map { .date($0) } ?? .null
        }
        if op == "+", let s = a.number, let d = b.dateForArithmetic {
            return d.offset(bySeconds: s).map { .date($0) } ?? .null
        }
        if op == "-", let x = a.instant, let y = b.instant, a.number == nil, b.number == nil {
            let ms = x.milliseconds.subtractingReportingOverflow(y.milliseconds)
            if ms.overflow { return .double((Double(x.milliseconds) - Double(y.milliseconds)) / 1000) }
            return ms.partialValue % 1000 == 0 ? .int(ms.partialValue / 1000) : .double(Double(ms.partialValue) / 1000)
        }
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); return o ? .double(Double(x) + Double(y)) : .int(r)
            case "-": let (r, o) = x.subtractingReportingOverflow(y); return o ? .double(Double(x) - Double(y)) : .int(r)
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); return o ? .double(Double(x) * Double(y)) : .int(r)
            default: break
            }
        }
        guard let x = a.number, let y = b.number else {
            if op == "+", case .string(let s) = a, case .string(let t) = b { return .string(s + t) }
            return .null
        }
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/": return y == 0 ? .null : .double(x / y)
        default: return .null
        }
    }

    func call(_ f: String, _ args: [Value]) -> Value {
        // An aggregate is folded by summarize; inside an expression it has no rows.
        Evaluator.scalars[f]?(self, args) ?? .null
    }

    /// The implementation of each scalar function of `FunctionSpec.all`, by name (a test
    /// checks that every spec has one, and nothing else is here).
    static let scalars: [String: @Sendable (Evaluator, [Value]) -> Value] = [
        "lower": { _, a in a[0].isNull ? .null : .string(a[0].text.lowercased()) },
        "upper": { _, a in a[0].isNull ? .null : .string(a[0].text.uppercased()) },
        "len": { _, a in
            switch a[0] {
            case .null: return .null
            case .array(let xs): return .int(xs.count)
            case .object(let o): return .int(o.count)
            default: return .int(a[0].text.count)
            }
        },
        "coalesce": { _, a in a.first { !$0.isNull } ?? .null },
        "round": { _, a in
            guard let x = a[0].number else { return .null }
            // Places are clamped before becoming an Int (round(x, 1e300) trapped, and
            // counted to a billion); past ~308 the scale is infinite and x stays as it is.
            let p = a.count > 1 ? a[1].number ?? 0 : 0
            let places = p.isNaN ? 0 : Int(min(max(p, 0), 400))
            var scale = 1.0
            for _ in 0..<places { scale *= 10 }
            let scaled = x * scale
            let r = scale.isFinite && scaled.isFinite ? scaled.rounded() / scale : x
            return places <= 0 && abs(r) < 9e15 ? .int(Int(r)) : .double(r)
        },
        "days_since": { ev, a in
            guard let i = a[0].instant else { return .null }
            return .int((ev.now.milliseconds - i.milliseconds).floorDiv(Instant.millisecondsPerDay))
        },
        "date": { _, a in a[0].instant.map { .string($0.dateString) } ?? .null },
        "month": { _, a in a[0].instant.map { .string($0.monthString) } ?? .null },
        "year": { _, a in a[0].instant.map { .int($0.civil.year) } ?? .null },
        "week": { _, a in a[0].instant.map { .string($0.startOfWeek.dateString) } ?? .null },
        "weekday": { _, a in a[0].instant.map { .int($0.isoWeekday) } ?? .null },
        "hour": { _, a in a[0].instant.map { .int(($0.milliseconds - $0.startOfDay.milliseconds) / 3_600_000) } ?? .null },
        "bin": { _, a in
            // A duration evaluates to its seconds.
            guard let i = a[0].instant, case .int(let seconds) = a[1], seconds > 0,
                  case (let step, false) = seconds.multipliedReportingOverflow(by: 1000) else { return .null }
            return .date(Instant(milliseconds: i.milliseconds.floorDiv(step) * step))
        },
        "if": { _, a in a[0].truthy ? a[1] : a[2] },
        "case": { _, a in
            var i = 0
            while i + 1 < a.count {
                if a[i].truthy { return a[i + 1] }
                i += 2
            }
            return a[a.count - 1]
        },
        "substr": { _, a in
            guard let s = Evaluator.text(a[0]), let startNumber = a[1].number, startNumber.isFinite else { return .null }
            let chars = Array(s)
            // 1-based; a negative start counts from the end (-1 is the last character).
            var start = Int(min(max(startNumber.rounded(.down), -1e15), 1e15))
            if start < 0 { start = chars.count + start + 1 }
            var end = chars.count + 1
            if a.count > 2 {
                // A negative length takes the characters before START (as DuckDB does).
                guard let length = a[2].number, length.isFinite else { return .null }
                let n = Int(min(max(length.rounded(.down), -1e15), 1e15))
                if n < 0 { (start, end) = (start + n, start) } else { end = min(end, start + n) }
            }
            // Both ends within the text: a negative length from beyond the end (substr("12",
            // 4, -2)) ended there, past the last character, and trapped.
            let from = max(start, 1)
            let to = min(end, chars.count + 1)
            return .string(from < to ? String(chars[(from - 1)..<(to - 1)]) : "")
        },
        "replace": { _, a in
            guard let s = Evaluator.text(a[0]), let old = Evaluator.text(a[1]), let new = Evaluator.text(a[2]) else { return .null }
            return .string(old.isEmpty ? s : Evaluator.replacing(s, old, new))
        },
        "split": { _, a in
            guard let s = Evaluator.text(a[0]), let sep = Evaluator.text(a[1]) else { return .null }
            let parts = sep.isEmpty ? s.map(String.init) : Evaluator.split(s, sep)
            return .array(parts.map { .string($0) })
        },
        "trim": { _, a in
            guard let s = Evaluator.text(a[0]) else { return .null }
            return .string(String(s.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()))
        },
        "starts_with": { _, a in
            guard let s = Evaluator.text(a[0]), let p = Evaluator.text(a[1]) else { return .null }
            return .bool(s.utf8.starts(with: p.utf8))
        },
        "ends_with": { _, a in
            guard let s = Evaluator.text(a[0]), let p = Evaluator.text(a[1]) else { return .null }
            return .bool(s.utf8.count >= p.utf8.count && s.utf8.suffix(p.utf8.count).elementsEqual(p.utf8))
        },
        "concat": { _, a in .string(a.filter { !$0.isNull }.map(\.text).joined()) },
        "floor": { _, a in Evaluator.whole(a[0]) { $0.rounded(.down) } },
        "ceil": { _, a in Evaluator.whole(a[0]) { $0.rounded(.up) } },
        "abs": { _, a in
            switch a[0] {
            case .int(let n): return n == .min ? .double(-Double(n)) : .int(abs(n))
            case .double(let d): return .double(abs(d))
            default: return .null
            }
        },
    ]

    /// The text a text function reads (substr, replace, split, trim, starts_with,
    /// ends_with): a string, or a date value (a date literal, `today`, bin's result) as
    /// the ISO-8601 text it prints as, since the planner lets a date stand for text and
    /// lower, len and concat read it so; of any other kind, none (the call is null).
    static func text(_ v: Value) -> String? {
        switch v {
        case .string(let s): return s
        case .date(let i): return i.iso8601
        default: return nil
        }
    }

    /// A number rounded by `f`: an int stays itself; a double becomes the int it rounds
    /// to when that is exact (as `round` does), else stays a double.
    static func whole(_ v: Value, _ f: (Double) -> Double) -> Value {
        switch v {
        case .int: return v
        case .double(let d):
            let r = f(d)
            return abs(r) < 9e15 ? .int(Int(r)) : .double(r)
        default: return .null
        }
    }

    /// Every `old` in `s` replaced by `new`, compared code point by code point (as `=` does).
    static func replacing(_ s: String, _ old: String, _ new: String) -> String {
        split(s, old).joined(separator: new)
    }

    /// The parts of `s` between occurrences of `sep` (not empty), by code points.
    static func split(_ s: String, _ sep: String) -> [String] {
        let text = Array(s.unicodeScalars)
        let pattern = Array(sep.unicodeScalars)
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        while i < text.count {
            if i + pattern.count <= text.count, text[i..<(i + pattern.count)].elementsEqual(pattern) {
                parts.append(String(current))
                current = String.UnicodeScalarView()
                i += pattern.count
            } else {
                current.append(text[i])
                i += 1
            }
        }
        parts.append(String(current))
        return parts
    }
}

/// Compiled regular expressions, by pattern; and the first match that had to stop (too
/// slow, or cancelled), which the streams turn into the statement's error
/// (`Evaluator.check`), since an expression's value cannot throw.
final class RegexCache: Sendable {
    private let cache = Mutex<[String: Regex?]>([:])
    private let stopped = Mutex<(any Error)?>(nil)
    var failure: (any Error)? { stopped.withLock { $0 } }
    func fail(_ e: any Error) { stopped.withLock { if $0 == nil { $0 = e } } }

    func get(_ pattern: String) -> Regex? {
        cache.withLock { c in
            if let r = c[pattern] { return r }
            let r = Regex(pattern)
            c[pattern] = r
            return r
        }
    }
}

/// An expression evaluated row after row: a plain field is read where it was in the
/// row before (`JSONObject.value(of:near:)`), not through `Evaluator.eval`'s walk and
/// a search of the keys, which were most of the time a fold spent per row.
struct RowReading {
    private let expr: Expr
    private let field: String?
    private var slot = 0

    init(_ expr: Expr) {
        self.expr = expr
        if case .field(let path) = expr.kind, path.count == 1 { field = path[0] } else { field = nil }
    }

    @inline(__always)
    mutating func value(_ row: JSONObject, _ eval: Evaluator) -> Value {
        guard let field else { return eval.eval(expr, row) }
        return row.value(of: field, near: &slot).map(Value.init) ?? .null
    }
}
