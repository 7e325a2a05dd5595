// libFuzzer target: any text through the lexer, parser, printer, planner and the
// shell's completer (which runs `Parser.completeness` on the lines before the cursor).
//
// Beyond "does not crash", it checks the invariants the shell relies on:
// - a diagnostic renders (its span lies in the text);
// - printing a parsed statement and parsing it again gives the same tree, one statement,
//   and the printed form is a fixed point (ParserTests' round trip, on any input);
// - the planner, given what the shell would give it, plans or throws a diagnostic.
// A broken invariant is a crash (fatalError), so libFuzzer keeps the input.
//
// Built only by scripts/fuzz (MQ_FUZZ=1, --sanitize=fuzzer): libFuzzer supplies `main`.
import MQCore
import MQExec
import MQPlanner
import MQSyntax

/// 2026-11-15T12:00:00Z, the demo's clock, so a crash reproduces whatever the date.
let now = Instant(year: 2026, month: 11, day: 15, hour: 12)

/// What a session might hold when the statement runs: a value of each kind, and kept
/// results with and without a single value (`customer $id`).
let sessionVariables: [String: PlannerContext.Variable] = [
    "1": .value(.int(5)),
    "n": .value(.int(3)),
    "x": .value(.double(2.5)),
    "s": .value(.string("billing")),
    "d": .value(.string("2026-04")),
    "b": .value(.bool(true)),
    "z": .value(.null),
    "vips": .result(columns: ["id", "name", "phone", "conversations"]),
    "id": .result(columns: ["id"], single: .string("3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c")),
    "empty": .result(columns: []),
]

let completer: Completer = {
    var c = Completer()
    c.variables = sessionVariables.keys.sorted()
    c.variableColumns = ["vips": ["id", "name", "phone", "conversations"], "id": ["id"]]
    c.profiles = ["prod", "test"]
    return c
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // The shell and scripts read text as Swift strings: invalid UTF-8 is already replaced
    // by the time the lexer sees it.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let source = SourceText(text, name: "fuzz.mq")

    complete(text)

    let statements: [MQSyntax.Statement]
    do throws(Diagnostic) {
        statements = try Parser.parse(source)
    } catch {
        check(error, in: source)
        return 0
    }

    var context = PlannerContext(now: now)
    context.variables = sessionVariables
    context.evaluate = Session.constantEvaluator(now: now)
    for (i, statement) in statements.enumerated() {
        roundTrip(statement, text)
        // Alternate pushdown on and off, as `.pushdown off` would.
        context.pushdown = i % 2 == 0
        plan(statement, &context, source)
    }
    return 0
}

/// Printing then parsing gives the statement back, and printing that gives the same text.
func roundTrip(_ statement: MQSyntax.Statement, _ text: String) {
    let printed = Printer.statement(statement)
    let again: [MQSyntax.Statement]
    do throws(Diagnostic) {
        again = try Parser.parse(SourceText(printed))
    } catch {
        fail("the printed form does not parse: \(error.oneLine(SourceText(printed)))\nprinted: \(printed)", text)
    }
    guard again.count == 1 else { fail("the printed form is \(again.count) statements\nprinted: \(printed)", text) }
    guard again[0] == statement else { fail("the printed form parses to another tree\nprinted: \(printed)", text) }
    let reprinted = Printer.statement(again[0])
    guard reprinted == printed else { fail("printing is not a fixed point\nprinted:   \(printed)\nreprinted: \(reprinted)", text) }
}

/// Plans the statement as the session would, and keeps what `let` defines for the next.
func plan(_ statement: MQSyntax.Statement, _ context: inout PlannerContext, _ source: SourceText) {
    let planner = Planner(context)
    do throws(Diagnostic) {
        switch statement.kind {
        case .query(let q), .explain(let q):
            _ = try planner.plan(q)
        case .letQuery(let name, let q):
            let plan = try planner.plan(q)
            context.variables[name] = .result(columns: columns(plan))
        case .letValue(let name, let e), .param(let name, let e):
            _ = try planner.resolveConstant(e)
            context.variables[name] = .value(.int(1))
        case .meta:
            break
        }
    } catch {
        check(error, in: source)
    }
}

/// Column names a plan's last projection gives, so later statements can name them.
func columns(_ plan: Plan) -> [String] {
    for op in plan.operators.reversed() {
        if case .select(let ps) = op { return ps.map { $0.name ?? Planner.columnName($0.expr) } }
    }
    return []
}

/// A diagnostic's span lies within the text, and it renders both ways.
func check(_ d: Diagnostic, in source: SourceText) {
    guard d.span.start >= 0, d.span.start <= d.span.end, d.span.end <= source.bytes.count else {
        fail("diagnostic \(d.code) span \(d.span) outside the text (\(source.bytes.count) bytes)", source.text)
    }
    _ = d.render(source, color: true)
    _ = d.oneLine(source)
}

/// Tab at the end of the text: `word` is what follows the last character libedit splits
/// words at, `before` the rest. The shell passes the line and the continuation lines of
/// the statement in hand, so the completer sees the last four lines, not a whole script
/// (it rechecks each earlier line's completeness, quadratic in a long script).
func complete(_ whole: String) {
    let lines = whole.split(separator: "\n", omittingEmptySubsequences: false)
    let text = lines.count <= 4 ? whole : lines.suffix(4).joined(separator: "\n")
    let split = text.lastIndex(where: { $0 == " " || $0 == "|" || $0 == "\"" || $0 == "$" || $0 == "=" || $0 == "(" })
    let before = split.map { String(text[...$0]) } ?? ""
    let word = split.map { String(text[text.index(after: $0)...]) } ?? text
    _ = completer.complete(before: before, word: word)
}

func fail(_ message: String, _ input: String) -> Never {
    fatalError("\(message)\ninput: \(String(reflecting: input))")
}
