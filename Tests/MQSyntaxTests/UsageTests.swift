import MQSyntax
import Testing

/// The usage a hint shows is syntax that parses, and every stage has one.
@Suite struct UsageTests {
    static let names = Usage.forms.keys.sorted()

    @Test(arguments: names)
    func theExampleParsesWhereItStands(_ name: String) throws {
        let form = try #require(Usage.form(name))
        let text = switch form.kind {
        case .stage: "customers | " + form.example
        case .clause: "customers " + form.example
        case .statement: form.example
        }
        #expect(throws: Never.self, "\(name): \(text)") { try Parser.parse(SourceText(text)) }
        #expect(Usage.hint(name)?.contains(form.synopsis) == true)
    }

    /// What a SQL or dataframe word is called here: the example shown parses.
    @Test func theOtherLanguagesExamplesParse() throws {
        for (word, hint) in Hints.otherLanguages {
            #expect(throws: Never.self, "\(word): \(hint.example)") { try Parser.parse(SourceText("customers | " + hint.example)) }
            #expect(!Stage.names.contains(word), "`\(word)` is a stage already")
        }
    }

    @Test func everyStageAndClauseHasAUsage() {
        for stage in Stage.names { #expect(Usage.form(stage) != nil, "no usage for stage \(stage)") }
        for clause in Clause.names {
            #expect(Usage.form(clause) ?? Usage.form(clause + " clause") != nil, "no usage for clause \(clause)")
        }
    }
}
