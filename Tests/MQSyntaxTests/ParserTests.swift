import MQSyntax
import Testing

@Suite struct ParserTests {
    /// Every example of language.md, and more: each parses, and printing then parsing again
    /// gives the same tree.
    static let queries = [
        "customers where category=x since 2026-04 | sort resolutionOutcome | limit 20",
        "customers where category=billing since 2026-04 | sort resolutionOutcome | limit 20",
        "summary",
        "billing",
        "billing | flatten usage",
        "messaging since 2026-10-01",
        "customers since 2026-01 until 2026-03 search \"garcía\" limit 50",
        "customer 3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c",
        "customer \"3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c\"",
        "timeline 3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c | where type = message_in | count",
        "from \"crm.csv\" | where country = MX",
        "$vips | count",
        "customers | where conversations > 3 and labels has \"vip\"",
        "customers | select name, phone, rate = messagesOut / conversations",
        "customers | derive ageDays = days_since(createdAt)",
        "customers | sort -lastConversationAt, name",
        "customers | sort name desc, csat asc",
        "customers | limit 20",
        "customers | offset 10 | limit 5",
        "customers | summarize n = count(), avg(csat) by category",
        "customers | count by resolutionOutcome",
        "customers | count",
        "customers | distinct agent.name",
        "customers | join customer on id",
        "customers | join from \"crm.csv\" on phone",
        "customers | join left from \"crm.csv\" on phone = mobile",
        "customers | join ($vips) on id",
        "customers | join (customers where category = billing | select id) on id",
        "customers | flatten labels",
        "customers | top 5 agent.name",
        "customers | format csv",
        "customers | filter csat >= 4 | take 3 | project name | extend x = 1",
        "customers | where category <> billing",
        "customers | save \"out.csv\"",
        "customers | count by category | chart category n",
        "messaging | spark sent",
        "customers | where name ~ \"ana\" or email =~ \"@gmail\\\\.com$\"",
        "customers | where category in [billing, support] and csat is not null",
        "customers | where email is null",
        "customers | where agent.name not in [\"Ana\", \"Bo\"]",
        "customers | where lastConversationAt > -7d and createdAt >= 2026-04-15T10:30Z",
        "customers | where firstConversationAt < today and lastConversationAt >= yesterday",
        "customers | where avgResolutionSeconds > 2h",
        "customers | where not (csat > 3 or csat is null)",
        "customers | where `odd name` = 1 and conversations * 2 + 1 > 7",
        "customers | select n = round(csat, 1), m = month(createdAt), d = date(lastConversationAt)",
        "customers | select u = upper(name), l = lower(email), k = len(labels), c = coalesce(email, phone)",
        "let vips = customers | where labels has \"vip\"",
        "let n = 5",
        "let since = 2026-04",
        "explain customers where category = billing | limit 5",
        "customers | limit $1",
        "customers where conversations > 2.5 | sort -csat",
        "customers | where lastConversationAt > firstConversationAt",
        ".format csv",
        ".help",
        "customers | where phone =~ r\"^\\+44\\d+$\"",
        "customers | where name = \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\\"",
        "customers | limit 1 | join customer on id | flatten metrics.byMonth as m | select m.month",
        "customers | flatten labels as `the label`",
        // language.md v2, Dates: weeks, calendar months, period words, clauses that take an expression.
        "customers | where createdAt > -4w and lastConversationAt < this_month",
        "customers | derive next = createdAt + 1mo, before = createdAt - 12mo, w = 2w + createdAt",
        "customers | where createdAt >= last_week and createdAt < this_week or createdAt >= last_month",
        "customers since last_month until this_week",
        "customers since -1mo",
        "customers since today - 2w until this_month + 1mo",
        "customers since month(today) - 1mo until this_month",
        "customers since (today - 1w) until (2026-12)",
        "customers since (a or b)",
        "customers | select `this_month`, `last_week` = 1",
        "let m = -1mo",
    ]

    /// Escapes read as language.md v2 says, and a raw string keeps its backslashes.
    @Test func escapesAndRawStrings() throws {
        func literal(_ text: String) throws -> String? {
            let s = try #require(try Parser.parseStatement("customers | where x = " + text))
            guard case .query(let q) = s.kind, case .where(let e)? = q.stages.first?.kind,
                  case .binary(_, _, let r) = e.kind, case .string(let v) = r.kind else { return nil }
            return v
        }
        #expect(try literal(#""a\"b\\c\nd\te\rf""#) == "a\"b\\c\nd\te\rf")
        #expect(try literal(#""\u00e9\u20AC""#) == "é€")
        #expect(try literal(#""\ud83d\ude00""#) == "😀")
        #expect(try literal(#"r"^\+44\d+$""#) == #"^\+44\d+$"#)
        #expect(try literal(#"r"a\nb""#) == #"a\nb"#, "no escapes at all in a raw string")
    }

    @Test(arguments: queries)
    func parsesAndRoundTrips(_ text: String) throws {
        let first = try #require(try Parser.parseStatement(text))
        let printed = Printer.statement(first)
        let again = try #require(try Parser.parseStatement(printed), "printed: \(printed)")
        #expect(again == first, "printed: \(printed)")
        #expect(Printer.statement(again) == printed, "the canonical form is a fixed point")
    }

    /// The expression of `customers | where x = TEXT`, as parsed.
    static func operand(_ text: String) throws -> Expr.Kind {
        let s = try #require(try Parser.parseStatement("customers | where x = " + text))
        guard case .query(let q) = s.kind, case .where(let e)? = q.stages.first?.kind, case .binary("=", _, let r) = e.kind else {
            throw Parsed(text: "expected `x = …` in \(s)")
        }
        return r.kind
    }

    struct Parsed: Error { var text: String }

    /// `1w` is seven days of seconds; `1mo` is its own kind (a month has no fixed length);
    /// each prints as it was written; `-1mo` is a negated month, as `-7d` is a negated duration.
    @Test func weeksAndMonthsLexAndPrintAsWritten() throws {
        #expect(try Self.operand("1w") == .duration(604_800, "1w"))
        #expect(try Self.operand("2w") == .duration(1_209_600, "2w"))
        #expect(try Self.operand("1mo") == .months(1, "1mo"))
        #expect(try Self.operand("18mo") == .months(18, "18mo"))
        #expect(try Self.operand("-1mo") == .unary("-", Expr(.months(1, "1mo"), Span(0, 0))))
        #expect(try Self.operand("-4w") == .unary("-", Expr(.duration(2_419_200, "4w"), Span(0, 0))))
        for text in ["1w", "2w", "1mo", "12mo", "-1mo", "-4w", "createdAt + 1mo", "today - 2w"] {
            let s = try #require(try Parser.parseStatement("customers | where x = " + text))
            #expect(Printer.statement(s) == "customers | where x = " + text)
        }
    }

    /// The period words are date words wherever a value goes, in any case, as `today` is;
    /// a field of that name takes backticks.
    @Test(arguments: Period.words)
    func periodWordsAreDays(_ word: String) throws {
        #expect(try Self.operand(word) == .day(word))
        #expect(try Self.operand(word.uppercased()) == .day(word))
        #expect(try Self.operand("`\(word)`") == .field([word]))
        let s = try #require(try Parser.parseStatement("customers | select `\(word)`"))
        #expect(Printer.statement(s) == "customers | select `\(word)`")
    }

    /// `since` and `until` read an arithmetic expression, and stop at the next clause.
    @Test func clausesTakeAnExpression() throws {
        let s = try #require(try Parser.parseStatement("customers since month(today) - 1mo until this_month + 1mo limit 5"))
        guard case .query(let q) = s.kind else { throw Parsed(text: "expected a query, got \(s.kind)") }
        #expect(q.clauses.count == 3)
        guard case .since(let since) = q.clauses[0].kind, case .until(let until) = q.clauses[1].kind else {
            throw Parsed(text: "expected since, until: \(q.clauses)")
        }
        #expect(Printer.expr(since) == "month(today) - 1mo")
        #expect(Printer.expr(until) == "this_month + 1mo")
        #expect(since.kind == .binary("-", Expr(.call("month", [Expr(.day("today"), Span(0, 0))]), Span(0, 0)),
                                      Expr(.months(1, "1mo"), Span(0, 0))))
    }

    @Test func scriptsSplitOnNewlinesAndSemicolonsAndContinueAfterPipes() throws {
        let script = """
            # a comment
            let n = 3
            customers
              | where conversations > $n   # trailing comment
              | limit 2; summary
            .format json
            """
        let statements = try Parser.parse(SourceText(script, name: "t.mq"))
        #expect(statements.count == 4)
        guard case .query(let q) = statements[1].kind else {
            Issue.record("expected statement 2 to be the query `customers | where … | limit 2`, got \(statements[1].kind)")
            return
        }
        #expect(q.stages.count == 2)
        #expect(statements[3].kind == .meta(name: "format", args: "json"))
    }

    @Test func bareWordsOnTheRightOfComparisonsAreValues() throws {
        let s = try #require(try Parser.parseStatement("customers | where category = billing and agent.name = x"))
        guard case .query(let q) = s.kind, case .where(let e) = q.stages[0].kind,
              case .binary("and", let l, let r) = e.kind,
              case .binary("=", _, let lr) = l.kind, case .binary("=", let rl, let rr) = r.kind
        else {
            Issue.record("expected a query whose where is `_ = _ and _ = _`, got \(s.kind)")
            return
        }
        #expect(lr.kind == .bareWord("billing"))
        #expect(rl.kind == .field(["agent", "name"]))
        #expect(rr.kind == .bareWord("x"))
    }

    /// A name in backticks stays a field on the right of a comparison, and in a list there.
    @Test func aQuotedNameOnTheRightIsAField() throws {
        let s = try #require(try Parser.parseStatement("customers | where name = `nickname` or x in [a, `b`]"))
        guard case .query(let q) = s.kind, case .where(let e) = q.stages[0].kind,
              case .binary("or", let l, let r) = e.kind,
              case .binary("=", _, let lr) = l.kind, case .binary("in", _, let list) = r.kind,
              case .list(let items) = list.kind
        else {
            Issue.record("expected a query whose where is `_ = _ or _ in [list]`, got \(s.kind)")
            return
        }
        #expect(lr.kind == .field(["nickname"]))
        #expect(items.map(\.kind) == [.bareWord("a"), .field(["b"])])
    }

    @Test func precedenceIsConventional() throws {
        let s = try #require(try Parser.parseStatement("customers | where a = 1 or b = 2 and not c > 3 + 4 * 5"))
        guard case .query(let q) = s.kind, case .where(let e) = q.stages[0].kind else {
            Issue.record("expected a query with a where stage first, got \(s.kind)")
            return
        }
        #expect(Printer.expr(e) == "a = 1 or b = 2 and not c > 3 + 4 * 5")
        guard case .binary("or", _, let right) = e.kind, case .binary("and", _, let notC) = right.kind,
              case .unary("not", let cmp) = notC.kind, case .binary(">", _, let sum) = cmp.kind,
              case .binary("+", _, let product) = sum.kind, case .binary("*", _, _) = product.kind
        else {
            Issue.record("expected a = 1 or (b = 2 and (not (c > (3 + (4 * 5))))), got \(e)")
            return
        }
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let text: String
        let code: String
        let incomplete: Bool
        var hint: String? = nil
        var testDescription: String { text }
    }

    static let bad: [Bad] = [
        Bad(text: "customers |", code: "E010", incomplete: true),
        Bad(text: "customers | where", code: "E010", incomplete: true),
        Bad(text: "customers | where (a = 1", code: "E010", incomplete: true),
        Bad(text: "customers | where name = \"ana", code: "E002", incomplete: true),
        // `"\d"` read as `d`, so `phone =~ "\d"` matched nothing, silently.
        Bad(text: "customers | where phone =~ \"\\d\"", code: "E005", incomplete: false, hint: "raw string"),
        Bad(text: "customers | where name = \"a\\qb\"", code: "E005", incomplete: false, hint: "\\\\"),
        Bad(text: "customers | where name = \"\\u12\"", code: "E006", incomplete: false),
        Bad(text: "customers | where name = \"\\ud800\"", code: "E006", incomplete: false, hint: "surrogate pair"),
        Bad(text: "customers | where name = r\"open", code: "E002", incomplete: true),
        Bad(text: "customers | flatten labels as", code: "E010", incomplete: true),
        Bad(text: "customers | select `odd", code: "E004", incomplete: true),
        Bad(text: "customers | where x in [1, 2", code: "E010", incomplete: true),
        Bad(text: "customer", code: "E010", incomplete: true),
        Bad(text: "explain", code: "E010", incomplete: true),
        Bad(text: "custmers", code: "E020", incomplete: false, hint: "customers"),
        Bad(text: "customers | srot name", code: "E021", incomplete: false, hint: "sort"),
        Bad(text: "customers | lmit 5", code: "E021", incomplete: false, hint: "limit"),
        Bad(text: "customers wher x = 1", code: "E022", incomplete: false, hint: "where"),
        Bad(text: "customers sort name", code: "E022", incomplete: false, hint: "| sort"),
        Bad(text: "customers | where upperr(name) = x", code: "E024", incomplete: false, hint: "upper"),
        Bad(text: "customers | select round()", code: "E025", incomplete: false),
        Bad(text: "customers | format xml", code: "E026", incomplete: false),
        Bad(text: "customers | format jsno", code: "E026", incomplete: false, hint: "json"),
        Bad(text: "customers | limit -1", code: "E027", incomplete: false),
        Bad(text: "customers | limit ten", code: "E027", incomplete: false),
        Bad(text: "customers where x = 1 where y = 2", code: "E028", incomplete: false),
        Bad(text: "customers | where x = 1 )", code: "E011", incomplete: false),
        Bad(text: "customers | where x @ 1", code: "E001", incomplete: false),
        Bad(text: "customers since 2026-13", code: "E003", incomplete: false),
        Bad(text: "customers | where x > 12abc", code: "E003", incomplete: false),
        Bad(text: "customers | where x > 1mon", code: "E003", incomplete: false, hint: "1mo (a calendar month)"),
        Bad(text: "customers | where x > 1.5mo", code: "E003", incomplete: false, hint: "1w (7 days)"),
        Bad(text: "customers | where x > 99999999999999999999mo", code: "E003", incomplete: false, hint: "119988mo"),
        Bad(text: "customers since today -", code: "E010", incomplete: true),
        Bad(text: "customers | sort", code: "E010", incomplete: true),
        Bad(text: "customers | join customer", code: "E010", incomplete: true),
        Bad(text: "customers | join nowhere on id", code: "E011", incomplete: false),
        Bad(text: "let = 3", code: "E011", incomplete: false),
        Bad(text: "from crm.csv", code: "E011", incomplete: false),
        Bad(text: "| where x", code: "E011", incomplete: false, hint: "sources:"),
        // Hints that say what is probably missing, or how the construct is written.
        Bad(text: "customers | select a b", code: "E011", incomplete: false, hint: "is a `,` missing before `b`?"),
        Bad(text: "customers | where a = 1 2", code: "E011", incomplete: false, hint: "is `and` or `or` missing"),
        Bad(text: "customers | sort name asc desc", code: "E011", incomplete: false, hint: "one direction a field"),
        Bad(text: "customers | summarize by category", code: "E014", incomplete: false, hint: "`count by category`"),
        Bad(text: "customers | where and a = 1", code: "E011", incomplete: false, hint: "joins two conditions"),
        Bad(text: "customers | top 5", code: "E010", incomplete: true, hint: "`top N FIELD`"),
        Bad(text: "customers since", code: "E010", incomplete: true, hint: "`since DATE`"),
        Bad(text: "let x = ; 1", code: "E011", incomplete: false, hint: "`let NAME = QUERY | VALUE`"),
        Bad(text: "timeline", code: "E010", incomplete: true, hint: "`.help timeline`"),
        Bad(text: "customers | | count", code: "E011", incomplete: false, hint: "stages: where select derive sort limit offset"),
        Bad(text: "customers | where name = 'ann'", code: "E001", incomplete: false, hint: "double quotes"),
        Bad(text: "customers | where x > 1e999", code: "E003", incomplete: false, hint: "1.8e308"),
        Bad(text: "customers | select round(1, 2, 3)", code: "E025", incomplete: false, hint: "round(X, DIGITS)"),
        Bad(text: "customers | where foo(x)", code: "E024", incomplete: false, hint: "functions: if case"),
        // Habits from SQL and dataframes get the word used here.
        Bad(text: "customers | order by name", code: "E021", incomplete: false, hint: "`order` is `sort` here"),
        Bad(text: "customers | group by category", code: "E021", incomplete: false, hint: "summarize n = count() by category"),
        Bad(text: "select * from customers", code: "E020", incomplete: false, hint: "a statement starts with its source"),
        Bad(text: "customers | sort by name", code: "E013", incomplete: false, hint: "`sort` takes the fields directly"),
        Bad(text: "customers | where name like \"%ann%\"", code: "E011", incomplete: false, hint: "`~` matches text"),
        Bad(text: "customers | where csat between 3 and 4", code: "E011", incomplete: false, hint: "two comparisons"),
        Bad(text: "customers | count(*)", code: "E011", incomplete: false, hint: "`count()` goes in `summarize`"),
        // A uuid a digit short is reported as one, not as a bad date inside it.
        Bad(text: "customer 00000000-0000-4000-8000-00000000000", code: "E003", incomplete: false, hint: "8-4-4-4-12"),
        Bad(text: "customer 3f9c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2cx", code: "E003", incomplete: false, hint: "8-4-4-4-12"),
    ]

    @Test(arguments: bad)
    func badInputGetsACodeAndAHint(_ c: Bad) {
        do {
            let s = try Parser.parse(SourceText(c.text))
            Issue.record("parsed: \(s)")
        } catch {
            #expect(error.code == c.code, "\(error.render(SourceText(c.text)))")
            #expect(error.isIncomplete == c.incomplete)
            #expect(!error.hints.isEmpty, "no hint: \(error.render(SourceText(c.text)))")
            if let hint = c.hint { #expect(error.hints.contains { $0.contains(hint) }, "\(error.hints)") }
            #expect(Parser.completeness(of: c.text) == (c.incomplete ? .incomplete : .invalid(error)))
        }
    }

    /// Nesting and operator chains, `n` deep: each construct that deepens the tree.
    static func deep(_ n: Int) -> [String] {
        [
            "customers | where " + String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n),
            "customers | where " + String(repeating: "not ", count: n) + "x",
            "customers | select y = " + String(repeating: "-", count: n) + "x",
            "customers | select y = " + Array(repeating: "x", count: n).joined(separator: " + "),
            "customers | where " + Array(repeating: "x = 1", count: n).joined(separator: " and "),
            "customers | where x" + String(repeating: " is null", count: n),
            String(repeating: "(", count: n) + "customers" + String(repeating: ")", count: n),
            "customers | select y = " + String(repeating: "lower(", count: n) + "x" + String(repeating: ")", count: n),
            "customers | where x in " + String(repeating: "[", count: n) + "1" + String(repeating: "]", count: n),
        ]
    }

    /// Regression: `((((…1…))))` a thousand deep crashed mq (stack overflow in the
    /// recursive descent, then in every stage that walks the tree). Deeper than
    /// `Parser.maxDepth` is now a diagnostic with a caret, however deep the input.
    @Test(arguments: deep(100_000) + deep(Parser.maxDepth + 1))
    func tooDeepIsADiagnosticNotACrash(_ text: String) {
        do {
            _ = try Parser.parse(SourceText(text))
            Issue.record("expected E012 (too deep), but it parsed: \(text.prefix(60))…")
        } catch {
            #expect(error.code == "E012", "\(error.render(SourceText(text)).prefix(300))")
            #expect(!error.isIncomplete)
        }
    }

    @Test(arguments: deep(Parser.maxDepth - 20))
    func deepButWithinTheLimitParses(_ text: String) throws {
        let statements = try Parser.parse(SourceText(text))
        #expect(statements.count == 1, "expected one statement from \(text.prefix(60))…, got \(statements.count)")
    }

    @Test func aDiagnosticShowsTheLineACaretAndTheHint() throws {
        let source = SourceText("customers\n  | srot name", name: "q.mq")
        do {
            _ = try Parser.parse(source)
            Issue.record("expected E021 (unknown stage `srot`), but it parsed")
        } catch {
            #expect(error.render(source) == """
                error[E021]: unknown stage `srot`
                 --> q.mq:2:5
                  |
                2 |   | srot name
                  |     ^^^^
                  = hint: did you mean `sort`?

                """)
            #expect(error.oneLine(source) == "q.mq:2:5: error[E021]: unknown stage `srot`")
        }
    }

    /// Hints wrap at spaces to the width, under their first word; the line and the caret
    /// do not wrap.
    @Test func hintsWrapToTheWidth() throws {
        let text = "customers | where conversations > 3 | select a b"
        do {
            _ = try Parser.parse(SourceText(text))
            Issue.record("expected a diagnostic for `select a b`, but it parsed")
        } catch {
            let wide = error.render(SourceText(text))
            let narrow = error.render(SourceText(text), width: 40)
            let lines = narrow.split(separator: "\n")
            #expect(lines.contains { $0.hasSuffix(text) }, "the statement stays whole: \(narrow)")
            let hintLines = lines.drop { !$0.contains("= hint:") }
            #expect(hintLines.count >= 3)
            for l in hintLines { #expect(l.count <= 40, "\(l)") }
            #expect(lines.count > wide.split(separator: "\n").count)
            #expect(lines.filter { $0.hasPrefix("          ") }.count >= 2, "continuations sit under the hint's text: \(narrow)")
            // The same words, in the same order.
            func words(_ s: String) -> [Substring] { s.split { $0 == " " || $0 == "\n" } }
            #expect(words(wide) == words(narrow))
        }
    }
}
