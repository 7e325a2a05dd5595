/// One HTTP request as the transport sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    /// Seconds this transfer may take in all, when less than `TransportOptions.totalTimeout`
    /// (what is left of a request's deadline across its attempts).
    public var timeout: Double?

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], timeout: Double? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.timeout = timeout
    }
}

/// A complete response: status, headers as received, the whole body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Seconds from the start of the transfer to its end, as libcurl measured it.
    public var seconds: Double
    /// The HTTP version libcurl used ("1.1", "2").
    public var httpVersion: String

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last(where: { $0.0.lowercased() == lower })?.1
    }
}

/// Why a transfer produced no complete response.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// DNS, refused, unreachable.
        case connect
        case connectTimeout
        /// No bytes for the low-speed window.
        case stalled
        /// The whole-request deadline passed.
        case totalTimeout
        /// The connection was reset or closed before a response.
        case reset
        /// The body ended before its announced length.
        case truncated
        case tls
        case cancelled
        /// Refused before sending: a policy of ours (plain http, a redirect elsewhere…).
        case refused
        /// The body passed `TransportOptions.maxResponseBytes`; the transfer was stopped there.
        case tooLarge
        case other
    }

    public var kind: Kind
    public var message: String
    /// libcurl's result code, when libcurl produced the error.
    public var curlCode: Int?
    /// Seconds the transfer ran, as libcurl measured it (0 when it never started).
    public var seconds: Double = 0

    public init(_ kind: Kind, _ message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    /// Whether trying again may succeed.
    public var isTransient: Bool {
        switch kind {
        case .connect, .connectTimeout, .stalled, .totalTimeout, .reset, .truncated: return true
        case .tls, .cancelled, .refused, .tooLarge, .other: return false
        }
    }

    public var isTimeout: Bool { kind == .connectTimeout || kind == .stalled || kind == .totalTimeout }

    public var description: String { message }
}

/// Transport settings; every one is settable from the command line later.
public struct TransportOptions: Sendable {
    /// Requests in flight at once across the whole process.
    public var maxInFlight = 8
    public var connectTimeout = 10.0
    /// Abort when fewer than `lowSpeedLimit` bytes a second arrive for this long: a server
    /// that trickles one byte every half second passed a check for "no byte at all", and
    /// tied mq up until the total timeout, three times.
    public var stallTimeout = 15.0
    /// The low-speed floor, in bytes a second, averaged over `stallTimeout`.
    public var lowSpeedLimit = 100
    public var totalTimeout = 120.0
    /// A response body larger than this is refused (the transfer stops there), so a broken
    /// server or proxy cannot make mq hold hundreds of megabytes. A full page of 100
    /// customers is about 60 KB.
    public var maxResponseBytes = 64 << 20
    /// A PEM bundle of extra trusted CAs (`--cacert`, `MQ_CA_BUNDLE`).
    public var caBundle: String? = nil
    public var userAgent = "mq/\(mqVersion)"

    public init() {}
}

/// mq's version: `mq --version` and the User-Agent.
public let mqVersion = "0.1.0"
