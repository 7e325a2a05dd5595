import Foundation
import Testing

/// ARCHITECTURE.md's module map against the code: every `import` under Sources/ is in
/// its module's row, every name in a row is imported, rows import only rows below them,
/// and every module of Sources/ has a row. The rules are the ones written above the table.
@Suite struct ModuleMapTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func theMapIsTrueForTheSources() throws {
        let markdown = try String(contentsOf: Self.repository.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let map = try ModuleMap(markdown: markdown)
        let imports = try ModuleMap.imports(under: Self.repository.appendingPathComponent("Sources"))
        #expect(map.rows.count >= 10, "expected a row per module of Sources/, found \(map.rows.map(\.module))")
        #expect(imports.count >= 10, "expected the modules of Sources/, found \(imports.keys.sorted())")
        for problem in map.problems(imports: imports) { Issue.record(Comment(rawValue: problem)) }
    }

    /// The real table against the real sources plus one file that imports what its module
    /// may not (Foundation in MQCore, MQClient in MQExec): each is caught, and nothing else.
    @Test func aNewImportInTheRealSourcesWouldFail() throws {
        let markdown = try String(contentsOf: Self.repository.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let map = try ModuleMap(markdown: markdown)
        var imports = try ModuleMap.imports(under: Self.repository.appendingPathComponent("Sources"))
        imports["MQCore"]?["Added.swift"] = ModuleMap.modulesImported(by: "import Foundation\n")
        imports["MQExec"]?["Added.swift"] = ModuleMap.modulesImported(by: "@preconcurrency import MQClient\n")
        #expect(map.problems(imports: imports) == [
            "Sources/MQExec/Added.swift imports MQClient, which the module map does not list for MQExec",
            "Sources/MQCore/Added.swift imports Foundation, which the module map does not list for MQCore",
        ], "expected exactly the two added imports to be reported")
    }

    // MARK: the checker itself, on samples

    static let sampleTable = """
        # Title

        ## Module map

        Some text.

        | module | kind | may import | notes |
        |---|---|---|---|
        | `app` | executable | `Lib`, `Foundation` | why |
        | `Lib` | library | `Base` | |
        | `Base` | library | — | the bottom |
        | `CThing` | system library | — | |

        ## Next section

        | not | the | map |
        |---|---|---|
        """

    @Test func readsTheTable() throws {
        let map = try ModuleMap(markdown: Self.sampleTable)
        #expect(map.rows.map(\.module) == ["app", "Lib", "Base", "CThing"], "expected the four rows in order")
        #expect(map.rows.map(\.mayImport) == [["Lib", "Foundation"], ["Base"], [], []], "expected each row's names")
        #expect(map.rows.map(\.kind) == ["executable", "library", "library", "system library"], "expected each row's kind")
    }

    @Test func refusesAnUnreadableTable() {
        let prose = Self.sampleTable.replacingOccurrences(of: "`Lib`, `Foundation`", with: "`Lib` and Foundation")
        #expect(throws: ModuleMap.Failure.self, "expected a name outside backticks to be refused") { try ModuleMap(markdown: prose) }
        let kind = Self.sampleTable.replacingOccurrences(of: "| executable |", with: "| program |")
        #expect(throws: ModuleMap.Failure.self, "expected an unknown kind to be refused") { try ModuleMap(markdown: kind) }
        let columns = Self.sampleTable.replacingOccurrences(of: "| module | kind | may import | notes |", with: "| module | kind | imports |")
        #expect(throws: ModuleMap.Failure.self, "expected other columns to be refused") { try ModuleMap(markdown: columns) }
        let none = Self.sampleTable.replacingOccurrences(of: "## Module map", with: "## Modules")
        #expect(throws: ModuleMap.Failure.self, "expected a missing section to be refused") { try ModuleMap(markdown: none) }
    }

    /// What the sample's sources import when they agree with the sample table.
    static let agreeing: [String: [String: [String]]] = [
        "app": ["main.swift": ["Lib", "Foundation", "Glibc"]],
        "Lib": ["Lib.swift": ["Base", "Darwin"]],
        "Base": ["Base.swift": []],
        "CThing": [:],
    ]

    @Test func agreeingSourcesHaveNoProblems() throws {
        let map = try ModuleMap(markdown: Self.sampleTable)
        #expect(map.problems(imports: Self.agreeing) == [], "expected no problems when the sources import what the rows say")
    }

    /// The check the map exists for: an import its row does not name fails.
    @Test func anImportNotInTheTableIsAProblem() throws {
        let map = try ModuleMap(markdown: Self.sampleTable)
        var imports = Self.agreeing
        imports["Lib"]!["Lib.swift"]!.append("Foundation")
        #expect(map.problems(imports: imports) == [
            "Sources/Lib/Lib.swift imports Foundation, which the module map does not list for Lib",
        ], "expected the unlisted Foundation to be reported")
    }

    @Test func aNameNoLongerImportedIsAProblem() throws {
        let map = try ModuleMap(markdown: Self.sampleTable)
        var imports = Self.agreeing
        imports["app"]!["main.swift"] = ["Lib", "Glibc"]
        #expect(map.problems(imports: imports) == [
            "the module map lists Foundation for app, but no file of Sources/app imports it",
        ], "expected the stale Foundation to be reported")
    }

    @Test func importingUpwardsIsAProblem() throws {
        let upward = Self.sampleTable.replacingOccurrences(of: "| `Base` | library | — |", with: "| `Base` | library | `Lib` |")
        let map = try ModuleMap(markdown: upward)
        var imports = Self.agreeing
        imports["Base"]!["Base.swift"] = ["Lib"]
        #expect(map.problems(imports: imports) == ["Base may import Lib, which is not below it in the module map"],
                "expected the upward import to be reported")
    }

    @Test func aModuleWithoutARowAndARowWithoutAModuleAreProblems() throws {
        let map = try ModuleMap(markdown: Self.sampleTable)
        var imports = Self.agreeing
        imports["Extra"] = ["Extra.swift": ["Base"]]
        imports["CThing"] = nil
        #expect(map.problems(imports: imports) == [
            "Sources/Extra has no row in the module map",
            "the module map has a row for CThing, which is not a directory of Sources/",
        ], "expected the missing row and the stale row to be reported")
    }

    @Test func theCLibraryIsNotListed() throws {
        let listed = Self.sampleTable.replacingOccurrences(of: "`Lib`, `Foundation`", with: "`Lib`, `Foundation`, `Glibc`")
        let map = try ModuleMap(markdown: listed)
        #expect(map.problems(imports: Self.agreeing) == ["the module map lists Glibc for app: the C library is allowed everywhere and not listed"],
                "expected a listed Glibc to be reported")
    }

    @Test func findsEveryFormOfImport() {
        let source = ##"""
            import A
            @preconcurrency import B
            @_exported import C
            import struct D.Thing
            import func E.run
            public import F
            @_spi(Private) @testable import G
            import H.Submodule
            #if canImport(I)
            import I
            #endif
              import J; import K
            internal import typealias L.Alias
            // import NotInALineComment
            /* import NotInABlockComment */
            /*
             import NotInAMultiLineComment /* nested */
             import StillInTheComment
             */
            let text = """
                import NotInAMultiLineString
                """
            let raw = #"""
                import NotInARawString "\(x)"
                """#
            let joined = """
                one \
                import NotInAContinuedLine
                """
            let s = "a \("b") c"; import M
            let importantValue = 1
            func f() { x.import(N) }
            """##
        #expect(ModuleMap.modulesImported(by: source) == ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M"],
                "expected each form of import and nothing from comments, strings or other words")
        #expect(ModuleMap.codeOnly(source).split(separator: "\n", omittingEmptySubsequences: false).count
                    == source.split(separator: "\n", omittingEmptySubsequences: false).count,
                "expected the code-only text to keep every line")
    }
}

/// ARCHITECTURE.md's "## Module map" table, and the check of it against Sources/.
struct ModuleMap {
    struct Row: Equatable {
        var module: String
        var kind: String
        var mayImport: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let kinds: Set<String> = ["executable", "library", "C target", "system library"]
    /// The C library, which any module may import (under `#if canImport`) and no row lists.
    static let everywhere: Set<String> = ["Glibc", "Darwin"]

    /// In the table's order, top (imports the most) to bottom.
    var rows: [Row]

    init(markdown: String) throws {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        guard let heading = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "## Module map" }) else {
            throw Failure(description: "expected a \"## Module map\" section")
        }
        let section = lines[(heading + 1)...].prefix { !$0.hasPrefix("## ") }
        let table = section.drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        func cells(_ line: String) -> [String] {
            line.trimmingCharacters(in: .whitespaces).dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard table.count >= 2, cells(table.first!) == ["module", "kind", "may import", "notes"] else {
            throw Failure(description: "expected the module map's table to have the columns module | kind | may import | notes, found \(table.first ?? "no table")")
        }
        func name(_ cell: String, _ allowed: String) throws -> String {
            guard cell.count > 2, cell.hasPrefix("`"), cell.hasSuffix("`"),
                  cell.dropFirst().dropLast().allSatisfy({ allowed.contains($0) || $0.isLetter || $0.isNumber }),
                  !cell.dropFirst().dropLast().contains("`")
            else { throw Failure(description: "expected a module name in backticks, found \(cell.debugDescription)") }
            return String(cell.dropFirst().dropLast())
        }
        rows = try table.dropFirst(2).map { line in
            let c = cells(line)
            guard c.count == 4 else { throw Failure(description: "expected four cells in \(line.debugDescription)") }
            guard Self.kinds.contains(c[1]) else {
                throw Failure(description: "expected a kind among \(Self.kinds.sorted()) in \(line.debugDescription)")
            }
            let names = c[2] == "—" || c[2].isEmpty ? [] : try c[2].split(separator: ",").map {
                try name($0.trimmingCharacters(in: .whitespaces), "_")
            }
            return Row(module: try name(c[0], "_-"), kind: c[1], mayImport: names)
        }
    }

    /// What the map gets wrong about `imports` (module → file → modules it imports), as
    /// sentences; none when it is true.
    func problems(imports: [String: [String: [String]]]) -> [String] {
        var out: [String] = []
        let index = Dictionary(rows.enumerated().map { ($1.module, $0) }, uniquingKeysWith: { a, _ in a })
        for module in imports.keys.sorted() where index[module] == nil { out.append("Sources/\(module) has no row in the module map") }
        for row in rows where imports[row.module] == nil {
            out.append("the module map has a row for \(row.module), which is not a directory of Sources/")
        }
        for (i, row) in rows.enumerated() {
            for name in row.mayImport {
                if Self.everywhere.contains(name) {
                    out.append("the module map lists \(name) for \(row.module): the C library is allowed everywhere and not listed")
                } else if let j = index[name], j <= i {
                    out.append("\(row.module) may import \(name), which is not below it in the module map")
                }
            }
            guard let files = imports[row.module] else { continue }
            let allowed = Set(row.mayImport).union(Self.everywhere)
            for file in files.keys.sorted() {
                for name in Set(files[file]!).subtracting(allowed).sorted() {
                    out.append("Sources/\(row.module)/\(file) imports \(name), which the module map does not list for \(row.module)")
                }
            }
            // C targets have no Swift to read (their #includes are not checked).
            guard !files.isEmpty else { continue }
            let used = Set(files.values.joined())
            for name in row.mayImport where !used.contains(name) && !Self.everywhere.contains(name) {
                out.append("the module map lists \(name) for \(row.module), but no file of Sources/\(row.module) imports it")
            }
        }
        return out
    }

    /// For each directory of `sources`, each .swift file under it (its path inside the
    /// module) and the modules it imports.
    static func imports(under sources: URL) throws -> [String: [String: [String]]] {
        let fm = FileManager.default
        var out: [String: [String: [String]]] = [:]
        for module in try fm.contentsOfDirectory(atPath: sources.path) {
            var isDirectory: ObjCBool = false
            let dir = sources.appendingPathComponent(module)
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            var files: [String: [String]] = [:]
            let paths = fm.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []
            for file in paths where file.hasSuffix(".swift") {
                files[file] = modulesImported(by: try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
            }
            out[module] = files
        }
        return out
    }

    /// The top-level modules a Swift source imports, in order: `import X`, with attributes
    /// (`@preconcurrency`, `@_exported`, `@testable`, `@_spi(…)`), an access level
    /// (`public import`) or a kind (`import struct X.Y`); `X.Sub` counts as `X`. Comments
    /// and string literals are skipped, so neither a commented-out import nor a script in a
    /// string counts. (Bare `/regex/` literals are not recognised: none in Sources.)
    static func modulesImported(by source: String) -> [String] {
        let pattern = #"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#
        let regex = try! NSRegularExpression(pattern: pattern)
        var out: [String] = []
        for line in codeOnly(source).split(whereSeparator: { $0 == "\n" || $0 == ";" }) {
            let statement = line.trimmingCharacters(in: .whitespaces)
            let ns = statement as NSString
            if let m = regex.firstMatch(in: statement, range: NSRange(location: 0, length: ns.length)) {
                out.append(ns.substring(with: m.range(at: 1)))
            }
        }
        return out
    }

    /// `source` with every comment and string literal (interpolations included) replaced
    /// by spaces, newlines kept.
    static func codeOnly(_ source: String) -> String {
        let b = Array(source.utf8)
        var out = [UInt8](repeating: 0x20, count: b.count)
        enum Frame {
            case code(depth: Int)  // an interpolation's code, with its open parentheses
            case string(hashes: Int, multiline: Bool)
        }
        var stack: [Frame] = [.code(depth: 0)]
        var i = 0
        func at(_ k: Int, _ c: Character) -> Bool { k < b.count && b[k] == c.asciiValue! }
        func hashes(from k: Int) -> Int {
            var n = 0
            while at(k + n, "#") { n += 1 }
            return n
        }
        while i < b.count {
            if b[i] == 0x0A { out[i] = 0x0A }
            switch stack[stack.count - 1] {
            case .code(let depth):
                if at(i, "/") && at(i + 1, "/") {
                    while i < b.count && b[i] != 0x0A { i += 1 }
                    continue
                }
                if at(i, "/") && at(i + 1, "*") {
                    var nesting = 0
                    repeat {
                        if at(i, "/") && at(i + 1, "*") { nesting += 1; i += 2 }
                        else if at(i, "*") && at(i + 1, "/") { nesting -= 1; i += 2 }
                        else { if b[i] == 0x0A { out[i] = 0x0A }; i += 1 }
                    } while nesting > 0 && i < b.count
                    continue
                }
                let n = hashes(from: i)
                if at(i + n, "\"") {
                    let multiline = at(i + n + 1, "\"") && at(i + n + 2, "\"")
                    stack.append(.string(hashes: n, multiline: multiline))
                    i += n + (multiline ? 3 : 1)
                    continue
                }
                if n > 0 {  // #if, #filePath, …: code
                    for k in i..<(i + n) { out[k] = b[k] }
                    i += n
                    continue
                }
                if stack.count > 1 && at(i, "(") { stack[stack.count - 1] = .code(depth: depth + 1) }
                if stack.count > 1 && at(i, ")") {
                    if depth == 0 {
                        stack.removeLast()  // back in the string
                        i += 1
                        continue
                    }
                    stack[stack.count - 1] = .code(depth: depth - 1)
                }
                if stack.count == 1 { out[i] = b[i] }
                i += 1
            case .string(let n, let multiline):
                if at(i, "\\") && hashes(from: i + 1) >= n {
                    let after = i + 1 + n
                    if at(after, "(") {
                        stack.append(.code(depth: 0))
                        i = after + 1
                    } else {
                        if at(after, "\n") { out[after] = 0x0A }  // a line continuation keeps its line
                        i = after + 1  // an escaped character
                    }
                    continue
                }
                let quotes = multiline ? 3 : 1
                if (0..<quotes).allSatisfy({ at(i + $0, "\"") }) && hashes(from: i + quotes) >= n {
                    stack.removeLast()
                    i += quotes + n
                    continue
                }
                if !multiline && b[i] == 0x0A { stack.removeLast() }  // unterminated: end at the line
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
