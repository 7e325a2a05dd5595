import CCurl
import CCurlShim
import Foundation

/// A blocking HTTP/1.1 client on one libcurl easy handle, so consecutive requests reuse
/// the connection (keep-alive). For tests only: the product's client is asynchronous.
public final class CurlClient {
    public struct Response {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// libcurl's result: CURLE_OK, or e.g. CURLE_PARTIAL_FILE when the server closed mid-body.
        public var curlCode: CURLcode
        public var seconds: Double

        public func header(_ name: String) -> String? {
            headers.last(where: { $0.0.lowercased() == name.lowercased() })?.1
        }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    private final class Sink {
        var body: [UInt8] = []
        var headers: [(String, String)] = []
    }

    private let handle: UnsafeMutableRawPointer

    public init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    public func get(_ url: String, headers: [String: String] = [:], method: String = "GET", timeoutMs: Int = 30_000) -> Response {
        let sink = Sink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (k, v) in headers { list = curl_slist_append(list, "\(k): \(v)") }
        defer { curl_slist_free_all(list) }

        mq_curl_easy_setopt_string(handle, CURLOPT_URL, url)
        mq_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        mq_curl_easy_setopt_long(handle, CURLOPT_NOBODY, method == "HEAD" ? 1 : 0)
        mq_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        mq_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMs)
        mq_curl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION) { ptr, size, n, ctx in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            let count = size * n
            if let ptr { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: count)) }
            return count
        }
        mq_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, box.toOpaque())
        mq_curl_easy_setopt_write_function(handle, CURLOPT_HEADERFUNCTION) { ptr, size, n, ctx in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            let count = size * n
            if let ptr {
                let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: count), as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    sink.headers.append((String(line[..<colon]),
                                         line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)))
                }
            }
            return count
        }
        mq_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, box.toOpaque())

        let code = curl_easy_perform(handle)
        var status = 0
        mq_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var seconds = 0.0
        mq_curl_easy_getinfo_double(handle, CURLINFO_TOTAL_TIME, &seconds)
        return Response(status: status, headers: sink.headers, body: sink.body, curlCode: code, seconds: seconds)
    }
}
