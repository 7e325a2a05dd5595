/// Why a call to the Reports API failed: the one error type the client throws.
///
/// It names the request (method, path and parameters; the key is never part of them),
/// the status and the server's own message, and how many attempts were made, so that a
/// person reading it knows what was asked, what came back, and what to do.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Category: Sendable, Equatable {
        /// The server answered with an error status (4xx, or 5xx/429 after retries).
        case http
        /// No usable answer: connect, TLS, timeout, reset, truncated body.
        case network
        /// A 2xx whose body is not the documented envelope or not JSON.
        case invalidResponse
        /// A cursor came back that this scan had already followed.
        case cursorLoop
        /// More pages than the page cap.
        case pageCap
        /// Refused by a policy of mq's before sending (plain http, a cross-origin redirect).
        case refused
        case cancelled
    }

    public var category: Category
    public var status: Int?
    /// The server's `message`: one string, or the array a validation error carries.
    public var serverMessages: [String]
    public var method: String
    public var path: String
    public var params: [(String, String)]
    public var attempts: Int
    /// mq's own explanation: the cause, and what to do about it.
    public var detail: String
    /// For a scan: the cursor of the page that failed, where a resumed scan would start.
    public var stoppedAtCursor: String?

    public init(category: Category, status: Int? = nil, serverMessages: [String] = [], method: String = "GET",
                path: String, params: [(String, String)] = [], attempts: Int = 1, detail: String,
                stoppedAtCursor: String? = nil)
    {
        self.category = category
        self.status = status
        self.serverMessages = serverMessages
        self.method = method
        self.path = path
        self.params = params
        self.attempts = attempts
        self.detail = detail
        self.stoppedAtCursor = stoppedAtCursor
    }

    /// cli.md's exit status: 3 for API errors, 4 for network errors, 130 when interrupted.
    public var exitStatus: Int32 {
        switch category {
        case .network: return 4
        case .cancelled: return 130
        default: return 3
        }
    }

    /// `GET /organizations/…/reports/customers?limit=100`; a parameter the server chose
    /// (a cursor) is shown through `SafeText`.
    public var requestLine: String {
        let q = params.map { "\($0.0)=\(SafeText.terminal($0.1))" }.joined(separator: "&")
        return "\(method) \(path)\(q.isEmpty ? "" : "?" + q)"
    }

    /// What mq prints. The server's messages (each capped at about 1 KB) and the detail,
    /// which may quote the server (a body's first bytes, a redirect's target), go through
    /// `SafeText`, so no byte of the server's reaches the terminal raw.
    public var description: String {
        var s = requestLine
        if let status { s += " → \(status)" }
        if !serverMessages.isEmpty { s += ": " + serverMessages.map { SafeText.terminal($0) }.joined(separator: "; ") }
        s += "\n  " + SafeText.terminal(detail, cap: 4 * SafeText.cap)
        if attempts > 1 { s += " (\(attempts) attempts)" }
        return s
    }
}
