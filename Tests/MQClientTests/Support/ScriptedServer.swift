import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MQClient
import MQCore
import NIOCore
import Synchronization

/// A loopback HTTP server whose every answer a test scripts: for statuses, headers and
/// bodies the simulator never produces (502, Retry-After dates, redirects, odd shapes).
final class ScriptedServer: Sendable {
    struct Seen: Sendable {
        let path: String
        let query: String
        /// Lower-cased names (HTTP field names are case-insensitive).
        let headers: [String: String]
        /// Requests being answered when this one arrived, itself included.
        var inFlightAtArrival = 0
    }
    struct Reply: Sendable {
        var status = 200
        var headers: [(String, String)] = []
        var body = #"{"data":{},"timestamp":"2026-11-15T12:00:00.000Z"}"#
        /// Milliseconds to wait before answering.
        var delayMs = 0
    }

    let url: String
    private let task: Task<Void, any Error>
    private final class Log: Sendable {
        let entries = Mutex<[Seen]>([])
        let inFlight = Mutex(0)
    }
    private let log: Log

    var requests: [Seen] { log.entries.withLock { $0 } }

    /// `script` gets the request number (0-based) and the request, and returns the reply.
    init(_ script: @escaping @Sendable (Int, Seen) -> Reply) async throws {
        let log = Log()
        self.log = log
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var headers: [String: String] = [:]
            for f in request.headers { headers[f.name.canonicalName] = f.value }
            var seen = Seen(path: request.uri.path, query: request.uri.query ?? "", headers: headers)
            seen.inFlightAtArrival = log.inFlight.withLock { n -> Int in
                n += 1
                return n
            }
            defer { log.inFlight.withLock { $0 -= 1 } }
            let n = log.entries.withLock { l -> Int in
                l.append(seen)
                return l.count - 1
            }
            let reply = script(n, seen)
            if reply.delayMs > 0 { try await Task.sleep(for: .milliseconds(reply.delayMs)) }
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (k, v) in reply.headers { fields[HTTPField.Name(k)!] = v }
            return Response(status: .init(code: reply.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
        }
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: { var l = Logger(label: "scripted"); l.logLevel = .critical; return l }())
        task = Task { try await app.run() }
        var it = bound.makeAsyncIterator()
        guard let port = await it.next() else { throw CancellationError() }
        url = "http://127.0.0.1:\(port)"
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
