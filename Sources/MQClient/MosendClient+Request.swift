import Foundation
import MQCore

extension MosendClient {
    /// One GET, retried by the policy, redirects followed within the origin, the body
    /// parsed. Returns the whole envelope; throws the one public error type.
    ///
    /// - Parameters:
    ///   - contactId: for a detail call, so a 404 can say which contact.
    ///   - gate: a fan-out's limit: each attempt takes a slot and gives it back before any
    ///     retry wait, and the gate sees every status (to ease off on 429).
    ///   - envelope: what is wrong with a 2xx body's shape, or nil: a 200 that breaks the
    ///     envelope (`data` a string, a row that is not an object) is as broken as one
    ///     that is not JSON, so it is retried the same way, then reported.
    func get(_ path: String, _ params: [(String, String)], _ statement: CallContext, contactId: String? = nil,
             gate: AdaptiveLimit? = nil, envelope: ((JSON) -> String?)? = nil) async throws(APIError) -> JSON
    {
        let policy = configuration.retry
        var url = self.url(path, params)
        var attempt = 1
        var redirects = 0
        var waited = 0.0
        // One request, its retries included, is given up within `requestDeadline`: a slow
        // or trickling server cannot hold a statement for attempts × the total timeout.
        // What counts is the time the transfers ran (libcurl's own measure) and the waits
        // chosen between them: not a fan-out's queue, nor a busy machine's late wake-up.
        var spent = 0.0
        let deadline = policy.requestDeadline
        func left() -> Double { deadline - spent }
        // A 429 is the server asking to slow down, not a failure: those retries are counted
        // apart (up to `maxRateLimitedAttempts`), so a fan-out that starts above the
        // server's rate settles to it instead of giving up after three 429s.
        var rateLimited = 0
        func failure(_ category: APIError.Category, status: Int? = nil, messages: [String] = [], _ detail: String)
            -> APIError
        {
            APIError(category: category, status: status, serverMessages: messages, path: path, params: params,
                     attempts: attempt, detail: detail)
        }
        func cancelled() -> APIError { failure(.cancelled, "cancelled") }

        while true {
            if Task.isCancelled || statement.isCancelled { throw cancelled() }
            if let gate {
                do { try await gate.acquire() } catch { throw cancelled() }
            }
            activity.inFlight.add(1, ordering: .relaxed)
            let outcome = await transport.perform(HTTPRequest(url: url, headers: [configuration.credentials.header],
                                                              timeout: max(0.5, left())))
            activity.inFlight.subtract(1, ordering: .relaxed)
            gate?.release()

            // Either a transient failure to retry (with an optional Retry-After), or done.
            let retryable: APIError
            var retryAfter: Double? = nil
            var timedOut = false
            switch outcome {
            case .failure(let e):
                spent += e.seconds
                trace(TraceEvent(method: "GET", url: url, status: nil, error: e.message, bytes: 0, seconds: 0,
                                 attempt: attempt, waitedBefore: waited, httpVersion: nil))
                switch e.kind {
                case .cancelled: throw cancelled()
                case .refused: throw failure(.refused, e.message)
                default: break
                }
                if e.kind == .tooLarge {
                    // A body past the cap is a broken answer like any other (a proxy's
                    // error page, a runaway server): retried, then said; the cap bounds
                    // what each attempt costs.
                    retryable = failure(.invalidResponse, e.message)
                } else {
                    let err = failure(.network, Self.explain(e, origin: origin))
                    guard e.isTransient else { throw err }
                    retryable = err
                    timedOut = e.isTimeout
                }
            case .success(let r):
                spent += r.seconds
                trace(TraceEvent(method: "GET", url: url, status: r.status, error: nil, bytes: r.body.count,
                                 seconds: r.seconds, attempt: attempt, waitedBefore: waited, httpVersion: r.httpVersion))
                gate?.observe(status: r.status)
                if (300...399).contains(r.status), let location = r.header("Location") {
                    url = try follow(location, from: url, redirects: &redirects, failure)
                    continue  // a redirect is not an attempt
                }
                if (200...299).contains(r.status) {
                    // A broken body is a transient fault (a proxy, a cut connection): retry it,
                    // and if it persists report it, never pass it on.
                    switch Result(catching: { () throws(JSONParseError) -> JSON in try JSONParser.parse(r.body) }) {
                    case .success(let body):
                        if let problem = envelope?(body) {
                            retryable = failure(.invalidResponse, status: r.status, problem)
                        } else {
                            bucket.recordSuccess(host: origin.host)
                            return body
                        }
                    case .failure(let error):
                        retryable = failure(.invalidResponse, status: r.status,
                                            "the response is not valid JSON (\(error)); \(Self.bodyPreview(r.body))")
                    }
                } else {
                    let messages = Self.serverMessages(r.body)
                    let err = failure(.http, status: r.status, messages: messages,
                                      explain(status: r.status, messages: messages, contactId: contactId))
                    guard RetryPolicy.retriedStatuses.contains(r.status) else { throw err }
                    retryable = err
                    retryAfter = r.header("Retry-After").flatMap { RetryPolicy.retryAfterSeconds($0, now: environment.now()) }
                }
            }

            // Retry, if the policy, the statement's budget and the host's bucket allow.
            let isRateLimit = retryable.status == 429
            if isRateLimit { rateLimited += 1 }
            guard isRateLimit ? rateLimited < policy.maxRateLimitedAttempts : attempt - rateLimited < policy.maxAttempts else {
                throw retryable
            }
            let delay: Double
            if let retryAfter {
                guard retryAfter <= policy.maxRetryAfter else {
                    throw amended(retryable, "the server asked to wait \(Self.seconds(retryAfter)) (Retry-After); "
                        + "mq waits at most \(Self.seconds(policy.maxRetryAfter)), so it stops here")
                }
                delay = retryAfter
            } else {
                delay = policy.backoff(afterAttempt: attempt, random: environment.random())
            }
            guard statement.spendRetryBudget(delay, now: environment.monotonic()) else {
                throw amended(retryable, "waiting \(Self.seconds(delay)) more would pass the statement's retry budget "
                    + "(\(Self.seconds(statement.retryBudgetLeft)) left), so it stops here")
            }
            guard delay < left() else {
                throw amended(retryable, "mq gives up on one request after \(Self.seconds(deadline)) in all, its retries "
                    + "included, so it stops here")
            }
            // The quota is for a host that keeps failing; a 429 is not a failure of it.
            guard isRateLimit || bucket.takeRetry(host: origin.host, timeout: timedOut) else {
                throw amended(retryable, "\(origin.host) has failed so often lately that mq stopped retrying "
                    + "(retry quota); it recovers as requests succeed")
            }
            activity.retriesWaiting.add(1, ordering: .relaxed)
            defer { activity.retriesWaiting.subtract(1, ordering: .relaxed) }
            do { try await environment.sleep(delay) } catch { throw cancelled() }
            spent += delay
            waited = delay
            attempt += 1
        }
    }

    private func amended(_ e: APIError, _ why: String) -> APIError {
        var e = e
        e.detail += "; " + why
        return e
    }

    /// The next URL of a redirect, if it stays in the origin. Another origin is refused:
    /// following it without the key would fail anyway, and with the key would leak it.
    private func follow(_ location: String, from url: String, redirects: inout Int,
                        _ failure: (APIError.Category, Int?, [String], String) -> APIError) throws(APIError) -> String
    {
        guard let target = URL(string: location, relativeTo: URL(string: url))?.absoluteString,
              let to = Origin(target)
        else {
            throw failure(.refused, nil, [], "the server redirected to “\(location)”, which is not an http(s) URL")
        }
        guard to == origin else {
            throw failure(.refused, nil, [], "the server redirected to \(to), another origin than \(origin); "
                + "mq does not follow it, so the API key never leaves \(origin)")
        }
        redirects += 1
        guard redirects <= configuration.maxRedirects else {
            throw failure(.refused, nil, [], "more than \(configuration.maxRedirects) redirects")
        }
        return target
    }

    // MARK: wording

    static func seconds(_ s: Double) -> String {
        s < 10 ? String(format: "%.1f s", s) : "\(Int(s.rounded())) s"
    }

    /// The server's `message`: a string, or an array of strings (validation errors).
    static func serverMessages(_ body: [UInt8]) -> [String] {
        guard let json = try? JSONParser.parse(body) else {
            return body.isEmpty ? [] : [bodyPreview(body)]
        }
        switch json["message"] {
        case .string(let s)?: return [s]
        case .array(let a)?: return a.map { $0.stringValue ?? $0.description }
        default: return json["error"]?.stringValue.map { [$0] } ?? []
        }
    }

    static func bodyPreview(_ body: [UInt8]) -> String {
        let text = SafeText.terminal(String(decoding: body.prefix(120), as: UTF8.self).replacingOccurrences(of: "\n", with: " "))
        return "the body begins “\(text)\(body.count > 120 ? "…" : "")” (\(body.count) bytes)"
    }

    func explain(status: Int, messages: [String], contactId: String?) -> String {
        let org = configuration.orgId
        switch status {
        case 400, 422:
            return "the server rejected the request's parameters"
        case 401:
            return "the server did not accept the credentials \(configuration.credentials.redacted) "
                + "(read from \(configuration.credentials.source)); mq sends an API key as X-Api-Key "
                + "(--api-key or MOSEND_API_KEY) or a token as Authorization: Bearer (MOSEND_TOKEN)"
        case 403:
            return "the credentials \(configuration.credentials.redacted) have no access to organization \(org); "
                + "check --org / MOSEND_ORG"
        case 404:
            if messages.contains(where: { $0.lowercased().contains("organization") }) {
                return "organization \(org) was not found; check --org / MOSEND_ORG"
            }
            if let contactId { return "contact \(contactId) was not found in organization \(org)" }
            return "not found"
        case 429:
            return "the server is rate limiting mq"
        default:
            return (500...599).contains(status) ? "the server failed" : "unexpected status"
        }
    }

    static func explain(_ e: TransportError, origin: Origin) -> String {
        switch e.kind {
        case .connect: return "could not connect to \(origin): \(e.message)"
        case .connectTimeout: return "no connection to \(origin) within the connect timeout: \(e.message)"
        case .stalled: return "the server sent too little too slowly (under the low-speed floor for the stall timeout): \(e.message)"
        case .totalTimeout: return "the request took longer than the request timeout: \(e.message)"
        case .reset: return "the connection was closed before a complete response: \(e.message)"
        case .truncated: return "the response ended before its announced length: \(e.message)"
        case .tls: return "TLS failed with \(origin) (a private CA goes in --cacert or MQ_CA_BUNDLE): \(e.message)"
        default: return e.message
        }
    }
}
