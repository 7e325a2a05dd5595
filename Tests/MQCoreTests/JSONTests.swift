import MQCore
import Testing

@Suite struct JSONParserTests {
    struct Valid: CustomTestStringConvertible, Sendable {
        let text: String
        let value: JSON
        var testDescription: String { text }
    }

    static let valid: [Valid] = [
        Valid(text: "null", value: .null),
        Valid(text: " true ", value: true),
        Valid(text: "false", value: false),
        Valid(text: "0", value: 0),
        Valid(text: "-0", value: 0),
        Valid(text: "42", value: 42),
        Valid(text: "-17", value: -17),
        Valid(text: "9223372036854775807", value: .int(Int.max)),
        Valid(text: "9223372036854775808", value: .double(9_223_372_036_854_775_808)),
        Valid(text: "3.25", value: 3.25),
        Valid(text: "1e3", value: 1000.0),
        Valid(text: "-2.5E-2", value: -0.025),
        Valid(text: #""""#, value: ""),
        Valid(text: #""plain""#, value: "plain"),
        Valid(text: #""a\"b\\c\/d\b\f\n\r\t""#, value: .string("a\"b\\c/d\u{8}\u{c}\n\r\t")),
        Valid(text: #""\u00e9\u4e2d""#, value: "é中"),
        Valid(text: #""\ud83d\ude00""#, value: "😀"),
        Valid(text: "\"José 😀\"", value: "José 😀"),
        Valid(text: "[]", value: []),
        Valid(text: "{}", value: [:]),
        Valid(text: #"[1, "two", [3], {"four": 4}]"#, value: [1, "two", [3], ["four": 4]]),
        Valid(text: #"{"a": {"b": [null, true]}, "c": -1.5}"#, value: ["a": ["b": [nil, true]], "c": -1.5]),
        Valid(text: #"{"k": 1, "k": 2}"#, value: ["k": 2]),
        Valid(text: " \n\t\r[ 1 ,\n 2 ] ", value: [1, 2]),
    ]

    @Test(arguments: valid)
    func parsesValidDocuments(_ c: Valid) throws {
        #expect(try JSONParser.parse(c.text) == c.value)
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        let text: [UInt8]
        let message: String
        let line: Int
        let column: Int
        var testDescription: String { message }
        init(_ text: String, _ message: String, line: Int = 1, column: Int) {
            self.text = Array(text.utf8)
            self.message = message
            self.line = line
            self.column = column
        }
        init(bytes: [UInt8], _ message: String, column: Int) {
            text = bytes
            self.message = message
            line = 1
            self.column = column
        }
    }

    static let invalid: [Invalid] = [
        Invalid("", "unexpected end of input, expected a value", column: 1),
        Invalid("   ", "unexpected end of input", column: 4),
        Invalid("[1, 2", "expected ',' or ']'", column: 6),
        Invalid("[1, 2,]", "unexpected ']', expected a value", column: 7),
        Invalid(#"{"a": 1,}"#, "expected a string key", column: 9),
        Invalid(#"{"a" 1}"#, "expected ':' after a key", column: 6),
        Invalid(#"{a: 1}"#, "expected a string key", column: 2),
        Invalid("NaN", "unexpected 'N', expected a value", column: 1),
        Invalid("[Infinity]", "unexpected 'I'", column: 2),
        Invalid("01", "leading zero", column: 1),
        Invalid("1.", "expected a digit after '.'", column: 3),
        Invalid("-", "expected a digit", column: 2),
        Invalid("1e", "expected a digit in the exponent", column: 3),
        Invalid("1e999", "out of range", column: 1),
        Invalid("tru", "expected 'true'", column: 1),
        Invalid("nul", "expected 'null'", column: 1),
        Invalid(#""abc"#, "unterminated string", column: 1),
        Invalid("\"a\nb\"", "control character", column: 3),
        Invalid(#""\x""#, "invalid escape", column: 2),
        Invalid(#""\u12zz""#, "invalid hex digit", column: 6),
        Invalid(#""\u12"#, "truncated \\u escape", column: 4),
        Invalid(#""\ud83d""#, "lone high surrogate", column: 8),
        Invalid(#""\ude00""#, "lone low surrogate", column: 8),
        Invalid("{} {}", "unexpected data after the JSON value", column: 4),
        Invalid("[1,\n  2,\n  x]", "unexpected 'x'", line: 3, column: 3),
        Invalid(bytes: [0x22, 0xC3, 0x28, 0x22], "invalid UTF-8", column: 2),
        Invalid(bytes: [0x22, 0xFF, 0x22], "invalid UTF-8", column: 2),
        Invalid(bytes: Array("<html>".utf8), "unexpected '<'", column: 1),
    ]

    @Test(arguments: invalid)
    func rejectsInvalidDocumentsWithAPosition(_ c: Invalid) {
        do {
            let v = try JSONParser.parse(c.text)
            Issue.record("parsed as \(v)")
        } catch {
            #expect(error.message.contains(c.message), "\(error)")
            #expect(error.line == c.line && error.column == c.column, "\(error)")
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
    }

    @Test func objectsKeepDocumentOrderButCompareUnordered() throws {
        let a = try JSONParser.parse(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(a.objectValue!.keys == ["z", "a", "m"])
        let b = try JSONParser.parse(#"{"a": 2, "m": 3, "z": 1}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != (try JSONParser.parse(#"{"a": 2, "m": 3, "z": 2}"#)))
        // A duplicate key keeps its first position and its last value.
        #expect(try JSONParser.parse(#"{"k": 1, "x": 0, "k": 2}"#).objectValue!.keys == ["k", "x"])
    }

    @Test func bigObjectsDetectDuplicateKeys() throws {
        let pairs = (0..<40).map { "\"k\($0)\": \($0)" } + ["\"k3\": 99"]
        let v = try JSONParser.parse("{" + pairs.joined(separator: ",") + "}")
        #expect(v.objectValue!.count == 40)
        #expect(v["k3"] == 99)
    }
}

@Suite struct JSONWriterTests {
    @Test(arguments: [
        (JSON.string("quote\" backslash\\ newline\n tab\t bell\u{7} é 😀"),
         #""quote\" backslash\\ newline\n tab\t bell\u0007 é 😀""#),
        (JSON.array([1, 2.5, nil, true, "x"]), #"[1,2.5,null,true,"x"]"#),
        (JSON.object(JSONObject(pairs: [("b", 1), ("a", ["c": []])])), #"{"b":1,"a":{"c":[]}}"#),
        (JSON.double(.nan), "null"),
        (JSON.double(.infinity), "null"),
        (JSON.double(5), "5.0"),
        (JSON.double(1e-7), "1e-07"),
        (JSON.array([.int(0), .int(-7), .int(Int.max), .int(Int.min), .int(1_000_000)]),
         "[0,-7,9223372036854775807,-9223372036854775808,1000000]"),
        (JSON.string(String(repeating: "plain ascii and é ", count: 3) + "\"" + "tail"),
         #""plain ascii and é plain ascii and é plain ascii and é \"tail""#),
    ])
    func writesCompactJSON(_ value: JSON, _ text: String) {
        #expect(value.jsonText == text)
    }

    @Test func roundTripsThroughTheParser() throws {
        let docs = [
            #"{"data":[{"id":"x","n":1,"f":-0.5,"e":null,"l":["a","b"],"o":{"k":true}}],"nextCursor":null}"#,
            #"["\u0000\u001f",1e+300,-1e-300,123456789012]"#,
        ]
        for d in docs {
            let v = try JSONParser.parse(d)
            #expect(try JSONParser.parse(v.serialized()) == v)
        }
    }

    @Test func streamsStructureWithCommas() {
        var w = JSONWriter()
        w.beginObject()
        w.key("rows")
        w.beginArray()
        for i in 0..<3 {
            w.beginObject()
            w.key("i"); w.int(i)
            w.key("s"); w.string(i == 1 ? nil : "v\(i)")
            w.endObject()
        }
        w.endArray()
        w.key("raw"); w.raw(Array("[1]".utf8))
        w.key("end"); w.bool(false)
        w.endObject()
        #expect(String(decoding: w.bytes, as: UTF8.self)
                == #"{"rows":[{"i":0,"s":"v0"},{"i":1,"s":null},{"i":2,"s":"v2"}],"raw":[1],"end":false}"#)
    }
}

@Suite struct UTF8CheckTests {
    /// Agrees with the standard library's validation on every 1- to 3-byte string over a
    /// spread of interesting bytes, and on random longer ones.
    @Test func agreesWithTheStandardLibrary() {
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
                                    0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var cases: [[UInt8]] = []
        for a in interesting {
            cases.append([a])
            for b in interesting {
                cases.append([a, b])
                for c in interesting { cases.append([a, b, c]) }
            }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            cases.append((0..<Int.random(in: 4...8, using: &rng)).map { _ in interesting.randomElement(using: &rng)! })
        }
        for bytes in cases {
            let ours = bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) }
            let theirs = String(validating: bytes, as: UTF8.self) != nil
            if ours != theirs {
                Issue.record("\(bytes.map { String($0, radix: 16) }): ours \(ours), stdlib \(theirs)")
                return
            }
        }
        #expect("José 😀 中".utf8.withContiguousStorageIfAvailable { UTF8Check.isValid($0) } == true)
    }
}

/// `parse(buffer:shape:)`: rows parsed along the keys of the row before them give the
/// rows a plain parse gives, whatever their keys do from one row to the next.
@Suite struct RowShapeTests {
    static let rows = [
        #"{"a":1,"b":"x","c":[1,2]}"#,
        #"{"a":2,"b":"y","c":[]}"#,  // the same keys: follows the shape
        #"{"a":3,"b":"z"}"#,  // fewer: a prefix
        #"{"b":"w","a":4,"c":null}"#,  // the same keys in another order
        #"{"a":5,"b":"v","c":1,"d":true}"#,  // one more
        #"{"a":6,"a":7,"b":"u"}"#,  // a duplicate: first place, last value
        #"{"a":8,"b":"t","c":2,"d":false,"a":9}"#,  // a duplicate after following the shape
        #"{"\u0061":10,"b":"s"}"#,  // an escaped key that spells a
        #"{}"#,
        #"{"a":11,"b":"r","c":3,"d":null}"#,
        #"{"ab":12}"#,  // a key longer than the shape's
        #"{"":13,"a":14}"#,
    ]

    func parse(_ text: String, shape: RowShape?, keeping: FieldSet? = nil) throws -> JSON {
        try Array(text.utf8).withUnsafeBufferPointer { try JSONParser.parse(buffer: $0, keeping: keeping, shape: shape) }
    }

    @Test func rowsAlongAShapeAreTheRowsOfAPlainParse() throws {
        for keeping in [nil, FieldSet(["a", "c"]), FieldSet([])] {
            let shape = RowShape()
            // Twice through, so that every row also comes after every other kind of row.
            for text in Self.rows + Self.rows.reversed() {
                let plain = try parse(text, shape: nil, keeping: keeping)
                let along = try parse(text, shape: shape, keeping: keeping)
                #expect(along == plain, "\(text), keeping \(keeping?.names.sorted() ?? ["all"])")
                #expect(along.objectValue?.keys == plain.objectValue?.keys, "\(text): key order")
            }
        }
    }

    @Test func aBadRowGivesThePlainParsesError() throws {
        let shape = RowShape()
        _ = try parse(#"{"a":1,"b":2}"#, shape: shape)
        for bad in [#"{"a":1,"b":}"#, #"{"a":1,"b":2,}"#, #"{"a" 1}"#, #"{"a":1"#, #"{"a":1,"b":2} x"#, #"{"a":[1,}"#] {
            var plainError: JSONParseError?
            var alongError: JSONParseError?
            do { _ = try parse(bad, shape: nil) } catch let e as JSONParseError { plainError = e }
            do { _ = try parse(bad, shape: shape) } catch let e as JSONParseError { alongError = e }
            #expect(plainError != nil, "\(bad) parsed")
            #expect(alongError == plainError, "\(bad)")
        }
    }
}

/// `PackedRows`: a row packed and unpacked is the row, to the bit (key order, integer or
/// double, -0.0, every string), and rows of one shape unpack sharing their keys.
@Suite struct PackedRowsTests {
    static func value(_ r: inout SplitMix64, depth: Int) -> JSON {
        switch r.below(depth > 2 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(r.below(2) == 0)
        case 2: return .int([0, -1, Int.max, Int.min, 1 << 40, r.below(1000)][r.below(6)])
        case 3: return .double([-0.0, 0.1, 1e308, -5e-324, 3413.0, Double(r.below(100)) / 7][r.below(6)])
        case 4: return .string(["", "a", "é", "e\u{301}", "日本語", "\u{0}\n\"", String(repeating: "long ", count: 40)][r.below(7)])
        case 5: return .string("s\(r.below(50))")
        case 6: return .array((0..<r.below(4)).map { _ in value(&r, depth: depth + 1) })
        default:
            var o = JSONObject()
            for k in ["x", "y", "z"].prefix(r.below(4)) { o.appendUnchecked(k, value(&r, depth: depth + 1)) }
            return .object(o)
        }
    }

    @Test func rowsComeBackToTheBit() {
        var r = SplitMix64(seed: 3)
        var packed = PackedRows()
        var rows: [JSONObject] = []
        for i in 0..<2_000 {
            var o = JSONObject()
            let names = i % 3 == 0 ? ["id", "n", "o"] : ["a", "b", "c", "d", "e"].shuffled(using: &r)
            for k in names.prefix(1 + r.below(names.count)) { o.appendUnchecked(k, Self.value(&r, depth: 0)) }
            rows.append(o)
            packed.append(o)
        }
        #expect(packed.count == rows.count)
        for (i, row) in rows.enumerated() {
            let back = packed.row(i)
            #expect(back == row, "row \(i)")
            #expect(back.keys == row.keys, "row \(i): key order")
            #expect(JSON.object(back).jsonText == JSON.object(row).jsonText, "row \(i)")
            for (a, b) in zip(back.values, row.values) {
                if case .double(let x) = a, case .double(let y) = b { #expect(x.bitPattern == y.bitPattern, "row \(i)") }
            }
        }
        // Two rows of one shape unpack with one keys array between them.
        var same = PackedRows()
        same.append(JSONObject(["k": 1, "l": 2]))
        same.append(JSONObject(["k": 3, "l": 4]))
        let (first, second) = (same.row(0).keys, same.row(1).keys)
        #expect(first.withUnsafeBufferPointer { $0.baseAddress } == second.withUnsafeBufferPointer { $0.baseAddress })
    }
}
