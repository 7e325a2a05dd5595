import ArgumentParser
import Foundation
import MQCore
import MosendSim
import NIOCore

@main
struct MosendSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mosend-sim",
        abstract: "A faithful simulator of the Mosend Reports API, for tests, benchmarks and demos.",
        discussion: """
            Prints one JSON line with its URL and each org's id, name, API key and token, then serves \
            until killed. The same --seed, --orgs and --contacts give the same data, byte for byte. \
            GET /_sim/dataset (with an org's key) returns that org's ground truth; GET /_sim/stats \
            returns request counts (DELETE it, or add ?reset=1, to reset).
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
    @Option(help: "Seed of the generated data and of every fault draw.") var seed: UInt64 = 42
    @Option(help: "Number of organizations.") var orgs = 2
    @Option(help: "Contacts per organization.") var contacts = 2000
    @Option(help: "The simulator's clock (ISO-8601): data is generated relative to it.")
    var now = "2026-11-15T12:00:00Z"

    @Option(help: "Largest page the customers list serves; larger limits are capped.") var pageMax = 100
    @Option(help: "Where list responses put the next cursor: top, meta, pagination, snake, next_cursor.")
    var cursorStyle = "top"
    @Option(help: "How the last page says it is the last: null, absent or empty.") var endCursor = "null"
    @Option(help: "Examine at most N rows per customers page (0: no limit); filtered pages may come back empty with a cursor.")
    var scanBudget = 0

    @Option(help: "Delay every API response by this many milliseconds.") var latencyMs = 0
    @Option(help: "Fraction of API requests answered 500 or 503.") var failRate = 0.0
    @Option(help: "Answer 429 with Retry-After beyond N requests a second (0: off).") var rateLimit = 0
    @Option(help: "Fraction of API responses whose connection is closed mid-body.") var dropRate = 0.0
    @Option(help: "Fraction of API responses sent as 200 with truncated or invalid JSON.") var malformedRate = 0.0
    @Option(help: ArgumentHelp(
        "Comma-separated kinds a malformed response is drawn from, or `all` (default: \(MalformedKind.classic.map(\.rawValue).joined(separator: ","))).",
        discussion: "Kinds: \(MalformedKind.allCases.map(\.rawValue).joined(separator: ", ")). With one kind and --malformed-rate 1, every API response is that kind."))
    var malformedKinds: String?
    @Option(help: "Size in MB of the `huge` malformed kind's body.") var hugeBodyMb = 200
    @Option(help: "From the page after page N on, answer every cursor with itself (0: never).")
    var repeatCursorAfter = 0

    @Flag(help: "Exit when standard input reaches end of file (lets a parent process own the server).")
    var exitOnEOF = false

    func validate() throws {
        guard Instant.parseISO8601(now) != nil else { throw ValidationError("--now must be an ISO-8601 date or date-time") }
        guard CursorStyle(rawValue: cursorStyle) != nil else {
            throw ValidationError("--cursor-style must be one of: \(CursorStyle.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard EndCursor(rawValue: endCursor) != nil else { throw ValidationError("--end-cursor must be null, absent or empty") }
        for (name, rate) in [("--fail-rate", failRate), ("--drop-rate", dropRate), ("--malformed-rate", malformedRate)] {
            guard (0...1).contains(rate) else { throw ValidationError("\(name) must be between 0 and 1") }
        }
        _ = try parsedMalformedKinds()
        guard hugeBodyMb >= 0 else { throw ValidationError("--huge-body-mb must not be negative") }
        guard orgs >= 1 else { throw ValidationError("--orgs must be at least 1") }
        guard contacts >= 0 else { throw ValidationError("--contacts must not be negative") }
        guard pageMax >= 1 else { throw ValidationError("--page-max must be at least 1") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func parsedMalformedKinds() throws -> [MalformedKind] {
        guard let malformedKinds else { return [] }
        if malformedKinds == "all" { return MalformedKind.allCases }
        return try malformedKinds.split(separator: ",").map { name in
            let n = name.trimmingCharacters(in: .whitespaces)
            guard let k = MalformedKind(rawValue: n) else {
                throw ValidationError("--malformed-kinds: unknown kind `\(n)`; the kinds are: "
                    + MalformedKind.allCases.map(\.rawValue).joined(separator: ", ") + ", or all")
            }
            return k
        }
    }

    func run() async throws {
        var c = SimConfiguration()
        c.host = host
        c.port = port
        c.seed = seed
        c.orgs = orgs
        c.contacts = contacts
        c.now = Instant.parseISO8601(now)!.instant
        c.pageMax = pageMax
        c.defaultPageSize = min(c.defaultPageSize, pageMax)
        c.cursorStyle = CursorStyle(rawValue: cursorStyle)!
        c.endCursor = EndCursor(rawValue: endCursor)!
        c.scanBudget = scanBudget
        c.latencyMs = latencyMs
        c.failRate = failRate
        c.rateLimit = rateLimit
        c.dropRate = dropRate
        c.malformedRate = malformedRate
        c.malformedKinds = try parsedMalformedKinds()
        c.hugeBodyBytes = hugeBodyMb * 1024 * 1024
        c.repeatCursorAfter = repeatCursorAfter

        let engine = SimEngine(configuration: c)
        let host = self.host
        let app = SimServer.makeApplication(engine: engine) { port in
            var line = engine.announcement(url: SimServer.url(host: host, port: port))
            line.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(Data(line))
        }
        if exitOnEOF {
            Thread.detachNewThread {
                while (try? FileHandle.standardInput.read(upToCount: 4096))??.isEmpty == false {}
                Foundation.exit(0)
            }
        }
        do {
            try await app.runService()
        } catch let error as IOError {
            // NIO's text names the syscall; say what the operator needs to know.
            throw ListenError(
                message: "cannot listen on \(SimServer.url(host: host, port: port)): \(String(cString: strerror(error.errnoCode)))")
        }
    }
}

struct ListenError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
