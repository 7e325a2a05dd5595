import Foundation
import MQCore
import MQExec
import MQPlanner
import MQSyntax
import MQTestSupport
import Testing

/// Hundreds of malformed statements, generated from the goldens by mutation and written
/// by hand: each is a diagnostic with a caret and exit status 1, never a crash or a hang.
///
/// A statement is malformed when the parser or the planner rejects it with a
/// `Diagnostic`: that is decided here, independently of what mq prints. A mutation that
/// happens to be valid (or whose fate depends on a `let` or a meta command) is run too,
/// for crashes, but not counted.
@Suite(.timeLimit(.minutes(5))) struct BadQueryTests {
    static let handWritten: [String] = [
        "customers | where", "customers | where name = \"unterminated", "customers | select",
        "customers | sort name asc desc", "customers | limit 1.5", "customers | limit 99999999999999999999999",
        "customers | where conversations > 1e999", "customers || count", "customers | | count", "| customers",
        "customers where", "customers since", "customers since 2026-02-30", "customers since 2026-00",
        "customers until yesterday since", "customer not-a-uuid-bare", "timeline", "from", "from \"x.csv\" \"y.csv\"",
        "let", "let x", "let 3 = 4", "explain explain customers", "customers | select x =", "customers | select = 1",
        "customers | summarize by category", "customers | count by", "customers | join left",
        "customers | join customer on", "customers | top", "customers | top 5", "customers | flatten",
        "customers | where name ~", "customers | where name =~", "customers | where x in [1, 2,]",
        "customers | where x in [", "customers | where (((x = 1)", "customers | where x = 1))",
        "customers | where lower(name, 1) = \"a\"", "customers | where name @ 1", "customers | where name = 'single'",
        "customers 🙂", "customers | format", "customers | format yaml", "customers | save", "customers | save out.csv",
        "customers | where x is", "customers | where x is not", "customers | where not", "customers | sort -",
        "customers | offset -1", "customers | chart", "customers | spark", "$", "$1 | count", "(customers | count",
        "(customers) )", "summary | where contacts >", "messaging since \"soon\"", "billing limit 5", "customers search",
        "customers limit \"5\"", "customer 00000000-0000-4000-8000-00000000000", "customers | where a = 1 and",
        "customers | where and a = 1", "customers | select a,, b", "customers | select a b",
        "customers | where name = \"a\" \"b\"", "customers | derive", "customers | distinct", "customers | where 1 +",
        "customers | select x = round(1, 2, 3)", "customers | sort name,", "customers ; | count", "let x = ; $x",
        "customers | where `unterminated", "customers | select n = sum(csat)", "customers | where count() > 1", "customers | where name = \"a\u{0}\" \u{0}",
        "customers | where \u{202E}name = 1 \u{202C}", "customers\n| where\n| count", "summary; billing; custmers",
        // Sizes and depths no person types: each must still be one diagnostic, quickly.
        "customers | where " + String(repeating: "(", count: 100_000) + "x = 1",
        "customers | where " + String(repeating: "not ", count: 50_000) + "x",
        "customers | select y = " + String(repeating: "-", count: 100_000) + "1",
        "customers | where x = \"" + String(repeating: "a", count: 1_000_000),
        "customers | " + String(repeating: "q", count: 100_000),
        "customers | where x in [" + String(repeating: "1, ", count: 100_000),
        String(repeating: "customers | ", count: 20_000),
    ]

    // MARK: mutations

    /// Tokens by a rough lexer of its own (strings, quoted names, words, numbers and
    /// dates, operator runs, single characters), as ranges of the text.
    static func tokens(_ text: String) -> [Range<String.Index>] {
        var out: [Range<String.Index>] = []
        var i = text.startIndex
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || "_$.:-".contains(c) }
        while i < text.endIndex {
            let c = text[i]
            if c.isWhitespace {
                i = text.index(after: i)
                continue
            }
            var j = text.index(after: i)
            if c == "\"" || c == "`" {
                while j < text.endIndex, text[j] != c { j = text.index(after: j) }
                if j < text.endIndex { j = text.index(after: j) }
            } else if isWord(c) {
                while j < text.endIndex, isWord(text[j]) { j = text.index(after: j) }
            } else if "=<>!~".contains(c) {
                while j < text.endIndex, "=<>!~".contains(text[j]) { j = text.index(after: j) }
            }
            out.append(i..<j)
            i = j
        }
        return out
    }

    static let strays: [String] = ["@", "#", "%", "^", "&", "*", "(", ")", "[", "]", "{", "}", "\"", "'", "`", ",", ";",
                                   ":", "!", "?", "~", "=", "<", ">", "|", "\\", ".", "-", "+", "/", "$", "0", "é", "🙂"]
    static let vocabulary: [String] = [
        "where", "select", "sort", "limit", "summarize", "count", "by", "join", "on", "flatten", "top", "format", "save",
        "since", "until", "search", "let", "explain", "from", "customers", "customer", "summary", "and", "or", "not",
        "in", "has", "is", "null", "true", "=", "!=", "~", "=~", ">=", "|", "(", ")", "[", "]", ",", "2026-13",
        "12abc", "1e999", "99999999999999999999", "\"\"", "$", "$nope", ".", "-", "--", "||", "@", "avg(", "round()",
        "csta", "srot", "`",
    ]

    /// The i-th mutation of a text: one edit chosen and placed by `r`.
    static func mutate(_ text: String, _ r: inout SplitMix64) -> String {
        let toks = tokens(text)
        guard !toks.isEmpty else { return text + r.pick(strays) }
        let t = r.below(toks.count)
        let tok = toks[t]
        func replacing(_ range: Range<String.Index>, with s: String) -> String {
            var x = text
            x.replaceSubrange(range, with: s)
            return x
        }
        switch r.below(10) {
        case 0:  // delete a token
            return replacing(tok, with: "")
        case 1:  // duplicate a token
            return replacing(tok, with: text[tok] + " " + text[tok])
        case 2:  // swap a token with the next
            guard t + 1 < toks.count else { return replacing(tok, with: "") }
            let next = toks[t + 1]
            return String(text[..<tok.lowerBound]) + text[next] + text[tok.upperBound..<next.lowerBound] + text[tok]
                + text[next.upperBound...]
        case 3:  // truncate inside the text
            let cut = text.index(text.startIndex, offsetBy: 1 + r.below(max(text.count - 1, 1)))
            return String(text[..<cut])
        case 4:  // a stray character anywhere
            let at = text.index(text.startIndex, offsetBy: r.below(text.count + 1))
            return String(text[..<at]) + r.pick(strays) + text[at...]
        case 5:  // an unbalanced quote before a token
            return replacing(tok.lowerBound..<tok.lowerBound, with: r.pick(["\"", "`"]))
        case 6:  // an unbalanced parenthesis or bracket before or after a token
            let c = r.pick(["(", ")", "[", "]"])
            return r.below(2) == 0 ? replacing(tok.lowerBound..<tok.lowerBound, with: c) : replacing(tok.upperBound..<tok.upperBound, with: c)
        case 7:  // a token replaced by a keyword, an operator or a bad literal
            return replacing(tok, with: r.pick(vocabulary))
        case 8:  // a pipe doubled or moved
            if let pipe = toks.firstIndex(where: { text[$0] == "|" }) {
                return r.below(2) == 0 ? replacing(toks[pipe], with: "| |") : replacing(toks[pipe], with: "") + " |"
            }
            return text + " |"
        default:  // a misspelt word: a letter dropped or doubled
            let word = String(text[tok])
            guard word.count > 2 else { return replacing(tok, with: word + word) }
            var chars = Array(word)
            let k = r.below(chars.count)
            if r.below(2) == 0 { chars.remove(at: k) } else { chars.insert(chars[k], at: k) }
            return replacing(tok, with: String(chars))
        }
    }

    /// The goldens' statements (not the error ones), each mutated several times; unique.
    static func mutations(perGolden: Int = 6) -> [String] {
        var r = SplitMix64(seed: 20_261_115)  // the same mutations on every run
        var seen = Set<String>()
        var out: [String] = []
        for name in GoldenTests.names where !name.hasPrefix("err_") {
            guard let text = try? String(contentsOf: GoldenTests.queries.appendingPathComponent(name + ".mq"), encoding: .utf8)
            else { continue }
            let original = text.trimmingCharacters(in: .whitespacesAndNewlines)
            for _ in 0..<perGolden {
                let m = mutate(original, &r)
                if m != original, seen.insert(m).inserted { out.append(m) }
            }
        }
        return out
    }

    // MARK: classifying

    enum Verdict {
        /// The parser or the planner rejects it.
        case malformed(Diagnostic)
        case valid
        /// Depends on a `let` or meta command that only running would settle.
        case undecided
    }

    /// Parse, then plan each statement, as mq does before running it.
    static func classify(_ text: String) -> Verdict {
        let statements: [MQSyntax.Statement]
        do {
            statements = try Parser.parse(SourceText(text))
        } catch {
            return .malformed(error)
        }
        // With the session's evaluator, as mq plans (`since month(today) - 1mo`).
        var context = PlannerContext(now: Runner.now)
        context.evaluate = Session.constantEvaluator(now: Runner.now)
        let planner = Planner(context)
        for s in statements {
            switch s.kind {
            case .query(let q), .explain(let q):
                do { _ = try planner.plan(q) } catch { return .malformed(error) }
            case .letQuery, .letValue, .param, .meta:
                return .undecided
            }
        }
        return .valid
    }

    /// Runs `body` on a thread of its own, and gives up after `seconds`: a parser that
    /// loops fails the test instead of hanging it. The stack is 4 MB, half of what the
    /// threads mq runs statements on have (8 MB, measured), so a statement that needs
    /// more than half of it crashes here, with a margin, before it can crash mq. (A
    /// debug build spends about 12.7 KB of stack per level of parentheses.)
    static func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T? = nil
        let thread = Thread {
            result = body()
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
        return done.wait(timeout: .now() + seconds) == .success ? result : nil
    }

    /// A caret line of a rendered diagnostic: `  |    ^^^^`.
    static func hasCaret(_ stderr: String) -> Bool {
        stderr.split(separator: "\n").contains { line in
            let t = line.drop { $0 == " " }
            guard t.first == "|" else { return false }
            let rest = t.dropFirst()
            return rest.contains("^") && rest.allSatisfy { $0 == " " || $0 == "^" }
        }
    }

    // MARK: tests

    @Test func everyHandWrittenStatementIsMalformed() throws {
        #expect(Self.handWritten.count >= 30)
        for text in Self.handWritten {
            guard let verdict = Self.withDeadline(10, { Self.classify(text) }) else {
                Issue.record("no verdict within 10 s (a hang?): \(text.prefix(80))")
                return
            }
            guard case .malformed(let d) = verdict else {
                Issue.record("not malformed: \(text.prefix(80))")
                continue
            }
            let rendered = d.render(SourceText(text))
            #expect(Self.hasCaret(rendered), "\(rendered.prefix(400))")
            #expect(!d.hints.isEmpty, "no hint: \(rendered.prefix(400))")
        }
    }

    /// Generated mutations plus the hand-written ones, each through a real session (the
    /// standard simulator behind it, for the statements before the bad one): at least
    /// 200 malformed, each exit 1 with the diagnostic's code and a caret.
    @Test func twoHundredMalformedStatementsEachGetACaretAndExit1() async throws {
        let sim = try Sims.standard()
        // A copy of the fixtures: a mutation may turn into a `save` that writes a file.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-badquery-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Runner.directory.appendingPathComponent("fixtures"), to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        var malformed = 0
        var byCode: [String: Int] = [:]
        for text in Self.mutations() + Self.handWritten {
            guard let verdict = Self.withDeadline(10, { Self.classify(text) }) else {
                Issue.record("no verdict within 10 s (a hang?): \(text.prefix(80))")
                return
            }
            let r = try await Runner.run(text, sim: sim, baseDirectory: dir.path)
            switch verdict {
            case .malformed(let d):
                malformed += 1
                byCode[d.code, default: 0] += 1
                #expect(r.status == 1, "\(text.prefix(200)): status \(r.status)\n\(r.errors.prefix(400))")
                #expect(r.errors.contains("error[\(d.code)]"), "\(text.prefix(200)):\n\(r.errors.prefix(400))")
                #expect(Self.hasCaret(r.errors), "\(text.prefix(200)):\n\(r.errors.prefix(400))")
                #expect(r.errors.contains(" = hint: "), "no hint: \(text.prefix(200)):\n\(r.errors.prefix(400))")
            case .valid, .undecided:
                // Not counted; it ran without crashing, whatever it answered.
                #expect([0, 1, 3].contains(r.status), "\(text.prefix(200)): status \(r.status)")
            }
        }
        #expect(malformed >= 200, "only \(malformed) malformed statements: \(byCode)")
        #expect(byCode.count >= 15, "a variety of mistakes: \(byCode)")
    }

    /// A sample through the real binary: exit 1, a caret on stderr, nothing on stdout from
    /// the bad statement, no crash, no hang.
    @Test func aSampleThroughTheBinary() throws {
        let sim = try Sims.standard()
        let malformed = (Self.mutations() + Self.handWritten.filter { $0.utf8.count < 10_000 }).filter { text in
            if case .malformed? = Self.withDeadline(10, { Self.classify(text) }) { return true }
            return false
        }
        let step = max(1, malformed.count / 24)
        let sample = stride(from: 0, to: malformed.count, by: step).map { malformed[$0] }
        #expect(sample.count >= 20)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-badquery-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Runner.directory.appendingPathComponent("fixtures"), to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        for text in sample {
            let r = try Spawned.run(["-c", text], env: Spawned.environment(sim: sim), directory: dir.path, timeout: 30)
            #expect(r.endedCleanly, "\(text.prefix(200)): \(r.summary)")
            #expect(r.status == 1, "\(text.prefix(200)): \(r.summary)")
            #expect(Self.hasCaret(r.err) && r.err.contains("--> <command>:"), "\(text.prefix(200)): \(r.summary)")
        }
    }
}
