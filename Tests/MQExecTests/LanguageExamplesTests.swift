import Foundation
import MQExec
import MQPlanner
import MQSyntax
import MQTestSupport
import Testing

/// Every example of language.md's v2 section runs as written: each code span that is a
/// statement (or a stage, written after `customers | `) runs against the simulator and
/// succeeds (a warning is fine: some show one on purpose).
@Suite struct LanguageExamplesTests {
    /// The contract lives in ../shared/design, outside the repository, where a clean clone
    /// may not have it: the tests read the copy in `contract/`, and check it against the
    /// original wherever the original is there.
    static let copy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("contract/language.md")
    static let original = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/design/language.md")

    @Test func theCopyOfTheContractIsCurrent() throws {
        let copy = try String(contentsOf: Self.copy, encoding: .utf8)
        #expect(copy.contains("# v2:"), "contract/language.md has no v2 section")
        if let original = try? String(contentsOf: Self.original, encoding: .utf8) {
            #expect(original == copy, "language.md changed: cp ../shared/design/language.md Tests/MQExecTests/contract/")
        }
    }

    /// The v2 section's code spans that parse as a statement, or as stages after a source.
    static var examples: [String] {
        guard let text = try? String(contentsOf: copy, encoding: .utf8), let v2 = text.range(of: "# v2:") else { return [] }
        var spans: [String] = []
        var rest = text[v2.upperBound...]
        while let open = rest.firstIndex(of: "`") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "`") else { break }
            spans.append(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        return spans.filter { span in
            // A synopsis (`pivot K, V`, `flatten PATH [as NAME]`) is not an example, and a
            // `save` would write into the fixtures.
            span.range(of: #"\b[A-Z]+\b"#, options: .regularExpression) == nil && !span.contains("save ")
        }.filter { span in context(of: span) != nil }
    }

    /// The first context in which the span parses and plans as a query of its own (a
    /// signature such as `if(cond, then, else)` names fields no source has: none).
    static func context(of span: String) -> String? {
        var planning = PlannerContext(now: Runner.now)
        planning.variables["id"] = .result(columns: ["id"], single: .string("00000000-0000-4000-8000-000000000000"), rows: 1)
        planning.fileColumns = { _ in ["phone", "account", "tier", "since", "score"] }
        planning.evaluate = Session.constantEvaluator(now: Runner.now)
        return contexts.first { c in
            guard let s = try? Parser.parse(SourceText(c + span)), let last = s.last, isRunnable(last, span),
                  case .query(let q) = last.kind else { return false }
            return (try? Planner(planning).plan(q)) != nil
        }
    }

    /// Where an example may be written: a statement; a stage after a source of the list or
    /// of one contact's detail; a clause after a source; a condition in a `where`.
    static let contexts = ["", "customers | ", "let id = (customers | limit 1 | select id); customer $id | ", "customers ",
                           "customers | where "]

    /// A query with a stage or a clause that the span wrote (not a bare word or value).
    static func isRunnable(_ s: Statement, _ span: String) -> Bool {
        guard case .query(let q) = s.kind else { return false }
        let words = span.split(separator: " ").count
        return (!q.stages.isEmpty || !q.clauses.isEmpty || span.hasPrefix("from ")) && (words > 1 || span == "describe")
    }

    /// The examples the section calls "must work as written", and the other statements it
    /// shows, are among those found (so a change in how they are found cannot drop them).
    @Test func theSectionsExamplesAreFound() {
        let found = Self.examples
        #expect(found.count >= 12, "found only \(found)")
        for must in ["since month(today) - 1mo", "csat > \"high\"", "flatten metrics.byMonth", "count by category | derive pct = round(100 * count / sum(count) over (), 1)",
                     "derive r = rank() over (by category sort -conversations) | where r <= 3",
                     "messaging since -30d | derive total = sum(sent) over (sort date)",
                     "customers | count by category, outcome = resolutionOutcome | pivot outcome, count",
                     "from \"crm.csv\" | describe"] {
            #expect(found.contains { $0.hasSuffix(must) }, "not found: \(must)")
        }
    }

    /// It runs, in the first context where it plans.
    @Test(arguments: examples)
    func runsAsWritten(_ example: String) async throws {
        let c = try #require(Self.context(of: example))
        let r = try await Runner.run(c + example, sim: try Sims.standard())
        #expect(r.status == 0, "\(c + example): \(r.errors)")
        #expect(!r.errors.contains("error"), "\(c + example): \(r.errors)")
        #expect(!r.output.isEmpty, "\(c + example) printed nothing")
    }
}
