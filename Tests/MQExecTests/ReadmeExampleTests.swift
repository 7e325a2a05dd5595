import Foundation
import MQTestSupport
import Testing

/// Every line of the README's ```mq blocks runs against the demo data without error.
@Suite struct ReadmeExampleTests {
    static var examples: [String] {
        let readme = Runner.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
        guard let text = try? String(contentsOf: readme, encoding: .utf8) else { return [] }
        var out: [String] = []
        var inBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock = line == "```mq"
                continue
            }
            if inBlock && !line.trimmingCharacters(in: .whitespaces).isEmpty { out.append(String(line)) }
        }
        return out
    }

    @Test func theReadmeHasExamples() {
        #expect(Self.examples.count >= 8)
    }

    @Test(arguments: examples)
    func example(_ statement: String) async throws {
        let r = try await Runner.run(statement, sim: try Sims.standard())
        #expect(r.status == 0, "\(statement)\n\(r.errors)")
        #expect(!r.output.isEmpty)
    }
}
