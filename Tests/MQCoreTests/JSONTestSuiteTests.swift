import Foundation
import MQCore
import Testing

/// nst/JSONTestSuite's `test_parsing` (fixtures/JSONTestSuite, unmodified; see its README):
/// every `y_` document must parse, every `n_` document must be refused with a position
/// inside it, and every `i_` document (implementation-defined) must be answered one way or
/// the other without crashing; which way mq goes is recorded in `implementationDefined`.
///
/// Each document is also read with `parse(buffer:keeping:)` keeping no member, the path
/// a file takes when a query names none of a top-level object's fields: it must accept and
/// refuse exactly the same documents, with the same error at the same offset.
@Suite struct JSONTestSuiteTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("fixtures/JSONTestSuite/test_parsing")

    /// Every fixture's name, sorted.
    static let all: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted()

    static func names(_ prefix: String) -> [String] { all.filter { $0.hasPrefix(prefix) } }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    // MARK: Exceptions

    /// `y_` documents mq refuses by design, each with why. None today: every number in
    /// the `y_` set fits a Double, and none nests deeper than `JSONParser.defaultMaxDepth`.
    /// An entry must name a fixture that exists and is still refused (checked below).
    static let acceptedExceptions: [String: String] = [:]

    /// `n_` documents mq accepts by design, each with why. None today.
    static let rejectedExceptions: [String: String] = [:]

    /// `n_` documents refused, as they must be, but by the depth limit
    /// (`JSONParser.defaultMaxDepth`, 512) before the parser reaches the defect the suite
    /// means (unclosed arrays at the end of input). Recorded so that a change in that
    /// limit shows here.
    static let refusedByDepthLimit: Set<String> = [
        "n_structure_100000_opening_arrays.json",  // 100 000 '[': refused at the 513th
        "n_structure_open_array_object.json",  // 50 000 '[{"":' : refused at depth 513
    ]

    // MARK: y_ and n_

    @Test(arguments: names("y_"))
    func accepts(_ name: String) throws {
        let input = try Self.bytes(name)
        let outcome = Outcome(input)
        #expect(outcome == Outcome(keepingNothing: input), "parse(buffer:keeping:) disagrees")
        #expect(outcome == Outcome(alongAShape: input), "parse(buffer:shape:) disagrees")
        if let why = Self.acceptedExceptions[name] {
            #expect(!outcome.accepted, "\(name) is now accepted: remove its exception (\(why))")
            return
        }
        switch outcome {
        case .rejected(let e):
            Issue.record("\(name) refused: \(e)")
        case .accepted(let value):
            // And accepted as what it says: the same tree as Foundation's parser builds.
            if let theirs = try? JSONSerialization.jsonObject(with: Data(input), options: .fragmentsAllowed) {
                #expect(Self.same(value, theirs), "\(name): mq read \(value), Foundation \(theirs)")
            }
        }
    }

    /// Whether mq's value is the tree JSONSerialization made (numbers compared as values).
    static func same(_ ours: JSON, _ theirs: Any) -> Bool {
        switch ours {
        case .null: return theirs is NSNull
        case .bool(let b): return (theirs as? Bool) == b
        case .int(let n): return (theirs as? NSNumber).map { $0.int64Value == Int64(n) && $0.doubleValue == Double(n) } ?? false
        case .double(let d):
            // Foundation holds a long literal as a decimal whose doubleValue may be an ulp off
            // (-0.000…01 in y_number_double_close_to_zero); its text then reads back exactly.
            guard let t = theirs as? NSNumber else { return false }
            return t.doubleValue == d || Double(t.description) == d
        case .string(let s): return (theirs as? String).map { Array($0.unicodeScalars) == Array(s.unicodeScalars) } ?? false
        case .array(let a):
            guard let t = theirs as? [Any], t.count == a.count else { return false }
            return zip(a, t).allSatisfy { same($0, $1) }
        case .object(let o):
            guard let t = theirs as? [String: Any], t.count == o.count else { return false }
            return o.allSatisfy { k, v in t[k].map { same(v, $0) } ?? false }
        }
    }

    @Test(arguments: names("n_"))
    func rejects(_ name: String) throws {
        let input = try Self.bytes(name)
        let outcome = Outcome(input)
        #expect(outcome == Outcome(keepingNothing: input), "parse(buffer:keeping:) disagrees")
        #expect(outcome == Outcome(alongAShape: input), "parse(buffer:shape:) disagrees")
        if let why = Self.rejectedExceptions[name] {
            #expect(outcome.accepted, "\(name) is now refused: remove its exception (\(why))")
            return
        }
        guard case .rejected(let e) = outcome else {
            Issue.record("\(name) accepted")
            return
        }
        // The position lies inside the input (the end counts, for "unexpected end of input").
        #expect(e.offset >= 0 && e.offset <= input.count, "offset \(e.offset) outside \(input.count) bytes")
        let lineStarts = [0] + input.indices.filter { input[$0] == 0x0A }.map { $0 + 1 }
        #expect(e.line >= 1 && e.line <= lineStarts.count, "line \(e.line) of \(lineStarts.count)")
        if e.line >= 1 && e.line <= lineStarts.count {
            #expect(e.column == e.offset - lineStarts[e.line - 1] + 1, "column \(e.column) at offset \(e.offset)")
        }
        #expect(!e.message.isEmpty)
        if Self.refusedByDepthLimit.contains(name) {
            #expect(e.message.hasPrefix("nesting deeper than"), "\(e)")
        }
    }

    // MARK: i_

    enum Way: String, Sendable { case accepted, refused }

    /// Which way mq goes on each implementation-defined document. Either is allowed; this
    /// records mq's choice so that a change in it is noticed (then update the table).
    ///
    /// | class | mq | why |
    /// |---|---|---|
    /// | number too big for Int, fits a Double | accepted, as a double | "numbers that fit a Double" |
    /// | number whose exponent overflows a Double | refused ("out of range") | no inf in JSON |
    /// | number whose exponent underflows | accepted, as 0.0 | Double's nearest value |
    /// | lone or mismatched UTF-16 surrogate in `\u` escapes | refused | a String holds scalars only |
    /// | invalid, overlong, truncated or surrogate UTF-8 | refused | RFC 3629 (`UTF8Check`) |
    /// | UTF-16 input, with or without BOM | refused | RFC 8259 §8.1: UTF-8 only |
    /// | UTF-8 byte order mark | refused by the parser | RFC 8259 §8.1 says MUST NOT add one; the file readers (`FileInput.skipByteOrderMark`) drop it before parsing |
    /// | 500 nested arrays | accepted | under the 512-level limit |
    static let implementationDefined: [String: Way] = [
        "i_number_double_huge_neg_exp.json": .accepted,
        "i_number_huge_exp.json": .refused,
        "i_number_neg_int_huge_exp.json": .refused,
        "i_number_pos_double_huge_exp.json": .refused,
        "i_number_real_neg_overflow.json": .refused,
        "i_number_real_pos_overflow.json": .refused,
        "i_number_real_underflow.json": .accepted,
        "i_number_too_big_neg_int.json": .accepted,
        "i_number_too_big_pos_int.json": .accepted,
        "i_number_very_big_negative_int.json": .accepted,
        "i_object_key_lone_2nd_surrogate.json": .refused,
        "i_string_1st_surrogate_but_2nd_missing.json": .refused,
        "i_string_1st_valid_surrogate_2nd_invalid.json": .refused,
        "i_string_UTF-16LE_with_BOM.json": .refused,
        "i_string_UTF-8_invalid_sequence.json": .refused,
        "i_string_UTF8_surrogate_U+D800.json": .refused,
        "i_string_incomplete_surrogate_and_escape_valid.json": .refused,
        "i_string_incomplete_surrogate_pair.json": .refused,
        "i_string_incomplete_surrogates_escape_valid.json": .refused,
        "i_string_invalid_lonely_surrogate.json": .refused,
        "i_string_invalid_surrogate.json": .refused,
        "i_string_invalid_utf-8.json": .refused,
        "i_string_inverted_surrogates_U+1D11E.json": .refused,
        "i_string_iso_latin_1.json": .refused,
        "i_string_lone_second_surrogate.json": .refused,
        "i_string_lone_utf8_continuation_byte.json": .refused,
        "i_string_not_in_unicode_range.json": .refused,
        "i_string_overlong_sequence_2_bytes.json": .refused,
        "i_string_overlong_sequence_6_bytes.json": .refused,
        "i_string_overlong_sequence_6_bytes_null.json": .refused,
        "i_string_truncated-utf-8.json": .refused,
        "i_string_utf16BE_no_BOM.json": .refused,
        "i_string_utf16LE_no_BOM.json": .refused,
        "i_structure_500_nested_arrays.json": .accepted,
        "i_structure_UTF-8_BOM_empty_object.json": .refused,
    ]

    @Test(arguments: names("i_"))
    func answersImplementationDefined(_ name: String) throws {
        let input = try Self.bytes(name)
        let outcome = Outcome(input)  // not crashing is the requirement
        #expect(outcome == Outcome(keepingNothing: input), "parse(buffer:keeping:) disagrees")
        #expect(outcome == Outcome(alongAShape: input), "parse(buffer:shape:) disagrees")
        if case .rejected(let e) = outcome {
            #expect(e.offset >= 0 && e.offset <= input.count, "offset \(e.offset) outside \(input.count) bytes")
        }
        let way: Way = outcome.accepted ? .accepted : .refused
        let recorded = try #require(Self.implementationDefined[name], "\(name) is \(way): record it in the table")
        #expect(way == recorded, "\(name) is now \(way), recorded \(recorded) (either is allowed: update the table)")
    }

    // MARK: The suite itself

    @Test func fixturesArePresent() {
        // test_parsing at the README's commit: 95 y_, 188 n_, 35 i_.
        #expect(Self.names("y_").count == 95)
        #expect(Self.names("n_").count == 188)
        #expect(Self.names("i_").count == 35)
        #expect(Self.all.count == 318)
    }

    @Test func exceptionsNameFixtures() {
        let present = Set(Self.all)
        for name in Self.acceptedExceptions.keys { #expect(name.hasPrefix("y_") && present.contains(name), "\(name)") }
        for name in Self.rejectedExceptions.keys { #expect(name.hasPrefix("n_") && present.contains(name), "\(name)") }
        for name in Self.refusedByDepthLimit { #expect(name.hasPrefix("n_") && present.contains(name), "\(name)") }
        #expect(Set(Self.implementationDefined.keys) == Set(Self.names("i_")))
    }
}

extension JSONTestSuiteTests {
    /// What the parser made of a document.
    enum Outcome: Equatable, CustomStringConvertible {
        case accepted(JSON)
        case rejected(JSONParseError)

        init(_ bytes: [UInt8]) {
            do { self = .accepted(try JSONParser.parse(bytes)) } catch { self = .rejected(error) }
        }

        /// Through `parse(buffer:keeping:)` keeping no member: a top-level object comes back
        /// empty, so only the verdict and the error are compared for it.
        init(keepingNothing bytes: [UInt8]) {
            let r = bytes.withUnsafeBufferPointer { buf -> Result<JSON, JSONParseError> in
                do throws(JSONParseError) {
                    return .success(try JSONParser.parse(buffer: buf, keeping: FieldSet([])))
                } catch {
                    return .failure(error)
                }
            }
            switch r {
            case .success(let v):
                // An object keeps no member: when it is empty, stand in the full parse's
                // object, so that only the verdict counts. Any other value is parsed whole.
                if case .object(let kept) = v, kept.isEmpty, case .accepted(let full) = Outcome(bytes),
                    case .object = full
                {
                    self = .accepted(full)
                } else {
                    self = .accepted(v)
                }
            case .failure(let e): self = .rejected(e)
            }
        }

        /// Through `parse(buffer:shape:)`, twice with one shape: the second parse follows
        /// the keys the first left (a row like the one before it). Both must agree with
        /// the plain parse; the second's outcome is returned.
        init(alongAShape bytes: [UInt8]) {
            let shape = RowShape()
            func parse() -> Outcome {
                bytes.withUnsafeBufferPointer { buf -> Outcome in
                    do throws(JSONParseError) {
                        return .accepted(try JSONParser.parse(buffer: buf, shape: shape))
                    } catch {
                        return .rejected(error)
                    }
                }
            }
            let first = parse()
            let second = parse()
            // A value no document gives, so that a disagreement fails the comparison.
            self = first == second ? second : .accepted(.string("the two parses differ: \(first) then \(second)"))
        }

        var accepted: Bool {
            if case .accepted = self { return true }
            return false
        }

        var description: String {
            switch self {
            case .accepted(let v): "accepted \(v)"
            case .rejected(let e): "refused: \(e)"
            }
        }
    }
}
