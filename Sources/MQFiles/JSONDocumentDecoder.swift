import MQCore

/// A whole JSON document: an array of objects (one row each) or a single object (one row).
///
/// Parsed at the first `read`, so opening the file reports only whether it can be read.
final class JSONDocumentDecoder: RowDecoder {
    private let input: FileInput
    private var rows: [JSONObject]?
    private var index = 0

    init(input: FileInput) {
        self.input = input
    }

    func read(max: Int, into out: inout [JSONObject]) throws(FileError) -> Bool {
        if rows == nil { rows = try parse() }
        let all = rows!
        let n = min(max - out.count, all.count - index)
        if n > 0 {
            if out.isEmpty && index == 0 && n == all.count { out = all } else { out += all[index..<index + n] }
            index += n
        }
        if index == all.count {
            rows = []  // let the rows go once handed out
            index = 0
            return false
        }
        return true
    }

    private func parse() throws(FileError) -> [JSONObject] {
        let path = input.path
        try input.skipByteOrderMark()
        let bytes = try input.readAll()
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw .emptyJSON(path) }
        let document: JSON
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            let at = bytes.withUnsafeBufferPointer { textPosition(of: error.offset, in: $0) }
            throw FileError(path: path, line: at.line, column: at.column, message: error.message)
        }
        switch document {
        case .object(let object):
            return [object]
        case .array(let elements):
            var rows: [JSONObject] = []
            rows.reserveCapacity(elements.count)
            for (i, element) in elements.enumerated() {
                guard case .object(let object) = element else {
                    let at = JSONDocumentDecoder.offsetOfElement(i, in: bytes).map { offset in
                        bytes.withUnsafeBufferPointer { textPosition(of: offset, in: $0) }
                    }
                    throw .elementNotObject(path, index: i, element, line: at?.line, column: at?.column)
                }
                rows.append(object)
            }
            return rows
        default:
            throw .documentNotRows(path, document)
        }
    }

    /// Where element `target` of the top-level array starts, found by skipping over the
    /// (already validated) text: the parsed value keeps no positions.
    static func offsetOfElement(_ target: Int, in b: [UInt8]) -> Int? {
        var i = 0
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        while i < b.count, isSpace(b[i]) { i += 1 }
        guard i < b.count, b[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var depth = 0
        var element = 0
        var atElementStart = true
        while i < b.count {
            let c = b[i]
            if depth == 0, atElementStart, !isSpace(c) {
                if element == target { return i }
                atElementStart = false
            }
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 { return nil }
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 0 {
                    element += 1
                    atElementStart = true
                }
            default:
                break
            }
            i += 1
        }
        return nil
    }
}

extension FileError {
    static func emptyJSON(_ path: String) -> FileError {
        FileError(path: path, message: "the file is empty; a .json file must hold an array of objects or one object")
    }

    static func elementNotObject(_ path: String, index: Int, _ value: JSON, line: Int?, column: Int?) -> FileError {
        FileError(path: path, line: line, column: column, message: "element \(index) is \(value.kindPhrase), not an object")
    }

    static func documentNotRows(_ path: String, _ value: JSON) -> FileError {
        FileError(path: path, line: nil, message: "the file holds \(value.kindPhrase); expected an array of objects or one object")
    }
}
