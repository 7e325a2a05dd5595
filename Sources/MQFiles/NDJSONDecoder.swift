#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore

/// Newline-delimited JSON: one object per line, read a chunk at a time.
///
/// Lines end in "\n" or "\r\n"; the last may have no newline. Blank lines (only spaces
/// and tabs) are skipped, as `jq` and most NDJSON writers' readers do, because
/// concatenated exports often leave one between parts.
final class NDJSONDecoder: RowDecoder {
    private let input: FileInput
    /// Lines consumed so far: the 1-based number of the last line read.
    private var line = 0
    private var started = false
    private let fields: FieldSet?
    private let shape = RowShape()

    init(input: FileInput, fields: FieldSet? = nil) {
        self.input = input
        self.fields = fields
    }

    func read(max: Int, into rows: inout [JSONObject]) throws(FileError) -> Bool {
        if !started {
            started = true
            try input.skipByteOrderMark()
        }
        while rows.count < max {
            let window = input.bytes
            guard let base = window.baseAddress, !window.isEmpty else {
                if try input.refill() { continue }
                return false
            }
            // Every complete line in the window, without going back to the input per line.
            var pos = 0
            while rows.count < max, let nl = memchr(base + pos, 0x0A, window.count - pos) {
                let lineEnd = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                line += 1
                try decode(UnsafeBufferPointer(rebasing: window[pos..<lineEnd]), into: &rows)
                pos = lineEnd + 1
            }
            input.consume(pos)
            if rows.count >= max { return true }
            // What is left is a line without its newline yet: read more, or it is the last.
            if try input.refill() { continue }
            let last = input.bytes
            if !last.isEmpty {
                line += 1
                input.consume(last.count)
                try decode(last, into: &rows)
            }
            return false
        }
        return true
    }

    private func decode(_ text: UnsafeBufferPointer<UInt8>, into rows: inout [JSONObject]) throws(FileError) {
        if let row = try NDJSONDecoder.decodeLine(text, fields: fields, shape: shape, path: input.path, line: line) { rows.append(row) }
    }

    /// One line (without its newline) as a row; nil for a blank line. `line` is the
    /// 1-based line number errors give.
    static func decodeLine(_ text: UnsafeBufferPointer<UInt8>, fields: FieldSet?, shape: RowShape?, path: String, line: Int) throws(FileError) -> JSONObject? {
        var n = text.count
        if n > 0, text[n - 1] == 0x0D { n -= 1 }
        var blank = true
        for i in 0..<n where text[i] != 0x20 && text[i] != 0x09 {
            blank = false
            break
        }
        if blank { return nil }
        let bytes = UnsafeBufferPointer(rebasing: text[0..<n])
        let value: JSON
        do {
            value = try JSONParser.parse(buffer: bytes, keeping: fields, shape: shape)
        } catch {
            throw FileError(
                path: path, line: line, column: textPosition(of: error.offset, in: bytes).column,
                message: error.message)
        }
        guard case .object(let object) = value else { throw .lineNotObject(path, line: line, value) }
        return object
    }
}

extension FileError {
    static func lineNotObject(_ path: String, line: Int, _ value: JSON) -> FileError {
        FileError(path: path, line: line, message: "this line is \(value.kindPhrase), not an object; NDJSON holds one object per line")
    }
}
