/// Where rendered bytes go (stdout, a file, a test buffer).
public protocol OutputSink: AnyObject {
    func write(_ bytes: [UInt8]) throws
}

/// A sink that keeps everything written to it: for tests, and for output the shell
/// post-processes (a pager, `.once`).
public final class BufferSink: OutputSink {
    public private(set) var bytes: [UInt8] = []

    /// Everything written so far, decoded as UTF-8.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public init() {}

    public func write(_ bytes: [UInt8]) {
        self.bytes.append(contentsOf: bytes)
    }
}

extension OutputSink {
    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }
}
