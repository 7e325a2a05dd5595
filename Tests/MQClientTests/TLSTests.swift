import Foundation
import MQClient
import MQCore
import MQTestSupport
import Testing

/// TLS is always verified; a private CA is trusted only when given (`--cacert`).
@Suite struct TLSTests {
    /// A CA and a server certificate for 127.0.0.1 signed by it, made with openssl, and an
    /// HTTPS server (Python's ssl) that answers every GET with an envelope.
    final class HTTPSServer: @unchecked Sendable {
        let url: String
        let caPath: String
        let dir: URL
        private let process: Process
        private let stdin: Pipe

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Self.shell("""
                openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=mq test CA' &&
                openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1' &&
                printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf &&
                openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf
                """, in: dir)
            caPath = dir.appendingPathComponent("ca.pem").path
            let script = """
                import http.server, ssl, sys, threading, os
                class H(http.server.BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def do_GET(self):
                        body = b'{"data":{"ok":true},"timestamp":"2026-11-15T12:00:00.000Z"}'
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, *a): pass
                srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain("srv.pem", "srv.key")
                srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
                threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
                print(srv.server_address[1], flush=True)
                srv.serve_forever()
                """
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", "-c", script]
            p.currentDirectoryURL = dir
            let out = Pipe()
            stdin = Pipe()
            p.standardOutput = out
            p.standardInput = stdin
            p.standardError = FileHandle.nullDevice
            try p.run()
            process = p
            var line = Data()
            while !line.contains(0x0A) {
                let chunk = out.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw TestFailure("the HTTPS server did not start") }
                line.append(chunk)
            }
            let port = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            url = "https://127.0.0.1:\(port)"
        }

        static func shell(_ command: String, in dir: URL) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", command]
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw TestFailure("failed: \(command)") }
        }

        /// Signals without waiting: Process.waitUntilExit can block a cooperative thread
        /// for good here. The server also exits when its stdin pipe closes.
        deinit {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    @Test func anUnknownCAIsRefusedAndAGivenOneTrusted() async throws {
        let server = try HTTPSServer()
        let untrusted = try Clients.forServer(server.url)
        await expectAPIError({ try await untrusted.summary(CallContext()) }) { e in
            // Not retried: a certificate does not get better by asking again.
            return e.category == .network && e.attempts == 1 && e.detail.contains("TLS failed")
                && e.detail.contains("--cacert")
        }
        let trusted = try Clients.forServer(server.url) { $0.transport.caBundle = server.caPath }
        #expect(try await trusted.summary(CallContext()) == ["ok": true])
    }

    @Test func aStalledResponseTimesOut() async throws {
        let sim = try Sims.with(["--contacts", "20", "--orgs", "1", "--latency-ms", "4000"])
        let client = try Clients.forSim(sim) {
            $0.transport.stallTimeout = 1
            $0.retry.maxAttempts = 1
        }
        await expectAPIError({ try await client.summary(CallContext()) }) { e in
            return e.category == .network && e.detail.contains("under the low-speed floor for the stall timeout")
        }
    }
}
