import MQCore
import MQFormat
import Testing

@Suite struct DelimitedRendererTests {
    @Test func rendersTheFixtureAsCSV() throws {
        let expected = """
            id,name,amount,note,tags,owner,vip
            1,José Pérez,421.6,"says ""hi"", twice","[""vip"",""new""]","{""id"":""u1"",""name"":""Ana""}",true
            2,王小明,5.0,,[],,false
            13,Zoë,,a long note that keeps going well past what a narrow terminal can show,"[""x""]","{""id"":""u2"",""name"":""Bo""}",

            """
        #expect(try Fixture.render(.csv) == expected)
    }

    @Test func rendersTheFixtureAsTSV() throws {
        let expected = [
            "id\tname\tamount\tnote\ttags\towner\tvip",
            "1\tJosé Pérez\t421.6\tsays \"hi\", twice\t[\"vip\",\"new\"]\t{\"id\":\"u1\",\"name\":\"Ana\"}\ttrue",
            "2\t王小明\t5.0\t\t[]\t\tfalse",
            "13\tZoë\t\ta long note that keeps going well past what a narrow terminal can show\t[\"x\"]\t{\"id\":\"u2\",\"name\":\"Bo\"}\t",
        ].map { $0 + "\n" }.joined()
        #expect(try Fixture.render(.tsv) == expected)
    }

    @Test func tsvEscapesTabsLineBreaksAndBackslashes() throws {
        let rows = [JSONObject(["v": "a\tb\nc\\d\re", "w": "plain, \"quoted\""])]
        #expect(try Fixture.render(.tsv, columns: ["v", "w"], rows: rows) == "v\tw\na\\tb\\nc\\\\d\\re\tplain, \"quoted\"\n")
    }

    static let awkward: [JSON] = [
        "plain", "with, comma", "with \"quote\"", "\"", "line\nbreak", "cr\rreturn", "crlf\r\nend",
        "", " padded ", "José, 王小明 😀", ["a,b": [1, "\"x\""]], 3.25, -7, true, nil,
    ]

    @Test func csvRoundTripsEveryAwkwardValue() throws {
        let columns = Self.awkward.indices.map { "c\($0)" } + ["odd, \"header\""]
        var row = JSONObject()
        for (c, v) in zip(columns, Self.awkward) { row[c] = v }
        row["odd, \"header\""] = "last"
        let text = try Fixture.render(.csv, columns: columns, rows: [row])

        let records = try #require(CSVReader.parse(text))
        #expect(records.count == 2)
        #expect(records[0].map(\.text) == columns)
        let expected = Self.awkward.map { v -> String in
            switch v {
            case .null: ""
            case .string(let s): s
            default: v.jsonText
            }
        } + ["last"]
        #expect(records[1].map(\.text) == expected)
        // Null is an unquoted empty field and the empty string a quoted one.
        let nullIndex = try #require(Self.awkward.firstIndex(of: nil))
        let emptyIndex = try #require(Self.awkward.firstIndex(of: ""))
        #expect(records[1][nullIndex].quoted == false)
        #expect(records[1][emptyIndex].quoted == true)
        // Only fields that need it are quoted.
        #expect(records[1][0].quoted == false)
        #expect(records[1][8].quoted == false)
    }

    /// The header used to be the first row's keys, so a column first seen in row 2 was
    /// lost; collected, the header is every row's keys (as table and `save` do).
    @Test func aColumnFirstSeenInALaterRowIsInTheHeader() throws {
        let rows = [JSONObject(["a": 1, "b": 2]), JSONObject(["b": 3, "extra": "x"])]
        #expect(try Fixture.render(.csv, columns: ["a", "b"], rows: rows) == "a,b,extra\n1,2,\n,3,x\n")
        #expect(try Fixture.render(.tsv, columns: ["a"], rows: rows) == "a\tb\textra\n1\t2\t\n\t3\tx\n")
    }

    /// Streaming under a header the caller knows, a key outside it cannot be written: it
    /// is reported for the caller to say, never dropped without a word.
    @Test func streamingUnderAKnownHeaderReportsKeysItLacks() throws {
        let sink = BufferSink()
        let r = makeRenderer(.csv, options: Fixture.options(), sink: sink, columnsKnown: true)
        #expect(r.isStreaming)
        try r.begin(columns: ["a", "b"])
        try r.row(JSONObject(["a": 1, "b": 2]))
        #expect(sink.text == "a,b\n1,2\n")
        try r.row(JSONObject(["b": 3, "extra": "x"]))
        try r.end(RenderSummary(rows: 2))
        #expect(sink.text == "a,b\n1,2\n,3\n")
        #expect(r.droppedColumns == ["extra"])
    }

    /// A null in a one-column CSV was an empty line, which mq's reader (and Python's csv)
    /// skip: it is written `""`, read back as null.
    @Test func aNullInAOneColumnCSVIsNotAnEmptyLine() throws {
        let rows = [JSONObject(["a": 1]), JSONObject(["a": nil]), JSONObject(["a": 3])]
        #expect(try Fixture.render(.csv, columns: ["a"], rows: rows) == "a\n1\n\"\"\n3\n")
    }
}

/// A strict RFC 4180 reader (LF or CRLF line ends), independent of the writer under test.
enum CSVReader {
    struct Field: Equatable {
        var text: String
        var quoted: Bool
    }

    /// Records, or nil when the text is not valid CSV (a stray quote, an unclosed field).
    static func parse(_ text: String) -> [[Field]]? {
        var records: [[Field]] = []
        var record: [Field] = []
        var field = ""
        var quoted = false
        var inQuotes = false
        var afterClosingQuote = false
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if scalars.first == "\"" {
                        scalars.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                record.append(Field(text: field, quoted: quoted))
                (field, quoted, afterClosingQuote) = ("", false, false)
            case "\n", "\r":
                if c == "\r" {
                    guard scalars.popFirst() == "\n" else { return nil }
                }
                record.append(Field(text: field, quoted: quoted))
                records.append(record)
                (record, field, quoted, afterClosingQuote) = ([], "", false, false)
            case "\"":
                guard field.isEmpty, !quoted else { return nil }
                (inQuotes, quoted) = (true, true)
            default:
                guard !afterClosingQuote else { return nil }
                field.unicodeScalars.append(c)
            }
        }
        guard !inQuotes else { return nil }
        if quoted || !field.isEmpty || !record.isEmpty {
            record.append(Field(text: field, quoted: quoted))
            records.append(record)
        }
        return records
    }
}
