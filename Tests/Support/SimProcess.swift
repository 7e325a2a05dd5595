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
    nonisolated(unsafe) private let process: Process
    nonisolated(unsafe) private let stdin: Pipe

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

    public init(_ arguments: [String]) throws {
        let bin = SimProcess.binary
        guard FileManager.default.isExecutableFile(atPath: bin) else { throw Failure.noBinary(bin) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = arguments + ["--exit-on-eof"]
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        var line = [UInt8]()
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty {
                let e = String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
                throw Failure.exited(e)
            }
            line.append(contentsOf: chunk)
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
        process = p
        stdin = input
    }

    deinit { stop() }

    /// Signals the simulator to stop, without waiting: Process.waitUntilExit can block a
    /// cooperative thread for good. It also exits when its stdin pipe closes.
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    public var pid: Int32 { process.processIdentifier }

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
