import Foundation
import MQCore
import MQFormat
import MQPlanner
import MQSyntax

/// What the session has learned from results, for completion: the columns seen for each
/// source, and the values seen for the fields that take a few known values.
public struct Learned: Sendable {
    /// Source key (`customers`, a file's path, `$name`) → columns seen in its results.
    public var fields: [String: Set<String>] = [:]
    /// Field → values seen (`category` → billing, support, …).
    public var values: [String: Set<String>] = [:]
    /// Fields whose values are worth learning.
    static let valueFields: Set<String> = ["category", "resolutionOutcome"]
    static let maxValues = 64

    public init() {}

    mutating func note(source: String, rows: [JSONObject]) {
        var cols = fields[source] ?? []
        for r in rows.prefix(1000) {
            for (k, v) in r {
                cols.insert(k)
                // An object's members, one level down, complete after `k.`.
                if case .object(let o) = v { for m in o.keys { cols.insert(k + "." + m) } }
                if Learned.valueFields.contains(k), case .string(let s) = v, values[k, default: []].count < Learned.maxValues {
                    values[k, default: []].insert(s)
                }
            }
        }
        fields[source] = cols
    }
}

/// Tab completion by context: what can follow the text before the cursor. A pure function
/// of that text and what the session knows, so that it is tested without a terminal.
public struct Completer: Sendable {
    public var variables: [String] = []
    /// Columns of each kept result (`let x = …`), by variable name.
    public var variableColumns: [String: [String]] = [:]
    public var learned = Learned()
    /// Profile names of the config file, for `.profile`.
    public var profiles: [String] = []
    /// Lists a directory (for file names); nil when it cannot be read.
    public var listDirectory: @Sendable (String) -> [(name: String, isDirectory: Bool)]? = { _ in nil }
    public var baseDirectory = "."
    /// A file's columns from its first rows, before any query has read it (the session
    /// reads them as the planner does); nil when it cannot be read.
    public var fileColumns: @Sendable (String) -> [String]? = { _ in nil }

    public init() {}

    public struct Result: Equatable, Sendable {
        public var candidates: [String]
        /// What follows a single candidate: a space; nothing after a directory (more
        /// of the path follows); the closing quote after a file name in a string.
        public var append: Character?
        public init(_ candidates: [String], append: Character? = " ") {
            self.candidates = candidates
            self.append = append
        }
    }

    static let statementWords = ["let", "explain", "param", "from"]
    /// A meta command's argument words, from its table entry.
    static var metaToggles: [String: [String]] {
        Dictionary(uniqueKeysWithValues: MetaCommands.all.filter { !$0.completions.isEmpty }.map { ($0.name, $0.completions) })
    }
    static let functions = FunctionSpec.scalarNames + FunctionSpec.windowNames
    static let aggregates = FunctionSpec.aggregateNames
    static let operators = ["and", "or", "not", "in", "has"]
    /// `today`, `this_month`…: where a value goes.
    static let dateWords = Period.words

    /// Candidates for `word`, the text being completed, given everything typed before it
    /// (earlier continuation lines included). libedit splits words at spaces, quotes,
    /// `$`, `=`, `|`, `(` and the like, so `before` ends with the character that split.
    public func complete(before: String, word: String) -> Result {
        let statement = Completer.currentStatement(before)
        let trimmed = statement.drop { $0 == " " || $0 == "\t" || $0 == "\n" }

        // Meta commands: `.for` → `.format`; then each one's arguments.
        if trimmed.isEmpty, word.hasPrefix(".") {
            return Result(filter(MetaCommands.all.map { "." + $0.name }, word))
        }
        if trimmed.hasPrefix(".") {
            let name = String(trimmed.dropFirst().prefix { $0.isLetter })
            return metaArgument(name, word: word)
        }

        // Inside a string: a file name after `from` / `save` (and `join from`).
        if let quoted = Completer.openString(statement) {
            let head = quoted.before.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).last.map { $0.lowercased() }
            guard head == "from" || head == "save" else { return Result([]) }
            return files(word, closing: "\"")
        }

        if before.hasSuffix("$") { return Result(filter(variables.sorted(), word)) }

        // `category=bil` → billing.
        if let field = Completer.fieldBeforeComparison(statement) {
            var values = Set(Catalog.all.flatMap { $0.filters[field]?.values ?? [] })
            values.formUnion(learned.values[field] ?? [])
            if !values.isEmpty { return Result(filter(values.sorted(), word)) }
        }

        let stages = Completer.splitPipes(statement)
        let stage = stages.last ?? ""
        let stageWords = stage.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        // The first word of a stage: a stage name; of a statement: a source or keyword.
        if stageWords.isEmpty {
            if stages.count > 1 { return Result(filter(Stage.names, word)) }
            return Result(filter(Catalog.all.map(\.name) + Completer.statementWords, word))
        }
        if stages.count == 1, stageWords.first?.lowercased() == "let" {
            if stageWords.count == 1 || !stage.contains("=") { return Result([]) }  // the new name
            if stageWords.count <= 3 { return Result(filter(Catalog.all.map(\.name) + ["from"], word)) }
        }
        if stages.count == 1, stageWords.first?.lowercased() == "explain", stageWords.count == 1 {
            return Result(filter(Catalog.all.map(\.name) + ["from"], word))
        }

        // `since this_`: a date goes there, and a period word is the usual one.
        if stages.count == 1, let last = stageWords.last?.lowercased(), ["since", "until"].contains(last),
           stage.last.map({ $0 == " " || $0 == "\t" || $0 == "\n" }) == true
        {
            return Result(filter(Completer.dateWords, word))
        }

        let fields = fieldNames(of: stages.first ?? "")
        // `agent.` → agent.id, agent.name: the members of an object field.
        if let dot = word.lastIndex(of: ".") {
            let head = String(word[..<dot])
            let members = fields.filter { $0.hasPrefix(head + ".") && !$0.dropFirst(head.count + 1).contains(".") }
            if !members.isEmpty { return Result(filter(members, word)) }
        }
        var candidates: [String]
        switch stages.count == 1 ? "source" : Usage.canonical(stageWords[0]) {
        case "source":
            let clauses = sourceEntry(stages[0])?.clauses ?? ["where"]
            candidates = clauses + fields + Completer.operators + Completer.dateWords
        case "sort", "select", "distinct", "flatten", "top", "spark", "chart":
            candidates = fields + Completer.functions
        case "summarize":
            candidates = Completer.aggregates + ["by"] + fields
        case "count":
            candidates = ["by"] + fields
        case "join":
            // Right after `join` (or `join left`): what to join; after it, `on` and the fields.
            let words = stageWords.map { $0.lowercased() }
            let picking = stage.last.map { $0 == " " || $0 == "\t" } == true ? words.count <= 1 || words == ["join", "left"]
                : words.count <= 2 || (words.count == 3 && words[1] == "left")
            candidates = picking ? (words.contains("left") ? [] : ["left"]) + ["customer"] + Catalog.all.map(\.name).filter { $0 != "customer" }
                + ["from"] + variables.sorted().map { "$" + $0 } : ["on"] + fields
        case "format":
            candidates = OutputFormat.allCases.map(\.rawValue)
        case "limit", "offset", "save":
            candidates = []
        default:  // where, derive
            candidates = fields + Completer.operators + Completer.functions + Completer.dateWords
        }
        return Result(filter(candidates, word))
    }

    /// Arguments of a meta command.
    func metaArgument(_ name: String, word: String) -> Result {
        switch name {
        case "format": return Result(filter(OutputFormat.allCases.map(\.rawValue), word))
        case "inspect": return Result(filter(Catalog.all.map(\.name), word))
        case "help": return Result(filter(MetaCommands.all.map(\.name), word.hasPrefix(".") ? String(word.dropFirst()) : word))
        case "profile": return Result(filter(profiles, word))
        case "read", "output": return files(word, closing: " ")
        default: return Result(filter(Completer.metaToggles[name] ?? [], word))
        }
    }

    /// File names for a path being typed: the directory part is kept, entries of that
    /// directory completed; a directory gets a `/` and no space after it.
    func files(_ word: String, closing: Character) -> Result {
        let slash = word.lastIndex(of: "/")
        let dirPart = slash.map { String(word[...$0]) } ?? ""
        let namePart = slash.map { String(word[word.index(after: $0)...]) } ?? word
        var dir = dirPart.isEmpty ? baseDirectory : dirPart
        if dir.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] { dir = home + dir.dropFirst() }
        else if !dir.hasPrefix("/") && !dirPart.isEmpty { dir = baseDirectory + "/" + dirPart }
        guard let entries = listDirectory(dir) else { return Result([]) }
        let matches = entries
            .filter { $0.name.hasPrefix(namePart) && ($0.name.first != "." || namePart.hasPrefix(".")) }
            .sorted { $0.name < $1.name }
            .map { dirPart + $0.name + ($0.isDirectory ? "/" : "") }
        return Result(matches, append: matches.count == 1 && matches[0].hasSuffix("/") ? nil : closing)
    }

    /// The catalog entry a statement's first stage names, if any.
    func sourceEntry(_ first: String) -> CatalogEntry? {
        guard let w = first.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first else { return nil }
        return Catalog.entry(named: w.lowercased())
    }

    /// Fields of the source in hand: the catalog's, then those seen in its results.
    func fieldNames(of first: String) -> [String] {
        let words = first.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard var head = words.first?.lowercased() else { return [] }
        if head == "let" || head == "explain" {
            let rest = words.drop { $0.lowercased() == "let" || $0.lowercased() == "explain" || $0 == "=" }
            head = (words.first?.lowercased() == "let" ? Array(rest.dropFirst()) : Array(rest)).first?.lowercased() ?? ""
        }
        var names: [String] = []
        var key = head
        if let entry = Catalog.entry(named: head) {
            names = entry.fieldNames + entry.fields.flatMap { f in Completer.members(f).map { f.name + "." + $0 } }
        } else if head.hasPrefix("$") {
            key = head
            names = variableColumns[String(head.dropFirst())] ?? []
        } else if head == "from", let q = first.firstIndex(of: "\"") {
            let rest = first[first.index(after: q)...]
            key = String(rest.prefix { $0 != "\"" })
            names = fileColumns(key) ?? []
        }
        for f in (learned.fields[key] ?? []).sorted() where !names.contains(f) { names.append(f) }
        return names
    }

    /// An object field's members, as its catalog note lists them: `{id, name} of …` → id, name.
    static func members(_ f: CatalogEntry.Field) -> [String] {
        guard f.type.hasPrefix("object"), f.note.hasPrefix("{") else { return [] }
        // The parts between the outer braces' top-level commas; each starts with its name.
        var parts: [String] = [""]
        var depth = 0
        for c in f.note {
            switch c {
            case "{", "[":
                depth += 1
                if depth == 1 { continue }
            case "}", "]":
                depth -= 1
                if depth == 0 { break }
            case "," where depth == 1:
                parts.append("")
                continue
            default: break
            }
            if depth == 0 { break }
            if depth == 1 { parts[parts.count - 1].append(c) }
        }
        return parts.map { String($0.drop { $0 == " " }.prefix { $0.isLetter || $0.isNumber || $0 == "_" }) }.filter { !$0.isEmpty }
    }

    func filter(_ candidates: [String], _ word: String) -> [String] {
        var seen = Set<String>()
        let lower = word.lowercased()
        return candidates.filter { $0.lowercased().hasPrefix(lower) && seen.insert($0).inserted }
    }

    // MARK: reading the text before the cursor

    /// The text of the statement being typed: after the last `;` outside strings.
    static func currentStatement(_ text: String) -> String {
        var start = text.startIndex
        var inString = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\"" { inString.toggle() }
            else if c == "\\" && inString { i = text.index(after: i); if i == text.endIndex { break } }
            else if (c == ";") && !inString { start = text.index(after: i) }
            else if c == "\n" && !inString {
                // A newline ends a statement unless the line before asked for more.
                let prior = text[start..<i].trimmingCharacters(in: .whitespaces)
                if !prior.isEmpty && Parser.completeness(of: String(text[start..<i])) == .complete {
                    start = text.index(after: i)
                }
            }
            i = text.index(after: i)
        }
        return String(text[start...])
    }

    /// When the text ends inside a string: the text before its opening quote.
    static func openString(_ text: String) -> (before: String, contents: String)? {
        var open: String.Index? = nil
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\"" { open = open == nil ? i : nil }
            else if c == "\\" && open != nil { i = text.index(after: i); if i == text.endIndex { break } }
            i = text.index(after: i)
        }
        guard let o = open else { return nil }
        return (String(text[..<o]), String(text[text.index(after: o)...]))
    }

    /// The stages of a statement: split at `|` outside strings and parentheses.
    static func splitPipes(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inString = false
        var depth = 0
        for c in text {
            if c == "\"" { inString.toggle() }
            if !inString {
                if c == "(" { depth += 1 } else if c == ")" { depth = max(0, depth - 1) }
                if c == "|" && depth == 0 {
                    parts.append(current)
                    current = ""
                    continue
                }
            }
            current.append(c)
        }
        parts.append(current)
        return parts
    }

    /// `category=` or `resolutionOutcome != ` at the end: the field compared.
    static func fieldBeforeComparison(_ text: String) -> String? {
        var s = Substring(text)
        while s.last == " " { s = s.dropLast() }
        if s.hasSuffix("!=") { s = s.dropLast(2) } else if s.hasSuffix("=") && !s.hasSuffix("==") { s = s.dropLast() } else { return nil }
        while s.last == " " { s = s.dropLast() }
        let name = String(s.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        guard Learned.valueFields.contains(name) else { return nil }
        return name
    }
}

