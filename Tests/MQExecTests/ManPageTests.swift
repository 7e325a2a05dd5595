import Foundation
@testable import MQExec
import MQSyntax
import Testing

/// The manual pages come from the tables `.help` reads, so every topic, function and meta
/// command is in mq-language(7); and both pages render through groff with every warning
/// on (`-ww`) and none given.
@Suite struct ManPageTests {
    static let language = ManPages.language(version: "0.1.0")

    @Test func everyHelpTopicIsASubsection() {
        let headings = Set(Self.language.split(separator: "\n").filter { $0.hasPrefix(".SS ") }.map { String($0.dropFirst(4)) })
        for topic in HelpTopics.all {
            #expect(headings.contains(ManPages.escape(topic.name)), "`.help \(topic.name)` has no section in mq-language(7)")
        }
        #expect(headings.count == HelpTopics.all.count, "one section a topic")
    }

    @Test func everyFunctionAndMetaCommandIsListed() {
        for spec in FunctionSpec.all {
            let synopsis = ManPages.escape(HelpTopics.function(spec).synopsis)
            #expect(Self.language.contains(".TP\n\\fB" + synopsis + "\\fR\n"), "function \(spec.name) is not listed")
        }
        for c in MetaCommands.all {
            #expect(Self.language.contains(".TP\n\\fB." + ManPages.escape(c.name)), "meta command .\(c.name) is not listed")
        }
    }

    /// Text that roff would read as requests or escapes comes out as text.
    @Test func textIsEscaped() {
        #expect(ManPages.text("a. 'b' .c \\d é `x-y`") == "a.\n\\&'b' .c \\ed \\[u00E9] \\fBx\\-y\\fR\n")
        #expect(ManPages.text(".help") == "\\&.help\n")
        #expect(ManPages.escape("日本") == "\\[u65E5]\\[u672C]")
    }

    @Test func languagePageRendersWithoutWarnings() throws {
        let warnings = try Self.groffWarnings(Self.language)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    /// groff's warnings for a page (`-man -ww -z`); groff is in groff-base, which man-db needs.
    static func groffWarnings(_ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("man-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("page.man").path
        try text.write(toFile: page, atomically: true, encoding: .utf8)
        let r = try Spawned.run(["-man", "-Tutf8", "-ww", "-z", page], env: ["PATH": "/usr/bin:/bin"], executable: "/usr/bin/groff")
        #expect(r.status == 0, "groff: \(r.summary)")
        return r.err
    }
}
