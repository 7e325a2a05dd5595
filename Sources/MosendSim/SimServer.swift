import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MQCore
import NIOCore

/// The simulator on a real HTTP server (Hummingbird), in-process: what `mosend-sim` runs
/// and what `mq --demo` will embed.
public final class SimServer: Sendable {
    public let engine: SimEngine
    /// `http://HOST:PORT`, with the port actually bound.
    public let url: String
    private let task: Task<Void, any Error>

    private init(engine: SimEngine, url: String, task: Task<Void, any Error>) {
        self.engine = engine
        self.url = url
        self.task = task
    }

    /// Generates the data, binds, and returns once the server accepts connections.
    public static func start(_ configuration: SimConfiguration, engine: SimEngine? = nil) async throws -> SimServer {
        let engine = engine ?? SimEngine(configuration: configuration)
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = makeApplication(engine: engine) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let task = Task { try await app.run() }
        var iterator = bound.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The server task ended before binding: surface its error.
            try await task.value
            throw SimServerError.didNotStart
        }
        return SimServer(engine: engine, url: url(host: configuration.host, port: port), task: task)
    }

    /// `http://HOST:PORT`, with an IPv6 literal in brackets.
    public static func url(host: String, port: Int) -> String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// Stops accepting and closes connections.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// The Hummingbird application around an engine; `onBound` receives the bound port.
    public static func makeApplication(engine: SimEngine, onBound: @escaping @Sendable (Int) -> Void)
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "mosend-sim") { StreamLogHandler.standardError(label: $0) }
        // Only what stops the server is worth a line: cancelling in-flight connections
        // at shutdown is logged at error level and is not one.
        logger.logLevel = .critical
        let c = engine.configuration
        return Application(
            responder: SimResponder(engine: engine),
            configuration: .init(address: .hostname(c.host, port: c.port), serverName: "mosend-sim"),
            onServerRunning: { channel in onBound(channel.localAddress?.port ?? c.port) },
            logger: logger)
    }
}

public enum SimServerError: Error, CustomStringConvertible {
    case didNotStart
    public var description: String { "the simulator's server stopped before it was listening" }
}

/// Thrown by a body writer to close the connection mid-body (the drop fault).
struct DroppedConnection: Error {}

struct SimResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let engine: SimEngine

    private static let apiKeyField = HTTPField.Name("X-Api-Key")!

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let isAPI = !path.hasPrefix("/_sim/")
        if isAPI { engine.stats.enter() }
        defer { if isAPI { engine.stats.leave() } }
        let latency = engine.configuration.latencyMs
        if latency > 0 && isAPI { try await Task.sleep(for: .milliseconds(latency)) }
        let sim = SimRequest(
            method: request.method.rawValue, path: path, query: FormDecoding.pairs(request.uri.query ?? ""),
            apiKey: request.headers[Self.apiKeyField], authorization: request.headers[.authorization])
        let r = engine.handle(sim)
        var headers = HTTPFields()
        for (k, v) in r.headers { headers[HTTPField.Name(k)!] = v }
        let status = HTTPResponse.Status(code: r.status)
        if let cut = r.dropAfter {
            let body = r.body
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.count) { writer in
                try await writer.write(ByteBuffer(bytes: body.prefix(cut)))
                throw DroppedConnection()
            })
        }
        if let filler = r.filler, request.method != .head {
            // Chunked, no length: the client learns the size only by reading it.
            let head = r.body
            return Response(status: status, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: head))
                let chunk = ByteBuffer(repeating: filler.byte, count: 1 << 20)
                var left = filler.count
                while left > 0 {
                    let n = min(left, chunk.readableBytes)
                    try await writer.write(n == chunk.readableBytes ? chunk : chunk.getSlice(at: 0, length: n)!)
                    left -= n
                }
                try await writer.write(ByteBuffer(bytes: filler.suffix))
                try await writer.finish(nil)
            })
        }
        let body = request.method == .head ? ByteBuffer() : ByteBuffer(bytes: r.body)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// `application/x-www-form-urlencoded` query decoding, as Express's `qs` does it: `+` is a
/// space and keys are decoded too.
enum FormDecoding {
    static func pairs(_ query: String) -> [(String, String)] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(kv[0])
            return (key, kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    static func decode(_ s: Substring) -> String {
        String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncodingSafely
    }
}
