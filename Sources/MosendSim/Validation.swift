import Foundation
import MQCore

/// NestJS-style error bodies: `{"statusCode", "message", "error"}`, where a validation
/// failure's `message` is an array of strings.
enum SimErrors {
    static func body(_ status: Int, message: JSON, error: String?) -> [UInt8] {
        var o = JSONObject()
        o["statusCode"] = .int(status)
        o["message"] = message
        if let error { o["error"] = .string(error) }
        return JSON.object(o).serialized()
    }

    static func badRequest(_ messages: [String]) -> SimResponse {
        SimResponse(status: 400, body: body(400, message: .array(messages.map(JSON.string)), error: "Bad Request"))
    }
    static func badRequest(_ message: String) -> SimResponse {
        SimResponse(status: 400, body: body(400, message: .string(message), error: "Bad Request"))
    }
    static func unauthorized(missing: Bool) -> SimResponse {
        let message = missing
            ? "Missing credentials: send X-Api-Key or Authorization: Bearer"
            : "Invalid API key or token"
        return SimResponse(status: 401, body: body(401, message: .string(message), error: "Unauthorized"))
    }
    static func forbidden() -> SimResponse {
        SimResponse(status: 403, body: body(403, message: "This API key does not belong to this organization",
                                            error: "Forbidden"))
    }
    static func notFound(_ message: String) -> SimResponse {
        SimResponse(status: 404, body: body(404, message: .string(message), error: "Not Found"))
    }
    /// Express's answer to an unknown route, as NestJS relays it.
    static func cannot(_ method: String, _ path: String) -> SimResponse {
        notFound("Cannot \(method) \(path)")
    }
    static func tooManyRequests(retryAfter: Int) -> SimResponse {
        SimResponse(status: 429, body: body(429, message: "ThrottlerException: Too Many Requests", error: nil),
                    headers: [("Retry-After", String(retryAfter))])
    }
    static func internalError() -> SimResponse {
        SimResponse(status: 500, body: body(500, message: "Internal server error", error: nil))
    }
    static func serviceUnavailable() -> SimResponse {
        SimResponse(status: 503, body: body(503, message: "Service Unavailable", error: "Service Unavailable"))
    }
}

/// The opaque cursor of the customers list: the position after the last row served
/// (keyset paging, so each row is served exactly once whatever the filters), plus the
/// page number for the repeating-cursor fault.
struct PageCursor: Equatable {
    let page: Int
    let last: Instant
    let id: String

    var encoded: String {
        let raw = "\(page):\(last.milliseconds):\(id)"
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(page: Int, last: Instant, id: String) {
        self.page = page
        self.last = last
        self.id = id
    }

    init?(encoded: String) {
        var b64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let raw = String(data: data, encoding: .utf8) else { return nil }
        let parts = raw.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3, let page = Int(parts[0]), page >= 1, let ms = Int(parts[1]), Validation.isUUID(parts[2])
        else { return nil }
        self.init(page: page, last: Instant(milliseconds: ms), id: parts[2])
    }
}

/// Query-parameter validation in class-validator's words: every problem is reported at
/// once, and a parameter the endpoint does not take is an error (`forbidNonWhitelisted`).
enum Validation {
    struct CustomersQuery {
        var since: Instant?
        var until: Instant?
        var category: Category?
        var outcome: Outcome?
        var search: String?
        var limit: Int
        var cursor: PageCursor?
        var rawCursor: String?
    }

    static func isUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) {
                return false
            }
        }
        return true
    }

    /// Messages for parameters not in `allowed`, and for allowed ones given twice.
    static func unknownAndRepeated(_ allowed: [String], _ query: [(String, String)]) -> [String] {
        var messages: [String] = []
        var seen = Set<String>()
        for (k, _) in query {
            if !allowed.contains(k) {
                let m = "property \(k) should not exist"
                if !messages.contains(m) { messages.append(m) }
            } else if !seen.insert(k).inserted {
                let m = "\(k) must be a string"
                if !messages.contains(m) { messages.append(m) }
            }
        }
        return messages
    }

    static func onlyAllowed(_ allowed: [String], _ query: [(String, String)]) -> SimResponse? {
        let m = unknownAndRepeated(allowed, query)
        return m.isEmpty ? nil : SimErrors.badRequest(m)
    }

    static func date(_ name: String, _ value: String, _ messages: inout [String]) -> Instant? {
        if let d = Instant.parseISO8601(value) { return d.instant }
        messages.append("\(name) must be a valid ISO 8601 date string")
        return nil
    }

    static func messaging(_ query: [(String, String)], now: Instant) -> Result<Instant, SimResponse> {
        var messages = unknownAndRepeated(["since"], query)
        var since = now.adding(days: -30)
        if let v = query.first(where: { $0.0 == "since" })?.1, let d = date("since", v, &messages) { since = d }
        return messages.isEmpty ? .success(since) : .failure(SimErrors.badRequest(messages))
    }

    static func customers(_ query: [(String, String)], configuration: SimConfiguration) -> Result<CustomersQuery, SimResponse> {
        var messages = unknownAndRepeated(["since", "until", "category", "resolutionOutcome", "q", "limit", "cursor"], query)
        func value(_ k: String) -> String? { query.first(where: { $0.0 == k })?.1 }
        var q = CustomersQuery(limit: configuration.defaultPageSize)
        if let v = value("since") { q.since = date("since", v, &messages) }
        if let v = value("until") { q.until = date("until", v, &messages) }
        if let v = value("category") {
            q.category = Category(rawValue: v)
            if q.category == nil {
                messages.append("category must be one of the following values: "
                    + Category.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let v = value("resolutionOutcome") {
            q.outcome = Outcome(rawValue: v)
            if q.outcome == nil {
                messages.append("resolutionOutcome must be one of the following values: "
                    + Outcome.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let v = value("q"), !v.isEmpty { q.search = v }
        if let v = value("limit") {
            if let n = Int(v) {
                if n < 1 { messages.append("limit must not be less than 1") } else { q.limit = min(n, configuration.pageMax) }
            } else {
                messages.append("limit must be an integer number")
            }
        }
        if let v = value("cursor") {
            q.rawCursor = v
            q.cursor = PageCursor(encoded: v)
            if q.cursor == nil { messages.append("cursor is not valid") }
        }
        if let s = q.since, let u = q.until, s >= u { messages.append("until must be later than since") }
        return messages.isEmpty ? .success(q) : .failure(SimErrors.badRequest(messages))
    }
}
