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

    /// The README opens with a session transcript; each statement in it, run again on the
    /// demo data at the same pinned clock, prints exactly what the transcript shows.
    static var transcript: [(statement: String, output: String)] {
        let readme = Runner.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
        guard let text = try? String(contentsOf: readme, encoding: .utf8),
              let start = text.range(of: "```console\n"),
              let end = text.range(of: "\n```", range: start.upperBound..<text.endIndex)
        else { return [] }
        var out: [(String, String)] = []
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("mq demo> ") {
                out.append((String(line.dropFirst("mq demo> ".count)), ""))
            } else if !out.isEmpty {
                out[out.count - 1].1 += line + "\n"
            }
        }
        return out.filter { $0.0 != "^D" }
    }

    @Test func theOpeningTranscriptIsWhatMqPrints() throws {
        let steps = Self.transcript
        #expect(steps.count >= 3, "the README opens with a transcript")
        for (statement, expected) in steps {
            let r = try CLITests.mq(["--demo", "-c", statement], env: ["MQ_NOW": "2026-11-15T12:00:00Z", "NO_COLOR": "1"])
            #expect(r.status == 0, "\(statement): \(r.err)")
            #expect(r.out == expected, "\(statement)\nREADME shows:\n\(expected)\nmq prints:\n\(r.out)")
        }
    }
}

