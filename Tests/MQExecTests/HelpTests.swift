import MQExec
import MQSyntax
import MQTestSupport
import Testing

/// `.help TOPIC` shows examples; each of them must run against the simulator, succeed,
/// and print something, so the help never shows a statement that no longer works.
@Suite struct HelpTests {
    /// Every topic's examples, and every function's (`.help NAME` for a function shows it).
    static var examples: [String] {
        HelpTopics.all.flatMap(\.examples) + FunctionSpec.all.map { HelpTopics.function($0).examples[0] }
    }

    @Test(arguments: examples)
    func exampleRuns(_ example: String) async throws {
        let r = try await Runner.run(example, sim: try Sims.standard())
        #expect(r.status == 0, "\(example): \(r.errors)")
        #expect(r.errors.isEmpty, "\(example): \(r.errors)")
        #expect(!r.output.isEmpty, "\(example) printed nothing")
    }

    @Test func everySourceAndStageHasATopicWithAnExample() {
        for name in ["customers", "summary", "billing", "messaging", "where", "select", "sort", "summarize",
                     "count", "join", "flatten", "top", "chart", "let", "explain"] {
            let topic = HelpTopics.topic(name)
            #expect(topic != nil, "no topic \(name)")
            #expect(topic?.examples.isEmpty == false, "\(name) has no example")
        }
        #expect(HelpTopics.topic("filter")?.name == "where")
    }

    /// `.help NAME` answers for every function: its own topic, or (for `count` and
    /// `distinct`, which are stages too) the stage's, which points to `.help functions`.
    @Test func everyFunctionHasHelp() {
        let functions = HelpTopics.topic("functions")
        for spec in FunctionSpec.all {
            #expect(HelpTopics.topic(spec.name) != nil, "no help for \(spec.name)")
            #expect(functions?.text.contains(spec.signature.filter { $0 != "`" }) == true, "`.help functions` does not list \(spec.name)")
        }
    }

    /// A diagnostic's usage hint ends "`.help TOPIC` has more": that topic exists.
    @Test func everyUsageHintNamesATopicThatExists() {
        for name in Usage.forms.keys.sorted() {
            let topic = Usage.topic(name)
            #expect(HelpTopics.topic(topic) != nil, "\(name): no topic \(topic)")
            #expect(Usage.hint(name)?.contains("see `.help \(topic)`") == true)
        }
    }

    @Test func helpShowsATopicAMetaCommandAndRejectsAnUnknownOne() async throws {
        let sim = try Sims.standard()
        let sort = try await Runner.run(".help sort", sim: sim)
        #expect(sort.output.contains("examples:\n  customers | sort -conversations"))
        let format = try await Runner.run(".help .format", sim: sim)
        #expect(format.output.hasPrefix(".format NAME\n"))
        let bad = try await Runner.run(".help srot", sim: sim)
        #expect(bad.status == 1)
        #expect(bad.errors.contains("no help on `srot`") && bad.errors.contains("did you mean `sort`"), "\(bad.errors)")
    }
}
