import Foundation
@testable import MQFiles
import MQCore
import Testing

/// A fresh directory per test, removed when the value goes away.
final class TempDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mqfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `bytes` to `name` and returns the file's path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }
}

/// The FileError a call threw, or nil if it threw nothing (or something else).
func fileError<T>(_ body: () throws -> T) -> FileError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? FileError
    }
}

/// Every row of `path`, through a decoder whose read window starts at `chunkSize` bytes and
/// in batches of three: the way to put chunk edges at every byte of a small file.
func decodeAll(_ path: String, _ format: FileFormat, chunkSize: Int) throws(FileError) -> [JSONObject] {
    let input = try FileInput(path: path, chunkSize: chunkSize)
    let decoder: any RowDecoder =
        switch format {
        case .json: JSONDocumentDecoder(input: input)
        case .ndjson: NDJSONDecoder(input: input)
        // Kinds from a first pass with the same small window, as RowReader does.
        case .csv: CSVDecoder(input: input, kinds: try CSVColumnKinds.infer(FileInput(path: path, chunkSize: chunkSize), fields: nil))
        }
    var rows: [JSONObject] = []
    while try decoder.read(max: rows.count + 3, into: &rows) {}
    return rows
}

/// A file's rows through `RowReader` with a given read window, threads and batch size,
/// with the error that ended them (the rows before it kept).
func readRows(_ path: String, _ format: FileFormat, chunk: Int, workers: Int, batch: Int) -> ([JSONObject], FileError?) {
    var rows: [JSONObject] = []
    do {
        let reader = try RowReader(path: path, format: format, chunkSize: chunk, workers: workers)
        while let b = try reader.next(max: batch) { rows += b }
        return (rows, nil)
    } catch {
        return (rows, error)
    }
}

/// Expects `path` read at each window of `chunks` with `workers` threads to give the rows
/// and the error that the `baseline` read gives, and returns those.
@discardableResult
func expectReadsAlike(_ path: String, _ format: FileFormat, baseline: (chunk: Int, workers: Int), chunks: [Int], workers: Int,
                      batch: Int, sourceLocation: SourceLocation = #_sourceLocation) -> ([JSONObject], FileError?)
{
    let (whole, wholeError) = readRows(path, format, chunk: baseline.chunk, workers: baseline.workers, batch: batch)
    for chunk in chunks {
        let (rows, error) = readRows(path, format, chunk: chunk, workers: workers, batch: batch)
        #expect(rows == whole, "chunk \(chunk): \(rows.count) rows vs \(whole.count)", sourceLocation: sourceLocation)
        #expect(error == wholeError, "chunk \(chunk): \(String(describing: error)) vs \(String(describing: wholeError))",
                sourceLocation: sourceLocation)
    }
    return (whole, wholeError)
}
