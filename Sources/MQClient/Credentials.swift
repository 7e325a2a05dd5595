/// How mq authenticates, and where the secret came from (for error messages).
public struct Credentials: Sendable {
    public enum Scheme: Sendable {
        /// `X-Api-Key: mk_live_<prefix>.<secret>` (or `mk_test_`).
        case apiKey(String)
        /// `Authorization: Bearer <token>`.
        case bearer(String)
    }

    public var scheme: Scheme
    /// Where it was read from, e.g. "--api-key" or "MOSEND_API_KEY": said in 401 errors.
    public var source: String

    public init(apiKey: String, source: String = "--api-key / MOSEND_API_KEY") {
        scheme = .apiKey(apiKey)
        self.source = source
    }

    public init(bearer token: String, source: String = "MOSEND_TOKEN") {
        scheme = .bearer(token)
        self.source = source
    }

    var header: (String, String) {
        switch scheme {
        case .apiKey(let k): return ("X-Api-Key", k)
        case .bearer(let t): return ("Authorization", "Bearer \(t)")
        }
    }

    /// The secret as it may be shown: `mk_live_<prefix>.****`, or `****` for a token.
    public var redacted: String {
        switch scheme {
        case .apiKey(let k): return Credentials.redact(apiKey: k)
        case .bearer: return "Bearer ****"
        }
    }

    /// The part of the credential that must never be printed.
    public var secret: String {
        switch scheme {
        case .apiKey(let k): return k.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init) ?? k
        case .bearer(let t): return t
        }
    }

    /// `mk_live_abcd1234.secret` → `mk_live_abcd1234.****`; anything else → `****`.
    public static func redact(apiKey k: String) -> String {
        guard k.hasPrefix("mk_live_") || k.hasPrefix("mk_test_"), let dot = k.firstIndex(of: ".") else { return "****" }
        return k[..<dot] + ".****"
    }

    /// The header name of the credential (for `.curl`, which prints it redacted).
    var headerName: String { header.0 }
}
