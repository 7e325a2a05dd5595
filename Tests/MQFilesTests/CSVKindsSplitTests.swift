import MQCore
@testable import MQFiles
import Testing

/// The kinds pass over a large file runs in two halves; whatever the file holds (quoted
/// line breaks across the middle, a malformed record in either half, CRLF or lone CR
/// ends, empty lines, no final line end), it must find the kinds one pass finds.
@Suite struct CSVKindsSplitTests {
    /// A cell of a column of kind `kind` (0 number, 1 decimal, 2 boolean, 3 date, 4
    /// quoted text with a line break, 5 empty), now and then one that is not.
    static func cell(_ r: inout SplitMix64, kind: Int) -> String {
        if r.below(300) == 0 { return r.pick(["007", "x", "1e5", "+1", "2026-13-01", "\"a\nb,\"\"c\"\"\""]) }
        switch kind {
        case 0: return r.below(5) == 0 ? "" : String(r.below(1000))
        case 1: return "\(r.below(100)).5"
        case 2: return r.pick(["true", "FALSE", ""])
        case 3: return "2026-0\(1 + r.below(9))-1\(r.below(9))"
        case 4: return "\"a\nb,\"\"c\"\"\""
        default: return ""
        }
    }

    static func file(_ seed: UInt64) -> [UInt8] {
        var r = SplitMix64(seed: seed)
        let end = r.pick(["\n", "\r\n", "\r"])
        let columns = 2 + r.below(5)
        let kinds = (0..<columns).map { _ in r.below(6) }
        var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + end
        let records = 20 + r.below(400)
        for n in 0..<records {
            if r.below(15) == 0 { text += end }  // an empty line
            var cells = kinds.map { cell(&r, kind: $0) }
            if r.below(400) == 0 { cells.append("extra") }  // a malformed record
            if r.below(500) == 0 { cells[0] = "\"open" }  // a quote never closed, or text after one
            text += cells.joined(separator: ",")
            if n < records - 1 || r.below(2) == 0 { text += end }
        }
        return Array(text.utf8)
    }

    @Test func halvesFindTheKindsOnePassFinds() throws {
        let dir = try TempDirectory()
        var split = 0
        for seed in 0..<400 as Range<UInt64> {
            let bytes = CSVKindsSplitTests.file(seed)
            let path = try dir.write("k\(seed).csv", bytes)
            let one = try CSVColumnKinds.infer(FileInput(path: path, chunkSize: 64), fields: nil, splitBytes: .max)
            let two = try CSVColumnKinds.infer(FileInput(path: path, chunkSize: 64), fields: nil, splitBytes: 64)
            #expect(one == two, "seed \(seed)")
            let some = try CSVColumnKinds.infer(FileInput(path: path, chunkSize: 4096), fields: FieldSet(["c1"]), splitBytes: 64)
            #expect(some == one.filter { $0.key == "c1" }, "seed \(seed), c1 only")
            if bytes.count >= 64 { split += 1 }
        }
        #expect(split > 300, "most files are split")
    }

    /// The record starts the pass notes (`KindsScan.cuts`), in one pass or two halves,
    /// are record starts: each is among those a one-pass scan noting every record finds,
    /// and they come in increasing order.
    @Test func cutsFallWhereRecordsStart() throws {
        let dir = try TempDirectory()
        var cutFiles = 0
        for seed in 0..<400 as Range<UInt64> {
            let path = try dir.write("c\(seed).csv", CSVKindsSplitTests.file(seed))
            let every = try CSVColumnKinds.layout(FileInput(path: path, chunkSize: 64), fields: nil, splitBytes: .max, cutEvery: 1)
            let starts = Set(every.cuts)
            #expect(every.cuts == every.cuts.sorted() && starts.count == every.cuts.count, "seed \(seed)")
            for (splitBytes, cutEvery) in [(Int.max, 40), (64, 40), (64, 7)] {
                let some = try CSVColumnKinds.layout(FileInput(path: path, chunkSize: 64), fields: nil, splitBytes: splitBytes,
                                                     cutEvery: cutEvery)
                let strays = some.cuts.filter { !starts.contains($0) }
                #expect(strays.isEmpty, "seed \(seed), split \(splitBytes), every \(cutEvery): \(strays) are not record starts; the first: \(every.cuts.prefix(3))")
                #expect(zip(some.cuts, some.cuts.dropFirst()).allSatisfy { $0 < $1 }, "seed \(seed)")
                if !some.cuts.isEmpty { cutFiles += 1 }
            }
            #expect(try CSVColumnKinds.layout(FileInput(path: path, chunkSize: 64), fields: nil).cuts.isEmpty, "no cuts unless asked")
        }
        #expect(cutFiles > 1000, "most files have cuts")
    }

    /// A file decoded in pieces at those cuts (`CSVCutChunks`, two workers) gives the
    /// rows, the error and its line that one decoder over the whole file gives, with cuts
    /// from one pass or two halves, every few records or every one.
    @Test func piecesDecodeAsTheWholeFileDoes() throws {
        let dir = try TempDirectory()
        var failed = 0
        for seed in 0..<400 as Range<UInt64> {
            let path = try dir.write("p\(seed).csv", CSVKindsSplitTests.file(seed))
            let (whole, wholeError) = readRows(path, .csv, chunk: 1 << 20, workers: 1, batch: 500)
            if wholeError != nil { failed += 1 }
            for (splitBytes, cutEvery) in [(Int.max, 1), (64, 40), (64, 300)] {
                let layout = try CSVColumnKinds.layout(FileInput(path: path, chunkSize: 64), fields: nil, splitBytes: splitBytes,
                                                       cutEvery: cutEvery)
                let decoder = ParallelDecoder(input: try FileInput(path: path, chunkSize: 64),
                                              format: CSVCutChunks(layout: layout, fields: nil, path: path), workers: 2, chunkBytes: 64)
                var rows: [JSONObject] = []
                var error: FileError?
                do { while try decoder.read(max: rows.count + 7, into: &rows) {} } catch let e { error = e }
                #expect(rows == whole, "seed \(seed), cuts every \(cutEvery): \(rows.count) rows vs \(whole.count)")
                #expect(error == wholeError, "seed \(seed), cuts every \(cutEvery): \(String(describing: error)) vs \(String(describing: wholeError))")
            }
        }
        #expect(failed > 20 && failed < 380, "some files fail, most do not: \(failed)")
    }

    /// The last record of a file without a final line end counts toward its columns'
    /// kinds (it did not: `1` then `zz` read as the number 1 and the text "zz").
    @Test func theLastRecordWithoutALineEndCounts() throws {
        let dir = try TempDirectory()
        let path = try dir.write("nofinal.csv", "a,b\n1,x\nzz,y")
        let rows = try readRows(path: path)
        #expect(rows == [JSONObject(["a": "1", "b": "x"]), JSONObject(["a": "zz", "b": "y"])])
    }
}
