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

    /// Saving over a 0600 file left it 0644: the temporary was created with the default
    /// mode and renamed over it. The target's mode is kept; a new file follows the umask.
    @Test func savingKeepsTheTargetsModeAndANewFileFollowsTheUmask() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("private.csv").path
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        chmod(target, 0o600)
        let r = try await Runner.run("customers limit 2 | select name | save \"private.csv\"", sim: try Sims.standard(),
                                     baseDirectory: dir.path)
        #expect(r.status == 0, "\(r.errors)")
        var st = stat()
        #expect(stat(target, &st) == 0 && st.st_mode & 0o7777 == 0o600, "mode \(String(st.st_mode & 0o7777, radix: 8))")
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("name\n"))
        let mask = umask(0o027)
        defer { umask(mask) }
        _ = try await Runner.run("summary | select contacts | save \"new.csv\"", sim: try Sims.standard(), baseDirectory: dir.path)
        #expect(stat(dir.appendingPathComponent("new.csv").path, &st) == 0 && st.st_mode & 0o777 == 0o640,
                "umask 027: \(String(st.st_mode & 0o777, radix: 8))")
    }

    /// Saving through a symlink replaced the link with a file; it writes through to the
    /// link's target (atomically, beside it), and the link stays.
    @Test func savingThroughASymlinkWritesItsTarget() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("real"), withIntermediateDirectories: true)
        let real = dir.appendingPathComponent("real/data.csv").path
        try "old\n".write(toFile: real, atomically: false, encoding: .utf8)
        chmod(real, 0o640)
        let link = dir.appendingPathComponent("link.csv").path
        #expect(symlink("real/data.csv", link) == 0)
        let r = try await Runner.run("summary | select contacts | save \"link.csv\"", sim: try Sims.standard(), baseDirectory: dir.path)
        #expect(r.status == 0, "\(r.errors)")
        var st = stat()
        #expect(lstat(link, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK, "the link is still a link")
        #expect(try String(contentsOfFile: real, encoding: .utf8) == "contacts\n2000\n")
        #expect(stat(real, &st) == 0 && st.st_mode & 0o7777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("real").path) == ["data.csv"])
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
