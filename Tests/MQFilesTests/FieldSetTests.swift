import Foundation
import MQCore
import MQFiles
import Testing

/// `RowReader(fields:)`: rows keep only the named fields, and a file that is wrong is as
/// wrong as it is read whole (same error, same place), whatever the fields skipped hold.
@Suite struct FieldSetTests {
    /// Every row read with `fields`, and the rows read whole then cut down to them.
    static func both(_ path: String, _ fields: Set<String>, format: FileFormat? = nil)
        -> (kept: [JSONObject], cut: [JSONObject], keptError: FileError?, wholeError: FileError?)
    {
        func read(_ set: FieldSet?) -> ([JSONObject], FileError?) {
            var rows: [JSONObject] = []
            do {
                let r = try RowReader(path: path, format: format, fields: set)
                while let b = try r.next(max: 3) { rows += b }
                return (rows, nil)
            } catch {
                return (rows, error)
            }
        }
        let (kept, keptError) = read(FieldSet(fields))
        let (whole, wholeError) = read(nil)
        let cut = whole.map { row in
            var o = JSONObject()
            for (k, v) in row where fields.contains(k) { o.appendUnchecked(k, v) }
            return o
        }
        return (kept, cut, keptError, wholeError)
    }

    static func sameInOrder(_ a: [JSONObject], _ b: [JSONObject]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.keys == $1.keys && $0.values == $1.values }
    }

    @Test(arguments: [
        ("rows.ndjson", "{\"id\":1,\"name\":\"Ann \\u00e9\",\"tags\":[\"a\",{\"x\":[1,2e3]}],\"n\":-12,\"id\":2}\n{\"n\":1.5,\"z\":null}\n"),
        ("rows.json", "[{\"id\":\"a\",\"deep\":{\"a\":{\"b\":[true,false,null]}},\"n\":123456789012345678901},\n {\"n\":0, \"esc\\\"aped\":1}]"),
        ("rows.json", "{\"id\": 7, \"other\": \"x\", \"n\": -0}"),
        // Space, then a byte-order mark, then the array: read whole, not streamed (the
        // files fuzzer found it kept every field).
        ("rows.json", "\n\n\u{FEFF}[{},\n {\"id\": 0},\n {\"a\\tb\":\"x\",\"n\":3,\"other\": 0}]"),
        ("rows.csv", "id,name,n,notes\n1,Ann,3,\"a \"\"quoted\"\", note\"\n2,Bob,,x\n"),
    ])
    func rowsKeepTheNamedFieldsInTheirOrder(_ name: String, _ text: String) throws {
        let dir = try TempDirectory()
        let path = try dir.write(name, text)
        let r = Self.both(path, ["id", "n", "esc\"aped"])
        #expect(r.keptError == nil && r.wholeError == nil, "\(String(describing: r.keptError))")
        #expect(Self.sameInOrder(r.kept, r.cut), "\(r.kept) vs \(r.cut)")
        #expect(r.kept.contains { !$0.isEmpty })
        // The first row of the NDJSON file kept its duplicate key's first place and last value.
        if name == "rows.ndjson" { #expect(r.kept[0].keys == ["id", "n"] && r.kept[0]["id"] == .int(2)) }
    }

    /// Damage inside a field that is skipped fails the read as it would read whole.
    @Test(arguments: [
        "{\"id\":1,\"skip\":\"bad \\q escape\"}",
        "{\"id\":1,\"skip\":\"control \u{01} char\"}",
        "{\"id\":1,\"skip\":\"\\ud800 lone\"}",
        "{\"id\":1,\"skip\":1e999}",
        "{\"id\":1,\"skip\":1" + String(repeating: "0", count: 400) + ".5}",
        "{\"id\":1,\"skip\":01}",
        "{\"id\":1,\"skip\":-}",
        "{\"id\":1,\"skip\":[1,]}",
        "{\"id\":1,\"skip\":{\"a\" 1}}",
        "{\"id\":1,\"skip\":tru}",
        "{\"id\":1,\"skip\":\"unterminated}",
        "{\"id\":1,\"skip\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}",
        "{\"id\":1,\"skip\":1} trailing",
        "{\"id\":1,\"sk\u{01}ip\":1}",
        "[1,2]",
    ])
    func damageInASkippedFieldIsTheSameError(_ line: String) throws {
        let dir = try TempDirectory()
        for (name, text) in [("bad.ndjson", "{\"id\":0}\n" + line + "\n"), ("bad.json", "[{\"id\":0},\n" + line + "]")] {
            let path = try dir.write(name, text)
            let r = Self.both(path, ["id"])
            #expect(r.wholeError != nil, "\(name): \(line) reads whole")
            #expect(r.keptError == r.wholeError, "\(name): \(String(describing: r.keptError)) vs \(String(describing: r.wholeError))")
            #expect(Self.sameInOrder(r.kept, r.cut))
        }
    }

    @Test func invalidUTF8InASkippedFieldIsTheSameError() throws {
        let dir = try TempDirectory()
        let bad: [UInt8] = Array("{\"id\":1,\"skip\":\"a".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
        let csv: [UInt8] = Array("id,skip\n1,a".utf8) + [0xFF] + Array("\n".utf8)
        for (name, bytes) in [("u.ndjson", bad), ("u.csv", csv)] {
            let path = try dir.write(name, bytes)
            let r = Self.both(path, ["id"])
            #expect(r.wholeError != nil && r.keptError == r.wholeError, "\(name): \(String(describing: r.keptError))")
        }
    }

    /// The test fixtures, with half their fields kept.
    @Test func theFixturesCutDownAlike() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("MQExecTests/fixtures")
        for name in ["crm.csv", "events.ndjson", "vips.json", "bad.csv", "bad.json"] {
            let path = fixtures.appendingPathComponent(name).path
            let whole = Self.both(path, [])
            var names = Set<String>()
            for row in (try? readRows(path: path)) ?? [] { names.formUnion(row.keys) }
            let half = Set(names.sorted().enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
            let r = Self.both(path, half)
            #expect(Self.sameInOrder(r.kept, r.cut), "\(name)")
            #expect(r.keptError == r.wholeError, "\(name)")
            #expect(whole.keptError == whole.wholeError, "\(name)")
        }
    }
}
