// Drives MQClient against a running mosend-sim and prints one JSON object of timings.
// scripts/bench-client starts the simulators and runs this; it is not a test.
//
//   client-bench MODE URL ORG KEY [ROUNDS]
//   MODE: scan (full customers scan), fanout (details of the first N ids), cancel (cancel mid-scan)
import Foundation
import MQClient
import MQCore

let args = CommandLine.arguments
guard args.count >= 5 else {
    FileHandle.standardError.write(Data("usage: client-bench scan|fanout|cancel URL ORG KEY [ROUNDS]\n".utf8))
    exit(2)
}
let (mode, url, org, key) = (args[1], args[2], args[3], args[4])
let rounds = args.count > 5 ? Int(args[5]) ?? 3 : 3

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = start.duration(to: .now).components
    return Double(d.seconds) + Double(d.attoseconds) * 1e-18
}

func client() throws -> MosendClient {
    try MosendClient(ClientConfiguration(baseURL: url, orgId: org, credentials: Credentials(apiKey: key)))
}

@Sendable func scan(_ c: MosendClient, _ st: CallContext) async throws -> (rows: Int, pages: Int) {
    let source = c.customerPages(ListQuery(), st)
    var rows = 0, pages = 0
    while let p = try await source.next() {
        rows += p.rows.count
        pages += 1
    }
    return (rows, pages)
}

var out: [String: JSON] = ["mode": .string(mode)]
switch mode {
case "scan":
    let c = try client()
    var walls: [JSON] = []
    var pages = 0, rows = 0
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        (rows, pages) = try await scan(c, CallContext())
        walls.append(.double(seconds(since: start)))
    }
    out["rows"] = .int(rows)
    out["pages"] = .int(pages)
    out["walls"] = .array(walls)
case "fanout":
    let c = try client()
    let st = CallContext()
    var ids: [String] = []
    let source = c.customerPages(ListQuery(rowLimit: 2000), st)
    while let p = try await source.next() { ids += p.rows.compactMap { $0["id"]?.stringValue } }
    var walls: [JSON] = []
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        let results = await c.customers(ids: ids, CallContext())
        walls.append(.double(seconds(since: start)))
        guard results.allSatisfy({ (try? $0.get()) != nil }) else { fatalError("a detail call failed") }
    }
    out["requests"] = .int(ids.count)
    out["walls"] = .array(walls)
case "cancel":
    let c = try client()
    var latencies: [JSON] = []
    for _ in 0..<rounds {
        let st = CallContext()
        let task = Task { try? await st.run { try await scan(c, st) } }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        st.cancel()
        _ = await task.value
        latencies.append(.double(seconds(since: start)))
    }
    out["cancelSeconds"] = .array(latencies)
default:
    FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
    exit(2)
}
print(JSON.object(JSONObject(pairs: out.sorted { $0.key < $1.key })).jsonText)
