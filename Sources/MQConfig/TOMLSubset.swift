/// The part of TOML a config file needs: `[table]` and `[dotted.table]` headers, and
/// `key = value` with strings (basic and literal), integers, floats and booleans;
/// `#` comments. Arrays, inline tables and multi-line strings are refused with the line.
///
/// Hand-written because no TOML library resolves on this platform: TOMLKit 0.6.0
/// depends on swift-checkit, which is not available, and swift-configuration reads
/// JSON, YAML and property lists only.
public enum TOMLSubset {
    public enum Value: Equatable, Sendable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
    }

    public struct Failure: Error, Equatable, CustomStringConvertible, Sendable {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Tables by dotted name ("" for the top level), each key → value.
    public static func parse(_ text: String) throws(Failure) -> [String: [String: Value]] {
        var tables: [String: [String: Value]] = ["": [:]]
        var current = ""
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = n + 1
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            line = trim(stripComment(line))
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
                    throw Failure(line: lineNo, message: "a table header is [name] (arrays of tables are not supported)")
                }
                let name = try keyPath(line.dropFirst().dropLast(), line: lineNo)
                guard tables[name] == nil || tables[name]!.isEmpty else {
                    throw Failure(line: lineNo, message: "table [\(name)] is defined twice")
                }
                tables[name] = tables[name] ?? [:]
                current = name
                continue
            }
            guard let eq = indexOfEquals(line) else {
                throw Failure(line: lineNo, message: "expected `key = value`")
            }
            let key = try keyPath(line[..<eq], line: lineNo)
            let value = try parseValue(trim(line[line.index(after: eq)...]), line: lineNo)
            guard tables[current]![key] == nil else {
                throw Failure(line: lineNo, message: "`\(key)` is set twice")
            }
            tables[current]![key] = value
        }
        return tables
    }

    static func trim(_ s: Substring) -> Substring {
        var s = s
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }

    /// The line without a `#` comment (a `#` inside a string stays).
    static func stripComment(_ s: Substring) -> Substring {
        var quote: Character? = nil
        var escaped = false
        for i in s.indices {
            let c = s[i]
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" && q == "\"" { escaped = true } else if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                return s[..<i]
            }
        }
        return s
    }

    static func indexOfEquals(_ s: Substring) -> Substring.Index? {
        var quote: Character? = nil
        for i in s.indices {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "=" {
                return i
            }
        }
        return nil
    }

    /// `a.b."c d"` → "a.b.c d"
    static func keyPath(_ s: Substring, line: Int) throws(Failure) -> String {
        var parts: [String] = []
        for p in trim(s).split(separator: ".", omittingEmptySubsequences: false) {
            let t = trim(p)
            if t.count >= 2, (t.first == "\"" && t.last == "\"") || (t.first == "'" && t.last == "'") {
                parts.append(String(t.dropFirst().dropLast()))
            } else if !t.isEmpty, t.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                parts.append(String(t))
            } else {
                throw Failure(line: line, message: "invalid key `\(s)`")
            }
        }
        return parts.joined(separator: ".")
    }

    static func parseValue(_ v: Substring, line: Int) throws(Failure) -> Value {
        if v.hasPrefix("\"\"\"") || v.hasPrefix("'''") {
            throw Failure(line: line, message: "multi-line strings are not supported")
        }
        if v.hasPrefix("\"") {
            guard v.count >= 2, v.hasSuffix("\"") else { throw Failure(line: line, message: "unterminated string") }
            return .string(try unescape(v.dropFirst().dropLast(), line: line))
        }
        if v.hasPrefix("'") {
            guard v.count >= 2, v.hasSuffix("'") else { throw Failure(line: line, message: "unterminated string") }
            return .string(String(v.dropFirst().dropLast()))
        }
        if v == "true" { return .bool(true) }
        if v == "false" { return .bool(false) }
        if v.hasPrefix("[") || v.hasPrefix("{") {
            throw Failure(line: line, message: "arrays and inline tables are not supported here")
        }
        let digits = v.filter { $0 != "_" }
        if let n = Int(digits) { return .int(n) }
        if let d = Double(digits), d.isFinite { return .double(d) }
        throw Failure(line: line, message: "cannot read the value `\(v)` (strings need quotes)")
    }

    static func unescape(_ s: Substring, line: Int) throws(Failure) -> String {
        var out = ""
        var it = s.makeIterator()
        while let c = it.next() {
            guard c == "\\" else {
                if c == "\"" { throw Failure(line: line, message: "a quote inside a string must be escaped as \\\"") }
                out.append(c)
                continue
            }
            switch it.next() {
            case "\""?: out.append("\"")
            case "\\"?: out.append("\\")
            case "n"?: out.append("\n")
            case "t"?: out.append("\t")
            case "r"?: out.append("\r")
            case "u"?:
                var hex = ""
                for _ in 0..<4 { if let h = it.next() { hex.append(h) } }
                guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw Failure(line: line, message: "invalid \\u escape")
                }
                out.unicodeScalars.append(scalar)
            default: throw Failure(line: line, message: "invalid escape in a string")
            }
        }
        return out
    }
}
