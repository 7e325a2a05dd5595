import CCurl
import CCurlShim
import Foundation
import Synchronization

/// HTTP over one libcurl multi handle, driven by a thread of its own.
///
/// Why a thread: curl's multi loop blocks in `curl_multi_poll`, and the cooperative pool
/// has two threads here (platform-notes.md), so it must never run inside a Task. Callers
/// submit from any thread; submissions and cancellations cross over under a mutex and
/// wake the poll with `curl_multi_wakeup`, so a cancel takes effect at once. The multi
/// handle keeps the connection cache, so consecutive requests to a host reuse
/// connections (HTTP/1.1 keep-alive, HTTP/2 multiplexing where the server offers it).
public final class CurlTransport: Sendable {
    public let options: TransportOptions

    private struct State {
        var nextID = 0
        var pending: [Transfer] = []
        var cancelRequests: [Int] = []
        /// Ids cancelled before their transfer was submitted.
        var cancelledEarly = Set<Int>()
        var inFlight = 0
        var shuttingDown = false
    }

    private let state = Mutex(State())
    /// The multi handle; touched only by the loop thread after init (and by wakeup).
    nonisolated(unsafe) private let multi: UnsafeMutableRawPointer?
    /// Why no request can be made: libcurl, opened at first use, could not be (nil when it was).
    private let unavailable: String?

    public init(options: TransportOptions = TransportOptions()) {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        self.options = options
        multi = curl_multi_init()
        guard multi != nil else {
            unavailable = mq_curl_load_error().map { String(cString: $0) } ?? "libcurl could not create a multi handle"
            return
        }
        unavailable = nil
        // Let HTTP/2 multiplex over one connection when the server offers it.
        mq_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        mq_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.maxInFlight)
        let thread = Thread { [self] in self.loop() }
        thread.name = "mq-curl"
        thread.start()
    }

    deinit {
        // The loop holds a strong reference while it runs, so deinit means it has ended.
        if let multi { curl_multi_cleanup(multi) }
    }

    /// Ends the loop thread, cancelling whatever is in flight. Returns at once (never
    /// blocks the caller); the thread finishes on its own. Idempotent.
    public func shutdown() {
        state.withLock { $0.shuttingDown = true }
        curl_multi_wakeup(multi)
    }

    // MARK: submitting

    /// Performs one request. Cancelling the calling task stops the transfer at once and
    /// returns `.cancelled`.
    public func perform(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportError> {
        if let unavailable { return .failure(TransportError(.other, unavailable)) }
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                submit(Transfer(id: id, request: request, options: options) { c.resume(returning: $0) })
            }
        } onCancel: {
            cancel(id)
        }
    }

    private func submit(_ t: Transfer) {
        let refused: TransportError? = state.withLock { s in
            if s.shuttingDown { return TransportError(.cancelled, "the HTTP client has shut down") }
            if s.cancelledEarly.remove(t.id) != nil { return TransportError(.cancelled, "cancelled") }
            s.pending.append(t)
            return nil
        }
        if let refused { return t.complete(.failure(refused)) }
        curl_multi_wakeup(multi)
    }

    private func cancel(_ id: Int) {
        state.withLock { $0.cancelRequests.append(id) }
        curl_multi_wakeup(multi)
    }

    // MARK: the loop (its own thread only)

    private func loop() {
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        var byID: [Int: UnsafeMutableRawPointer] = [:]

        func finish(_ easy: UnsafeMutableRawPointer, _ result: Result<HTTPResponse, TransportError>) {
            guard let t = active.removeValue(forKey: easy) else { return }
            byID[t.id] = nil
            curl_multi_remove_handle(multi, easy)
            t.release()
            state.withLock { $0.inFlight -= 1 }
            t.complete(result)
        }

        while true {
            let (starting, dropped, cancels, shuttingDown) = state.withLock { s -> ([Transfer], [Transfer], [Int], Bool) in
                let cancels = s.cancelRequests
                s.cancelRequests = []
                // Cancelled before they started: drop from the queue.
                var dropped: [Transfer] = []
                if !cancels.isEmpty {
                    let set = Set(cancels)
                    dropped = s.pending.filter { set.contains($0.id) }
                    s.pending.removeAll { set.contains($0.id) }
                    // Not queued: either running (handled below) or not submitted yet, in
                    // which case submit() must refuse it.
                    for id in set where !dropped.contains(where: { $0.id == id }) { s.cancelledEarly.insert(id) }
                }
                let room = max(0, options.maxInFlight - s.inFlight)
                let starting = s.shuttingDown ? [] : Array(s.pending.prefix(room))
                s.pending.removeFirst(starting.count)
                s.inFlight += starting.count
                return (starting, dropped, cancels, s.shuttingDown)
            }
            for d in dropped { d.complete(.failure(TransportError(.cancelled, "cancelled"))) }
            for id in cancels {
                if let easy = byID[id] {
                    _ = state.withLock { $0.cancelledEarly.remove(id) }
                    finish(easy, .failure(TransportError(.cancelled, "cancelled")))
                }
            }
            if shuttingDown {
                for easy in Array(active.keys) { finish(easy, .failure(TransportError(.cancelled, "the HTTP client has shut down"))) }
                let left = state.withLock { s -> [Transfer] in
                    defer { s.pending = [] }
                    return s.pending
                }
                for t in left { t.complete(.failure(TransportError(.cancelled, "the HTTP client has shut down"))) }
                return
            }
            for t in starting {
                switch t.makeHandle() {
                case .success(let easy):
                    active[easy] = t
                    byID[t.id] = easy
                    curl_multi_add_handle(multi, easy)
                case .failure(let e):
                    state.withLock { $0.inFlight -= 1 }
                    t.complete(.failure(e))
                }
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let msg = curl_multi_info_read(multi, &queued) {
                guard mq_curl_msg_is_done(msg) != 0, let easy = mq_curl_msg_easy_handle(msg) else { continue }
                let code = mq_curl_msg_result(msg)
                if let t = active[easy] { finish(easy, t.outcome(code)) }
            }
            // Sleeps until a socket is ready, a timer is due, or curl_multi_wakeup.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}

/// One transfer's state while libcurl runs it: the body and headers as they arrive.
private final class Transfer: @unchecked Sendable {
    let id: Int
    let request: HTTPRequest
    let options: TransportOptions
    private let completion: @Sendable (Result<HTTPResponse, TransportError>) -> Void
    var body = BodyBuffer()
    var headers: [(String, String)] = []
    var easy: UnsafeMutableRawPointer? = nil
    /// The body passed `options.maxResponseBytes` and the write callback stopped the transfer.
    var tooLarge = false
    var headerList: UnsafeMutablePointer<curl_slist>? = nil
    /// libcurl writes a detailed message here; it must outlive the handle's use of it.
    let errorBuffer: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        p.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return p
    }()
    private var completed = false

    deinit { errorBuffer.deallocate() }

    init(id: Int, request: HTTPRequest, options: TransportOptions,
         completion: @escaping @Sendable (Result<HTTPResponse, TransportError>) -> Void)
    {
        self.id = id
        self.request = request
        self.options = options
        self.completion = completion
    }

    func complete(_ r: Result<HTTPResponse, TransportError>) {
        guard !completed else { return }
        completed = true
        completion(r)
    }

    func makeHandle() -> Result<UnsafeMutableRawPointer, TransportError> {
        guard let h = curl_easy_init() else {
            // libcurl is opened at first use; a machine without it gets the loader's reason.
            let why = mq_curl_load_error().map { String(cString: $0) } ?? "libcurl could not create a handle"
            return .failure(TransportError(.other, why))
        }
        easy = h
        let me = Unmanaged.passUnretained(self).toOpaque()
        mq_curl_easy_setopt_string(h, CURLOPT_URL, request.url)
        if request.method == "GET" {
            mq_curl_easy_setopt_long(h, CURLOPT_HTTPGET, 1)
        } else {
            mq_curl_easy_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method)
        }
        for (k, v) in request.headers { headerList = curl_slist_append(headerList, "\(k): \(v)") }
        mq_curl_easy_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)
        mq_curl_easy_setopt_string(h, CURLOPT_USERAGENT, options.userAgent)
        // Only the web, and redirects are the caller's decision (same-origin rule).
        mq_curl_easy_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        mq_curl_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        // TLS is always verified; a private CA is added, never a way around checking.
        mq_curl_easy_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        mq_curl_easy_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = options.caBundle { mq_curl_easy_setopt_string(h, CURLOPT_CAINFO, ca) }
        // Compressed bodies when the server offers them; curl decodes.
        mq_curl_easy_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        mq_curl_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        mq_curl_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(max(0.001, request.timeout.map { min($0, options.totalTimeout) } ?? options.totalTimeout) * 1000))
        mq_curl_easy_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, max(1, options.lowSpeedLimit))
        mq_curl_easy_setopt_long(h, CURLOPT_LOW_SPEED_TIME, max(1, Int(options.stallTimeout.rounded(.up))))
        // Signals would interrupt the shell's own handling (Ctrl-C); timeouts do not need them.
        mq_curl_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        mq_curl_easy_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        mq_curl_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)
        mq_curl_easy_setopt_write_function(h, CURLOPT_WRITEFUNCTION) { ptr, size, n, ctx in
            let t = Unmanaged<Transfer>.fromOpaque(ctx!).takeUnretainedValue()
            let count = size * n
            if t.body.size + count > t.options.maxResponseBytes {
                t.tooLarge = true
                return 0  // anything but `count` makes libcurl stop with CURLE_WRITE_ERROR
            }
            if let ptr { t.body.append(UnsafeRawBufferPointer(start: ptr, count: count)) }
            return count
        }
        mq_curl_easy_setopt_pointer(h, CURLOPT_WRITEDATA, me)
        mq_curl_easy_setopt_write_function(h, CURLOPT_HEADERFUNCTION) { ptr, size, n, ctx in
            let t = Unmanaged<Transfer>.fromOpaque(ctx!).takeUnretainedValue()
            let count = size * n
            guard let ptr else { return count }
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: count), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                t.headers = []  // a new response (after 100 Continue, say) starts over
            } else if let colon = line.firstIndex(of: ":") {
                let name = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                t.headers.append((name, value))
            }
            return count
        }
        mq_curl_easy_setopt_pointer(h, CURLOPT_HEADERDATA, me)
        return .success(h)
    }

    /// Frees the handle and header list (the loop removed it from the multi already).
    func release() {
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
        curl_slist_free_all(headerList)
        headerList = nil
    }

    /// The result of a finished transfer, read before the handle is released.
    func outcome(_ code: CURLcode) -> Result<HTTPResponse, TransportError> {
        guard let h = easy else { return .failure(TransportError(.other, "transfer without a handle")) }
        var total = 0.0
        mq_curl_easy_getinfo_double(h, CURLINFO_TOTAL_TIME, &total)
        if code == CURLE_OK {
            var status = 0
            mq_curl_easy_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
            var version = 0
            mq_curl_easy_getinfo_long(h, CURLINFO_HTTP_VERSION, &version)
            let v = version == Int(CURL_HTTP_VERSION_2_0) ? "2" : version == Int(CURL_HTTP_VERSION_3) ? "3" : "1.1"
            return .success(HTTPResponse(status: status, headers: headers, body: body.bytes(), seconds: total, httpVersion: v))
        }
        if tooLarge {
            body = BodyBuffer()
            let limit = options.maxResponseBytes
            let size = limit >= 1 << 20 ? "\(limit >> 20) MB" : "\(limit) bytes"
            var e = TransportError(.tooLarge, "the response passed \(size), mq's limit for one response, "
                + "and was not read further")
            e.seconds = total
            return .failure(e)
        }
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        var connectTime = 0.0
        mq_curl_easy_getinfo_double(h, CURLINFO_CONNECT_TIME, &connectTime)
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: kind = .connect
        case CURLE_OPERATION_TIMEDOUT:
            let limit = request.timeout.map { min($0, options.totalTimeout) } ?? options.totalTimeout
            if connectTime == 0 { kind = .connectTimeout } else if total >= limit - 0.05 { kind = .totalTimeout } else { kind = .stalled }
        case CURLE_PARTIAL_FILE: kind = .truncated
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM: kind = .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE: kind = .tls
        case CURLE_ABORTED_BY_CALLBACK: kind = .cancelled
        case CURLE_UNSUPPORTED_PROTOCOL: kind = .refused
        default: kind = .other
        }
        var failure = TransportError(kind, text, curlCode: Int(code.rawValue))
        failure.seconds = total
        return .failure(failure)
    }
}

/// A response body as it arrives, in blocks of a megabyte: one array grown by doubling
/// held its old and new storage at once while it grew (96 MB for a body refused at the
/// 64 MB cap), and the freed blocks of one size are what the next attempt reuses, so
/// three refused bodies in a row no longer added up (BadJSONTests saw 234 MB).
struct BodyBuffer {
    static let block = 1 << 20
    private var full: [[UInt8]] = []
    private var current: [UInt8] = []
    private(set) var size = 0

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        while !rest.isEmpty {
            if current.count == BodyBuffer.block {
                full.append(current)
                current = []
            }
            if current.isEmpty, size >= BodyBuffer.block { current.reserveCapacity(BodyBuffer.block) }
            let n = min(rest.count, BodyBuffer.block - current.count)
            current.append(contentsOf: rest.prefix(n))
            rest = rest.dropFirst(n)
            size += n
        }
    }

    /// The body in one array (a page of rows is one block, handed over as it is).
    func bytes() -> [UInt8] {
        if full.isEmpty { return current }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        for b in full { out += b }
        out += current
        return out
    }
}

/// The libcurl mq runs with, as `curl --version`'s first line names it: its version and
/// its TLS, compression and HTTP/2 libraries; or why it could not be opened (it is
/// opened at first use, `CCurlShim`).
public func libcurlVersion() -> String {
    guard let info = mq_curl_version_info()?.pointee else {
        return "libcurl: " + (mq_curl_load_error().map { String(cString: $0) } ?? "could not be opened")
    }
    var libraries: [String] = []
    if let s = info.ssl_version { libraries.append(String(cString: s)) }
    if let z = info.libz_version { libraries.append("zlib/" + String(cString: z)) }
    if let h = info.nghttp2_version { libraries.append("nghttp2/" + String(cString: h)) }
    return "libcurl \(String(cString: info.version))" + (libraries.isEmpty ? "" : " (" + libraries.joined(separator: ", ") + ")")
}
