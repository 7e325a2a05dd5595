import MQCore

/// One token and where it stands.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Identifiers and keywords alike: keywords are recognised by the parser in context,
        /// so a field may be called `count` and a bare value may be `billing`.
        case word(String)
        /// `` `odd name` ``
        case quotedName(String)
        case string(String)
        case int(Int)
        case double(Double)
        /// `2026`, `2026-04`, `2026-04-15`, `2026-04-15T10:30Z`, kept as written.
        case date(String)
        /// `90s 15m 2h 3d 1w`, in seconds, with the text as written.
        case duration(Int, String)
        /// `1mo`, `3mo`: calendar months, which have no fixed length in seconds; the count
        /// and the text as written.
        case months(Int, String)
        /// A pasted contact id: 8-4-4-4-12 hex digits.
        case uuid(String)
        /// `$name`, `$1`
        case variable(String)
        /// `| , ( ) [ ] = != < <= > >= ~ =~ + - * / .`
        case symbol(String)
        /// `.name rest of line` at the start of a statement.
        case meta(name: String, args: String)
        /// Ends a statement: a newline or `;`.
        case end
        case eof
    }

    public var kind: Kind
    public var span: Span
    /// Whether whitespace (or a comment) stands right before it.
    public var spaceBefore: Bool
    /// An `.end` written as `;` (a newline end may be continued by a `|` line).
    public var isSemicolon = false
}

/// Turns a script into tokens. Newlines end statements except inside parentheses or
/// brackets; `#` starts a comment; a `.word` at the start of a statement is a meta command.
public struct Lexer {
    let b: [UInt8]
    var i = 0
    var depth = 0
    var atStatementStart = true

    public init(_ source: SourceText) { b = source.bytes }

    public static func tokens(_ source: SourceText) throws(Diagnostic) -> [Token] {
        var l = Lexer(source)
        var out: [Token] = []
        while true {
            let t = try l.next()
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    func peek(_ k: Int = 0) -> UInt8? { i + k < b.count ? b[i + k] : nil }

    /// 8-4-4-4-12 ASCII hex digits: what lexes as a pasted contact id (and so may print bare).
    public static func isUUID(_ text: some Collection<UInt8>) -> Bool {
        guard text.count == 36 else { return false }
        for (k, c) in text.enumerated() {
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !isHex(c) {
                return false
            }
        }
        return true
    }

    static func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) }
    static func isWordStart(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80
    }
    static func isWordChar(_ c: UInt8?) -> Bool { isWordStart(c) || isDigit(c) }

    public mutating func next() throws(Diagnostic) -> Token {
        var spaced = false
        // Whitespace and comments; newlines inside brackets are whitespace too.
        while let c = peek() {
            if c == 0x20 || c == 0x09 || c == 0x0D || (c == 0x0A && depth > 0) {
                i += 1
                spaced = true
            } else if c == UInt8(ascii: "#") {
                while let d = peek(), d != 0x0A { i += 1 }
                spaced = true
            } else {
                break
            }
        }
        let start = i
        func tok(_ k: Token.Kind) -> Token {
            atStatementStart = (k == .end)
            return Token(kind: k, span: Span(start, i), spaceBefore: spaced)
        }
        guard let c = peek() else { return tok(.eof) }

        if c == 0x0A || c == UInt8(ascii: ";") {
            i += 1
            var t = tok(.end)
            t.isSemicolon = c == UInt8(ascii: ";")
            return t
        }
        if atStatementStart, c == UInt8(ascii: "."), Lexer.isWordStart(peek(1)) {
            i += 1
            let nameStart = i
            while Lexer.isWordChar(peek()) { i += 1 }
            let name = String(decoding: b[nameStart..<i], as: UTF8.self)
            var argsStart = i
            while let d = peek(), d != 0x0A, d != UInt8(ascii: ";") { i += 1 }
            // Trimmed as bytes, as the lexer reads space: trimmed as Characters, a space
            // followed by a combining mark is one Character and would stay.
            var argsEnd = i
            func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
            while argsStart < argsEnd, isSpace(b[argsStart]) { argsStart += 1 }
            while argsEnd > argsStart, isSpace(b[argsEnd - 1]) { argsEnd -= 1 }
            let args = String(decoding: b[argsStart..<argsEnd], as: UTF8.self)
            return tok(.meta(name: name, args: args))
        }
        if let u = uuid() { return tok(.uuid(u)) }
        if let bad = brokenUUID() {
            throw Diagnostic.invalidLiteral(bad, "not a uuid", at: Span(start, i),
                                            hint: "a contact id is 36 characters, 8-4-4-4-12 hex digits: 3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f")
        }
        if Lexer.isDigit(c) { return try number(start: start, spaced: spaced) }
        if c == UInt8(ascii: "r"), peek(1) == UInt8(ascii: "\"") {
            return tok(.string(try rawString(start: start)))
        }
        if Lexer.isWordStart(c) {
            while Lexer.isWordChar(peek()) { i += 1 }
            return tok(.word(String(decoding: b[start..<i], as: UTF8.self)))
        }
        switch c {
        case UInt8(ascii: "\""):
            return tok(.string(try string(start: start)))
        case UInt8(ascii: "`"):
            i += 1
            let s = i
            while let d = peek(), d != UInt8(ascii: "`"), d != 0x0A { i += 1 }
            guard peek() == UInt8(ascii: "`") else { throw Diagnostic.unterminatedIdentifier(at: Span(start, i)) }
            let name = String(decoding: b[s..<i], as: UTF8.self)
            i += 1
            return tok(.quotedName(name))
        case UInt8(ascii: "$"):
            i += 1
            let s = i
            while Lexer.isWordChar(peek()) { i += 1 }
            guard i > s else { throw Diagnostic.unexpectedCharacter("$", at: Span(start, i)) }
            return tok(.variable(String(decoding: b[s..<i], as: UTF8.self)))
        default:
            break
        }
        // Symbols: two-character ones first.
        let two = peek(1).map { String(decoding: [c, $0], as: UTF8.self) }
        if let two, ["!=", "<=", ">=", "=~", "==", "<>"].contains(two) {
            i += 2
            return tok(.symbol(two == "==" ? "=" : two == "<>" ? "!=" : two))
        }
        let one = String(decoding: [c], as: UTF8.self)
        if "|,()[]=<>~+-*/.".contains(one) {
            i += 1
            if one == "(" || one == "[" { depth += 1 }
            if (one == ")" || one == "]") && depth > 0 { depth -= 1 }
            return tok(.symbol(one))
        }
        // Anything else: report the whole character, not a byte of it.
        var end = i + 1
        while end < b.count, b[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: b[i..<end], as: UTF8.self)
        i = end
        throw Diagnostic.unexpectedCharacter(text, at: Span(start, end))
    }

    /// A UUID at the cursor (8-4-4-4-12 hex, not followed by a word character).
    mutating func uuid() -> String? {
        guard i + 36 <= b.count, Lexer.isUUID(b[i..<i + 36]) else { return nil }
        if i + 36 < b.count, Lexer.isWordChar(b[i + 36]) { return nil }
        let s = String(decoding: b[i..<i + 36], as: UTF8.self)
        i += 36
        return s
    }

    /// Something shaped like a uuid that is not one (a digit short, a stray letter): hex
    /// digits and at least three dashes, the first after 8 digits. Read otherwise, it
    /// would fail as a date or a subtraction, far from the mistake.
    mutating func brokenUUID() -> String? {
        guard i + 9 < b.count, b[i + 8] == UInt8(ascii: "-"), b[i..<i + 8].allSatisfy(Lexer.isHex) else { return nil }
        var end = i
        var dashes = 0
        while end < b.count, b[end] == UInt8(ascii: "-") || Lexer.isWordChar(b[end]) {
            if b[end] == UInt8(ascii: "-") { dashes += 1 }
            end += 1
        }
        guard dashes >= 3 else { return nil }
        let s = String(decoding: b[i..<end], as: UTF8.self)
        i = end
        return s
    }

    mutating func number(start: Int, spaced: Bool) throws(Diagnostic) -> Token {
        func tok(_ k: Token.Kind) -> Token {
            atStatementStart = false
            return Token(kind: k, span: Span(start, i), spaceBefore: spaced)
        }
        while Lexer.isDigit(peek()) { i += 1 }
        // A date: four digits, then -MM.
        if i - start == 4, peek() == UInt8(ascii: "-"), Lexer.isDigit(peek(1)), Lexer.isDigit(peek(2)) {
            i += 3
            if peek() == UInt8(ascii: "-"), Lexer.isDigit(peek(1)), Lexer.isDigit(peek(2)) {
                i += 3
                if peek() == UInt8(ascii: "T") || peek() == UInt8(ascii: "t") {
                    i += 1
                    while let c = peek(), Lexer.isDigit(c) || c == UInt8(ascii: ":") || c == UInt8(ascii: ".") { i += 1 }
                    if peek() == UInt8(ascii: "Z") || peek() == UInt8(ascii: "z") {
                        i += 1
                    } else if peek() == UInt8(ascii: "+") || (peek() == UInt8(ascii: "-") && Lexer.isDigit(peek(1))) {
                        i += 1
                        while let c = peek(), Lexer.isDigit(c) || c == UInt8(ascii: ":") { i += 1 }
                    }
                }
            }
            let text = String(decoding: b[start..<i], as: UTF8.self)
            guard Instant.parseISO8601(text) != nil else {
                throw Diagnostic.invalidLiteral(text, "not a valid date", at: Span(start, i),
                                                hint: "dates: 2026-04, 2026-04-15, 2026-04-15T10:30Z, today, yesterday, -7d")
            }
            return tok(.date(text))
        }
        var isDouble = false
        if peek() == UInt8(ascii: "."), Lexer.isDigit(peek(1)) {
            isDouble = true
            i += 1
            while Lexer.isDigit(peek()) { i += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E"),
           Lexer.isDigit(peek(1)) || ((peek(1) == UInt8(ascii: "-") || peek(1) == UInt8(ascii: "+")) && Lexer.isDigit(peek(2)))
        {
            isDouble = true
            i += 2
            while Lexer.isDigit(peek()) { i += 1 }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        // Calendar months: a whole number and `mo`, not followed by more word characters.
        if !isDouble, peek() == UInt8(ascii: "m"), peek(1) == UInt8(ascii: "o"), !Lexer.isWordChar(peek(2)) {
            i += 2
            guard let n = Int(text) else {
                throw Diagnostic.invalidLiteral(text + "mo", "out of range", at: Span(start, i),
                                                hint: "dates go from year 0 to 9999: 119988mo spans them all")
            }
            return tok(.months(n, text + "mo"))
        }
        // A duration: a whole number and a unit letter, not followed by more word characters.
        if !isDouble, let u = peek(), "smhdw".utf8.contains(u), !Lexer.isWordChar(peek(1)) {
            i += 1
            let unit = [UInt8(ascii: "s"): 1, UInt8(ascii: "m"): 60, UInt8(ascii: "h"): 3600, UInt8(ascii: "d"): 86_400,
                        UInt8(ascii: "w"): 604_800][u]!
            let literal = text + String(UnicodeScalar(u))
            // Instants are milliseconds in an Int: a duration must be one too, or `-Nd`
            // and `date + N` overflow downstream.
            guard let n = Int(text), case (let ms, false) = n.multipliedReportingOverflow(by: unit * 1000) else {
                throw Diagnostic.invalidLiteral(literal, "out of range", at: Span(start, i),
                                                hint: "a duration is at most about 290,000 years: 9223372036854s, 106751991d")
            }
            return tok(.duration(ms / 1000, literal))
        }
        if Lexer.isWordStart(peek()) {
            while Lexer.isWordChar(peek()) { i += 1 }
            let bad = String(decoding: b[start..<i], as: UTF8.self)
            throw Diagnostic.invalidLiteral(bad, "a number cannot run into letters", at: Span(start, i),
                                            hint: "durations are 90s, 15m, 2h, 3d, 1w (7 days), 1mo (a calendar month); a name that starts with a digit takes backticks: `\(bad)`")
        }
        if !isDouble, let n = Int(text) { return tok(.int(n)) }
        guard let d = Double(text), d.isFinite else {
            throw Diagnostic.invalidLiteral(text, "out of range", at: Span(start, i),
                                            hint: "numbers go up to about 1.8e308, whole ones exactly to 9223372036854775807")
        }
        return tok(.double(d))
    }

    mutating func string(start: Int) throws(Diagnostic) -> String {
        i += 1
        var out: [UInt8] = []
        while let c = peek() {
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\"), let e = peek(1) {
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "u"):
                    try unicodeEscape(into: &out)
                    continue
                default:
                    // `"\d"` used to read as `d`, which silently changed every regex
                    // written with `\d`, `\+` or `\.`: an escape mq does not know is a
                    // mistake to show, not a character to drop.
                    let end = i + 1 + (Lexer.utf8Length(e) ?? 1)
                    let seq = String(decoding: b[i..<min(end, b.count)], as: UTF8.self)
                    throw Diagnostic.unknownEscape(seq, at: Span(i, min(end, b.count)))
                }
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        throw Diagnostic.unterminatedString(at: Span(start, i))
    }

    /// `r"…"`: a raw string, whose backslashes are its own (`r"^\+44\d+"`); it ends at
    /// the next quote, so it holds no quote.
    mutating func rawString(start: Int) throws(Diagnostic) -> String {
        i += 2
        let s = i
        while let c = peek() {
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: b[s..<(i - 1)], as: UTF8.self)
            }
            i += 1
        }
        throw Diagnostic.unterminatedString(at: Span(start, i))
    }

    /// `\uXXXX` at `i`, a UTF-16 code unit; a high surrogate must be followed by
    /// `\uXXXX` holding its low half, as in JSON.
    mutating func unicodeEscape(into out: inout [UInt8]) throws(Diagnostic) {
        let escStart = i
        let buf = b
        func hex4(at p: Int) -> UInt32? {
            guard p + 4 <= buf.count else { return nil }
            var v: UInt32 = 0
            for k in p..<(p + 4) {
                guard let d = Lexer.hexValue(buf[k]) else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        let bytes = b
        let bad = { (end: Int) -> Diagnostic in
            Diagnostic.badUnicodeEscape(String(decoding: bytes[escStart..<min(end, bytes.count)], as: UTF8.self),
                                        at: Span(escStart, min(end, bytes.count)))
        }
        guard let u = hex4(at: i + 2) else { throw bad(i + 6) }
        i += 6
        var scalar = u
        if (0xD800..<0xDC00).contains(u) {
            guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u"), let low = hex4(at: i + 2),
                  (0xDC00..<0xE000).contains(low)
            else { throw bad(i) }
            i += 6
            scalar = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(u) {
            throw bad(i)
        }
        out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 0x30
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 0x61 + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - 0x41 + 10
        default: return nil
        }
    }

    /// The length of the UTF-8 sequence a lead byte starts, or nil for a continuation byte.
    static func utf8Length(_ c: UInt8) -> Int? {
        switch c {
        case 0..<0x80: return 1
        case 0xC0..<0xE0: return 2
        case 0xE0..<0xF0: return 3
        case 0xF0..<0xF8: return 4
        default: return nil
        }
    }
}
