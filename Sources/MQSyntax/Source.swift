/// A range of a statement's text, in UTF-8 byte offsets.
///
/// Spans are position metadata: two nodes are equal when their syntax is, wherever they
/// stand, so `==` on a span is always true. That lets the printer round trip compare
/// whole trees.
public struct Span: Sendable, Hashable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    public static func == (_: Span, _: Span) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}

    /// The smallest span covering both.
    public func to(_ other: Span) -> Span { Span(min(start, other.start), max(end, other.end)) }

    public var description: String { "\(start)..<\(end)" }
}

/// The text statements come from, with what a diagnostic needs: its name (a file, or
/// `<command>`) and where its lines start.
public struct SourceText: Sendable {
    public let name: String
    public let text: String
    public let bytes: [UInt8]
    private let lineStarts: [Int]

    public init(_ text: String, name: String = "<command>") {
        self.name = name
        self.text = text
        bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    /// 1-based line and column (in characters) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let prefix = bytes[start..<min(max(offset, start), bytes.count)]
        return (lo + 1, String(decoding: prefix, as: UTF8.self).count + 1)
    }

    /// The text of a 1-based line, without its newline.
    public func line(_ n: Int) -> String {
        guard n >= 1 && n <= lineStarts.count else { return "" }
        let start = lineStarts[n - 1]
        var end = n < lineStarts.count ? lineStarts[n] - 1 : bytes.count
        if end > start && end <= bytes.count && end > 0 && bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    public func slice(_ span: Span) -> String {
        String(decoding: bytes[min(span.start, bytes.count)..<min(span.end, bytes.count)], as: UTF8.self)
    }
}
