import Foundation
import MQCore
import MQTestSupport
import Testing

/// `| save "path"`: atomic, the format from the extension, rows reported.
@Suite struct SaveTests {
    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("mq-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test(arguments: [("out.csv", "name\nCharlie Williams\nMegan Thomas\n"),
                      ("out.ndjson", "{\"name\":\"Charlie Williams\"}\n{\"name\":\"Megan Thomas\"}\n"),
                      ("out.json", "[{\"name\":\"Charlie Williams\"},\n{\"name\":\"Megan Thomas\"}]\n")])
    func savesInTheExtensionsFormat(file: String, content: String) async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await Runner.run("customers limit 2 | select name | save \"\(file)\"", sim: try Sims.standard(),
                                     baseDirectory: dir.path)
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output.isEmpty, "the rows go to the file, not stdout")
        #expect(r.errors.contains("saved 2 rows to \(file)"))
        #expect(try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) == content)
        // Only the file: no temporary left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [file])
    }

    @Test func aFailedQueryLeavesTheOldFileAndNoTemporary() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("keep.csv")
        try "old\n".write(to: target, atomically: true, encoding: .utf8)
        let r = try await Runner.run("customer 00000000-0000-4000-8000-000000000000 | save \"keep.csv\"",
                                     sim: try Sims.standard(), baseDirectory: dir.path)
        #expect(r.status == 3)
        #expect(try String(contentsOf: target, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.csv"])
    }

    @Test func aFullDeviceIsAnErrorAndStaysADevice() async throws {
        let r = try await Runner.run("customers limit 500 | format csv | save \"/dev/full\"", sim: try Sims.standard())
        #expect(r.status != 0)
        #expect(r.errors.contains("cannot write /dev/full") && r.errors.contains("No space left"), "\(r.errors)")
        var st = stat()
        #expect(stat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "still a character device")
    }

    /// `.output FILE` wrote the terminal's colour codes into the file.
    @Test func outputToAFileHasNoColourCodes() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let query = "customers limit 3 | select name, csat"
        let r = try await Runner.run(".output out.txt\n\(query)\n.output -\n\(query)", sim: try Sims.standard(),
                                     baseDirectory: dir.path, terminal: true)
        #expect(r.status == 0, "\(r.errors)")
        let file = try String(contentsOf: dir.appendingPathComponent("out.txt"), encoding: .utf8)
        #expect(file.hasPrefix("name             │ csat\n"), "\(file)")
        #expect(!file.contains("\u{1B}"), "no escape codes in the file: \(file.debugDescription)")
        #expect(!file.contains("∅"), "null is an empty cell in a file")
        #expect(r.output.contains("\u{1B}[1mname"), "the terminal still gets its colour")
        #expect(r.output.contains("∅"), "and its null mark")
    }

    @Test func anUnknownExtensionSaysWhichWork() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await Runner.run("summary | save \"out.xlsx\"", sim: try Sims.standard(), baseDirectory: dir.path)
        #expect(r.status == 1)
        #expect(r.errors.contains("cannot tell the format") && r.errors.contains(".csv"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
