import CCurl
import CCurlShim
import CEdit
import CEditShim
import Foundation
import Testing

/// The typed C wrappers link against the system libraries and pass values through intact.
/// Serialized: libedit's history is process-global state.
@Suite(.serialized) struct ShimTests {
    @Test func libcurlHasWhatTheClientNeeds() throws {
        let info = try #require(mq_curl_version_info())
        let features = Int32(info.pointee.features)
        #expect(features & CURL_VERSION_SSL != 0, "TLS")
        #expect(features & CURL_VERSION_HTTP2 != 0, "HTTP/2")
        let protocols = sequence(first: info.pointee.protocols, next: { $0.advanced(by: 1) })
            .prefix { $0.pointee != nil }.map { String(cString: $0.pointee!) }
        #expect(protocols.contains("https") && protocols.contains("http"))
    }

    /// A transfer from a file:// URL through the typed setopt/getinfo wrappers and a
    /// context-passing write callback: the path the HTTP client takes, without a network.
    @Test func easyTransferThroughTheShim() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mq-shim-\(getpid()).txt").path
        let payload = Array((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        FileManager.default.createFile(atPath: path, contents: Data(payload))
        defer { try? FileManager.default.removeItem(atPath: path) }

        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        let h = try #require(curl_easy_init())
        defer { curl_easy_cleanup(h) }
        #expect(mq_curl_easy_setopt_string(h, CURLOPT_URL, "file://" + path) == CURLE_OK)
        #expect(mq_curl_easy_setopt_write_function(h, CURLOPT_WRITEFUNCTION) { ptr, size, n, ctx in
            let sink = Unmanaged<Sink>.fromOpaque(ctx!).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: size * n))
            return size * n
        } == CURLE_OK)
        #expect(mq_curl_easy_setopt_pointer(h, CURLOPT_WRITEDATA, box.toOpaque()) == CURLE_OK)
        #expect(mq_curl_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, 5000) == CURLE_OK)
        #expect(curl_easy_perform(h) == CURLE_OK)
        #expect(sink.bytes == payload)
        var size: curl_off_t = 0
        #expect(mq_curl_easy_getinfo_off_t(h, CURLINFO_SIZE_DOWNLOAD_T, &size) == CURLE_OK)
        #expect(size == payload.count)
        var url: UnsafePointer<CChar>? = nil
        #expect(mq_curl_easy_getinfo_string(h, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK)
        #expect(url.map { String(cString: $0) } == "file://" + path)
    }

    @Test func anAbortingProgressCallbackCancelsTheTransfer() throws {
        let h = try #require(curl_easy_init())
        defer { curl_easy_cleanup(h) }
        mq_curl_easy_setopt_string(h, CURLOPT_URL, "file:///dev/zero")
        mq_curl_easy_setopt_write_function(h, CURLOPT_WRITEFUNCTION) { _, size, n, _ in size * n }
        mq_curl_easy_setopt_long(h, CURLOPT_NOPROGRESS, 0)
        mq_curl_easy_setopt_xferinfo_function(h) { _, _, now, _, _ in now > 1_000_000 ? 1 : 0 }
        #expect(curl_easy_perform(h) == CURLE_ABORTED_BY_CALLBACK)
    }

    @Test func historyRoundTripsThroughAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mq-history-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        mq_rl_configure("mq-test", nil)
        mq_history_clear()
        let lines = ["customers | limit 3", "summary", "customers where category=billing\n| sort name"]
        for l in lines { mq_history_add(l) }
        #expect(mq_history_length() == 3)
        #expect(mq_history_write(path) == 0)
        mq_history_clear()
        #expect(mq_history_length() == 0)
        #expect(mq_history_read(path) == 0)
        let back = (0..<Int(mq_history_length())).compactMap { mq_history_get(Int32($0)).map { String(cString: $0) } }
        #expect(back == lines)
        mq_history_stifle(2)
        mq_history_add("one more")
        #expect(mq_history_length() == 2)
        mq_history_clear()
    }
}
