import Foundation
import MQCore
@testable import MQExec
import MQSyntax
import Testing

/// The closed vocabularies are each one table: these check that what derives from a
/// table agrees with it, and that no code or function is made twice or left out.
@Suite struct VocabularyTests {
    /// Every scalar function has exactly one implementation, every aggregate one fold,
    /// and nothing is implemented that the table does not declare.
    @Test func eachFunctionSpecHasOneImplementation() {
        let scalars = Set(FunctionSpec.scalarNames)
        let aggregates = Set(FunctionSpec.aggregateNames)
        #expect(Set(Evaluator.scalars.keys) == scalars, "evaluator: \(Evaluator.scalars.keys.sorted()) vs specs \(scalars.sorted())")
        #expect(Set(Aggregation.folds.keys) == aggregates, "folds: \(Aggregation.folds.keys.sorted()) vs specs \(aggregates.sorted())")
        #expect(scalars.isDisjoint(with: aggregates))
        #expect(WindowFunctions.names == Set(FunctionSpec.windowNames), "window functions: \(WindowFunctions.names.sorted())")
        #expect(Set(FunctionSpec.all.map(\.name)).count == FunctionSpec.all.count, "a function is declared twice")
        for spec in FunctionSpec.all {
            #expect(spec.signature.contains(spec.name + "("), "\(spec.name)'s signature: \(spec.signature)")
        }
    }

    /// Each function's example is a stage that parses and uses the function.
    @Test func eachFunctionExampleParsesAndUsesItsFunction() throws {
        for spec in FunctionSpec.all {
            let text = "\(Catalog.customers.name) | \(spec.example)"
            let statements = try Parser.parse(SourceText(text))
            #expect(statements.count == 1, "\(text)")
            #expect(text.contains(spec.name + "("), "the example of \(spec.name) does not call it: \(text)")
        }
    }

    /// Codes are unique, warnings start with W and errors with E, and each code is made
    /// at exactly one place in the sources (its factory): one code, one mistake.
    @Test func eachDiagnosticCodeIsMadeByOneFactory() throws {
        let raw = DiagnosticCode.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count, "a code is used twice: \(raw)")
        for c in DiagnosticCode.allCases {
            #expect(c.rawValue.count == 4 && (c.rawValue.hasPrefix("E") || c.rawValue.hasPrefix("W")), "\(c)")
        }
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var text = ""
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let url as URL in files where url.pathExtension == "swift" { text += try String(contentsOf: url, encoding: .utf8) }
        #expect(!text.contains("Diagnostic(\""), "a diagnostic is made from a string code instead of a DiagnosticCode")
        for c in DiagnosticCode.allCases {
            let made = text.components(separatedBy: "Diagnostic(.\(c),").count - 1
            #expect(made == 1, "\(c) (\(c.rawValue)) is made at \(made) places; each code has one factory")
        }
    }

    /// Stage words: each alias names a stage, and the parser accepts every word.
    @Test func stageAliasesNameStages() throws {
        for (alias, stage) in Usage.aliases {
            #expect(Usage.stageNames.contains(stage), "\(alias) → \(stage)")
            #expect(Stage.names.contains(alias))
        }
        for word in Stage.names {
            #expect(Usage.form(word) != nil, "no usage for `\(word)`")
        }
    }
}
