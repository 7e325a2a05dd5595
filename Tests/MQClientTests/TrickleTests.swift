import Foundation
import MQClient
import MQCore
import Synchronization
import Testing

/// A server that answers a byte every half second: it passed the old "no byte for 30 s"
/// check, so each attempt ran to the 120 s total timeout, three times (6 minutes a page).
@Suite struct TrickleTests {
    /// Accepts connections on loopback and answers each with headers, then one body byte
    /// every `interval`, for as long as the client stays.
    final class TrickleServer: @unchecked Sendable {
        let port: Int
        private let fd: Int32
        final class Flag: Sendable {
            let value = Mutex(false)
            var isSet: Bool { value.withLock { $0 } }
        }
        private let stopped: Flag

        init(interval: Double = 0.5) throws {
            let stopped = Flag()
            self.stopped = stopped
            let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            fd = sock
            var one: Int32 = 1
            setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) } }
            listen(sock, 16)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) } }
            port = Int(UInt16(bigEndian: addr.sin_port))
            let listener = sock
            Thread.detachNewThread {
                while !stopped.isSet {
                    let c = accept(listener, nil, nil)
                    if c < 0 { return }
                    Thread.detachNewThread {
                        var buf = [UInt8](repeating: 0, count: 4096)
                        _ = read(c, &buf, buf.count)
                        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n".utf8)
                        _ = head.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        var byte = UInt8(ascii: " ")
                        // send with MSG_NOSIGNAL: the client hanging up must not SIGPIPE the tests.
                        while !stopped.isSet, send(c, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 {
                            usleep(UInt32(interval * 1_000_000))
                        }
                        close(c)
                    }
                }
            }
        }

        func stop() {
            stopped.value.withLock { $0 = true }
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    @Test func aTricklingServerIsATimeoutAndTheRequestIsGivenUpInTime() async throws {
        let server = try TrickleServer()
        defer { server.stop() }
        var c = ClientConfiguration(baseURL: "http://127.0.0.1:\(server.port)", orgId: "00000000-0000-4000-8000-000000000001",
                                    credentials: Credentials(apiKey: "mk_test_abcd1234.s3cr3tS3cr3tS3cr3t"))
        c.transport.stallTimeout = 1
        c.retry.requestDeadline = 4
        c.retry.baseDelay = 0.1
        let client = try MosendClient(c, environment: .live)
        defer { client.shutdown() }
        let start = Date()
        await expectAPIError({ try await client.summary(CallContext()) }) { e in
            e.category == .network && e.exitStatus == 4 && e.detail.contains("low-speed floor")
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 6, "gave up after \(elapsed) s")
        print("trickle: \(elapsed) s")
    }

    /// The defaults: under 100 bytes a second for 15 s is a stall, and one request is
    /// given up within 60 s in all, whatever its attempts.
    @Test func theDefaultsBoundARequestToAMinute() {
        let t = TransportOptions()
        #expect(t.lowSpeedLimit == 100 && t.stallTimeout == 15)
        #expect(RetryPolicy().requestDeadline == 60)
        #expect(Double(RetryPolicy().maxAttempts) * t.stallTimeout < RetryPolicy().requestDeadline)
    }
}
