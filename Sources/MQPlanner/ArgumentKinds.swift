import MQCore
import MQSyntax

/// Argument kinds checked at plan time: `year(name)` is an error with a caret, not a
/// column of nulls. Only what the plan can know is checked (literals, catalog fields,
/// the results of other functions, arithmetic on those); a field of unknown kind (a
/// file's, a derived one) passes, and a value of the wrong kind at run time is null.
extension Planner {
    /// What kind an expression's values are, when the plan can tell.
    static func staticKind(_ e: Expr, _ kinds: [String: FieldKind]) -> FunctionSpec.ValueKind? {
        switch e.kind {
        case .int, .double: return .number
        case .string(let s): return Instant.parseISO8601(s) != nil && s.first?.isNumber == true ? .date : .text
        case .bool: return .boolean
        case .date, .day: return .date
        case .duration: return .duration
        case .list: return .list
        case .unary("-", let x):
            if case .duration = x.kind { return .date }  // `-7d`: a relative date
            return staticKind(x, kinds) == .number ? .number : nil
        case .unary("not", _), .isNull: return .boolean
        case .field(let path) where path.count == 1:
            switch kinds[path[0]] {
            case .number?: return .number
            case .text?: return .text
            case .date?: return .date
            case .array?: return .list
            case .boolean?: return .boolean
            case .object?, nil: return nil
            }
        case .call(let f, _):
            let r = FunctionSpec.named(f)?.returns
            return r == .any ? nil : r
        case .binary(let op, let l, let r):
            switch op {
            case "=", "!=", "<", "<=", ">", ">=", "~", "=~", "in", "has", "and", "or": return .boolean
            case "+", "-":
                let (a, b) = (staticKind(l, kinds), staticKind(r, kinds))
                if a == .date && (b == .duration || b == .number) { return .date }
                if a == .date && b == .date && op == "-" { return .number }
                return a == .number && b == .number ? .number : nil
            case "*", "/":
                return staticKind(l, kinds) == .number && staticKind(r, kinds) == .number ? .number : nil
            default: return nil
            }
        default: return nil
        }
    }

    /// Whether a value of kind `got` can stand where `want` is asked.
    static func accepts(_ want: FunctionSpec.ValueKind, _ got: FunctionSpec.ValueKind) -> Bool {
        switch want {
        case .any: return true
        case .text: return got == .text || got == .date  // a date-time is ISO text
        case .number: return got == .number || got == .boolean
        case .date: return got == .date
        case .boolean: return true  // any value is true or false
        case .list: return got == .list
        case .duration: return got == .duration
        case .percent: return got == .number
        }
    }

    /// Each argument of a call against its spec; the first that cannot fit is an error.
    static func checkArguments(_ spec: FunctionSpec, _ args: [Expr], _ kinds: [String: FieldKind]) throws(Diagnostic) {
        for (i, a) in args.enumerated() {
            let want = spec.kind(ofArgument: i)
            switch want {
            case .duration:
                // A literal, not an expression: `bin(t, 6h)`.
                guard case .duration = a.kind else { throw Diagnostic.argumentKind(spec, i, want: want, got: staticKind(a, kinds), a) }
            case .percent:
                let value: Double? = switch a.kind {
                case .int(let n): Double(n)
                case .double(let d): d
                default: nil
                }
                guard let value else { throw Diagnostic.argumentKind(spec, i, want: want, got: staticKind(a, kinds), a) }
                guard value >= 0 && value <= 100 else { throw Diagnostic.outOfRange(spec, i, a, range: "0 to 100") }
            default:
                // Aggregates of the wrong kind are W003, a warning, as before these checks.
                if spec.isAggregate { continue }
                if let got = staticKind(a, kinds), !accepts(want, got) {
                    throw Diagnostic.argumentKind(spec, i, want: want, got: got, a)
                }
            }
        }
    }
}

extension FunctionSpec.ValueKind {
    var phrase: String {
        switch self {
        case .any: "a value"
        case .text: "text"
        case .number: "a number"
        case .date: "a date"
        case .boolean: "a condition"
        case .list: "a list"
        case .duration: "a duration (90s, 15m, 2h, 1d, 1w)"
        case .percent: "a number from 0 to 100"
        }
    }
}

extension Diagnostic {
    static func ordinal(_ i: Int) -> String {
        ["first", "second", "third", "fourth", "fifth"].indices.contains(i) ? ["first", "second", "third", "fourth", "fifth"][i] : "\(i + 1)th"
    }

    /// `year(name)`: the argument cannot be what the function reads.
    static func argumentKind(_ spec: FunctionSpec, _ i: Int, want: FunctionSpec.ValueKind, got: FunctionSpec.ValueKind?,
                             _ arg: Expr) -> Diagnostic
    {
        let what = got.map { "`\(Printer.expr(arg))` is \($0.phrase)" } ?? "`\(Printer.expr(arg))` is not one"
        return Diagnostic(.argumentKind, "the \(ordinal(i)) argument of `\(spec.name)` takes \(want.phrase); \(what)", at: arg.span,
                          hints: ["\(spec.signature): \(spec.help); e.g. `\(spec.example)`"])
    }

    /// `percentile(x, 150)`.
    static func outOfRange(_ spec: FunctionSpec, _ i: Int, _ arg: Expr, range: String) -> Diagnostic {
        Diagnostic(.outOfRange, "the \(ordinal(i)) argument of `\(spec.name)` must be \(range), not \(Printer.expr(arg))", at: arg.span,
                   hints: ["e.g. `\(spec.example)`"])
    }
}
