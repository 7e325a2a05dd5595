import MQCore
import MQFormat

/// Thrown by a sink whose reader has gone (`mq … | head`): the run ends quietly.
public struct OutputClosed: Error {
    public init() {}
}

/// A sink that buffers, and can be told to write what it holds.
public protocol FlushableSink: OutputSink {
    func flush() throws
}

/// Session settings: the flags of cli.md and the meta commands that change them.
public struct SessionSettings: Sendable {
    public var format = OutputFormat.table
    public var pushdown = true
    public var timing = false
    public var color = false
    /// Standard output is a terminal: null shows as `∅` in tables.
    public var terminal = false
    /// Colour in diagnostics, which go to stderr (a terminal or not on its own).
    public var errorColor = false
    public var width = 120
    /// Detail requests one `join customer` may make (`--max-requests`).
    public var maxRequests = 1000
    /// Bytes a sort may hold before it spills to temporary files (`--memory-limit`).
    public var memoryLimit = ByteSize.defaultMemoryLimit
    /// `.pager`: page output taller than the screen (auto), always, or never.
    public var pager = PagerMode.auto
    public init() {}
}

public enum PagerMode: String, Sendable, CaseIterable {
    case on, off, auto
}

/// What only the shell around a session can do: its history, and connecting to another
/// org or profile. Each returns a line to show, or throws a message.
public struct ShellHooks {
    public var history: (() -> [String])? = nil
    public var org: ((_ id: String?) throws -> String)? = nil
    public var profile: ((_ name: String?) throws -> String)? = nil
    /// Profile names of the config file, for completion.
    public var profileNames: () -> [String] = { [] }
    public init() {}
}

/// What the session knows about the API besides the protocol: for `explain` and timing.
public struct APIDescription: Sendable {
    /// The full URL of a request (base URL, org, path, query).
    public var url: @Sendable (_ path: String, _ params: [(String, String)]) -> String
    /// HTTP requests made so far (attempts included).
    public var requestCount: @Sendable () -> Int
    /// The URLs of the requests made since request number `from` (for `.curl`).
    public var urls: @Sendable (_ from: Int) -> [String] = { _ in [] }
    /// A curl command repeating a request, the key redacted.
    public var curl: @Sendable (_ url: String) -> String = { "curl '\($0)'" }
    /// Turns the printing of each request on or off (`.trace`).
    public var setTrace: @Sendable (Bool) -> Void = { _ in }

    public init(url: @escaping @Sendable (String, [(String, String)]) -> String, requestCount: @escaping @Sendable () -> Int) {
        self.url = url
        self.requestCount = requestCount
    }
}
