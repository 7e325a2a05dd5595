import Foundation
import MQCore

/// A `mosend-sim` process started the way scripts and benchmarks start it: by its
/// executable, reading the first line of its stdout. Its stdin is a pipe and it runs with
/// `--exit-on-eof`, so it dies with the test process even if a test crashes.
public final class SimProcess: Sendable {
    public struct Org: Sendable {
        public let id: String
        public let name: String
        public let apiKey: String
        public let token: String
    }

    public let url: String
    public let orgs: [Org]
    /// The first stdout line, verbatim.
    public let announcement: String
    public let pid: Int32
    /// Our ends of its stdin (kept open: it exits when this closes) and of its stdout
    /// and stderr (kept open, so that a late line never meets a closed pipe).
    private let stdinWrite: Int32
    private let stdoutRead: Int32
    private let stderrRead: Int32
    private let stopped = NSLock()
    nonisolated(unsafe) private var isStopped = false

    public enum Failure: Error, CustomStringConvertible {
        case noBinary(String)
        case exited(String)
        public var description: String {
            switch self {
            case .noBinary(let p): return "mosend-sim not found at \(p); run swift build first or set MOSEND_SIM_BIN"
            case .exited(let e): return "mosend-sim exited before announcing itself: \(e)"
            }
        }
    }

    /// The binary built beside the test bundle, or `$MOSEND_SIM_BIN`.
    public static var binary: String {
        if let p = ProcessInfo.processInfo.environment["MOSEND_SIM_BIN"] { return p }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("mosend-sim").path
    }

    /// Spawned with posix_spawn, inheriting nothing but its three pipes (see `Spawn`):
    /// it lives as long as the tests that use it, so it must hold no other process's
    /// descriptors.
    public init(_ arguments: [String]) throws {
        let bin = SimProcess.binary
        guard FileManager.default.isExecutableFile(atPath: bin) else { throw Failure.noBinary(bin) }
        let input = Spawn.pipe(), out = Spawn.pipe(), err = Spawn.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        Spawn.closeOthers(&actions)
        let argv = [bin] + arguments + ["--exit-on-eof"]
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, bin, &actions, nil, &cargs, environ)
        close(input.read)
        close(out.write)
        close(err.write)
        guard rc == 0 else {
            for fd in [input.write, out.read, err.read] { close(fd) }
            throw Failure.exited("posix_spawn: \(String(cString: strerror(rc)))")
        }
        var line = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(out.read, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                var e = [UInt8]()
                while true {
                    let k = read(err.read, &buffer, buffer.count)
                    if k < 0 && errno == EINTR { continue }
                    if k <= 0 { break }
                    e += buffer[..<k]
                }
                for fd in [input.write, out.read, err.read] { close(fd) }
                var status: Int32 = 0
                waitpid(child, &status, 0)
                throw Failure.exited(String(decoding: e, as: UTF8.self))
            }
            line += buffer[..<n]
            if let nl = line.firstIndex(of: 0x0A) {
                line = Array(line[..<nl])
                break
            }
        }
        let json = try JSONParser.parse(line)
        url = json["url"]!.stringValue!
        orgs = json["orgs"]!.arrayValue!.map {
            Org(id: $0["id"]!.stringValue!, name: $0["name"]!.stringValue!, apiKey: $0["apiKey"]!.stringValue!,
                token: $0["token"]!.stringValue!)
        }
        announcement = String(decoding: line, as: UTF8.self)
        pid = child
        stdinWrite = input.write
        stdoutRead = out.read
        stderrRead = err.read
    }

    deinit { stop() }

    /// Signals the simulator to stop and closes its stdin, without waiting: a thread of
    /// its own reaps it.
    public func stop() {
        stopped.lock()
        defer { stopped.unlock() }
        guard !isStopped else { return }
        isStopped = true
        kill(pid, SIGTERM)
        for fd in [stdinWrite, stdoutRead, stderrRead] { close(fd) }
        let child = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// `URL/organizations/ORG/reports/REST`
    public func reportURL(_ org: Org, _ rest: String) -> String { "\(url)/organizations/\(org.id)/reports/\(rest)" }
}

/// Simulators shared by the tests that only read from them, started on first use.
public enum Sims {
    private static let processes = Memo<SimProcess>()
    private static let truths = Memo<Truth>()

    /// Default flags, 2,000 contacts per org: the reference set-up.
    public static func standard() throws -> SimProcess {
        try processes.get("standard") { try SimProcess(["--contacts", "2000"]) }
    }

    /// A simulator with other flags, shared by every test that asks for the same flags.
    public static func with(_ arguments: [String]) throws -> SimProcess {
        try processes.get(arguments.joined(separator: " ")) { try SimProcess(arguments) }
    }

    /// The ground truth of an org of a simulator, fetched once.
    public static func truth(_ sim: SimProcess, _ org: SimProcess.Org) throws -> Truth {
        try truths.get(sim.url + org.id) {
            let r = CurlClient().get(sim.url + "/_sim/dataset", headers: ["X-Api-Key": org.apiKey])
            guard r.status == 200 else { throw TestFailure("dataset: HTTP \(r.status) \(r.text)") }
            return try Truth(try JSONParser.parse(r.body))
        }
    }
}

/// Values computed once per key, across concurrently running tests.
public final class Memo<Value>: @unchecked Sendable {
    private var values: [String: Value] = [:]
    private let lock = NSLock()
    public func get(_ key: String, _ make: () throws -> Value) throws -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let v = values[key] { return v }
        let v = try make()
        values[key] = v
        return v
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
