// Writes and reads large data files through MQFiles and prints one JSON object of timings.
// Not a test: run it in release.
//
//   file-bench generate PATH N   N customer-like rows; NDJSON, or CSV when PATH ends in .csv
//   file-bench read PATH         read every row with RowReader; prints rows, seconds, rows/s
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MQCore
import MQFiles

func fail(_ message: String) -> Never {
    let text = Array((message + "\n").utf8)
    _ = write(2, text, text.count)
    exit(2)
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = start.duration(to: .now).components
    return Double(d.seconds) + Double(d.attoseconds) * 1e-18
}

let firstNames = ["Ana", "Bruno", "Carla", "Diego", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Lucía"]
let lastNames = ["Silva", "Okafor", "Nguyen", "Müller", "Rossi", "Tanaka", "García", "Smith", "Kowalski", "Haddad"]
let categories = ["sales", "support", "billing", "onboarding", "complaint", "other"]
let outcomes = ["resolved", "unresolved", "escalated", "abandoned", "pending"]
let labels = ["vip", "churn-risk", "new", "billing", "enterprise", "trial", "escalated"]
let agents = (0..<40).map { i in (id: "agent-\(100 + i)", name: "\(firstNames[i % firstNames.count]) \(lastNames[i % lastNames.count])") }

func hex(_ v: UInt64, _ digits: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s.suffix(digits)
}

/// One row shaped like the API's `customers` list row (the catalog's fields, in its order),
/// so that a benchmark's file is what an analyst exports.
func customer(_ i: Int, _ rng: inout SplitMix64) -> JSONObject {
    let a = rng.next(), b = rng.next()
    let id = "\(hex(a >> 32, 8))-\(hex(a >> 16 & 0xFFFF, 4))-4\(hex(a & 0xFFF, 3))-\(hex(8 | b >> 62, 1))\(hex(b >> 48 & 0xFFF, 3))-\(hex(b & 0xFFFF_FFFF_FFFF, 12))"
    let first = firstNames[rng.below(firstNames.count)], last = lastNames[rng.below(lastNames.count)]
    let created = Instant(year: 2024, month: 1, day: 1).adding(seconds: rng.below(2 * 365 * 86_400))
    let firstConversation = created.adding(seconds: rng.below(30 * 86_400))
    let lastConversation = firstConversation.adding(seconds: rng.below(300 * 86_400))
    let conversations = 1 + rng.below(200)
    let messagesIn = conversations * (1 + rng.below(8))
    var row = JSONObject()
    row.appendUnchecked("id", .string(id))
    row.appendUnchecked("name", .string("\(first) \(last)"))
    row.appendUnchecked("phone", .string("+1415\(1_000_000 + rng.below(9_000_000))"))
    row.appendUnchecked("email", rng.below(5) == 0 ? .null : .string("\(first.lowercased()).\(last.lowercased())\(i)@example.com"))
    row.appendUnchecked("createdAt", .string(created.iso8601))
    row.appendUnchecked("category", .string(categories[rng.below(categories.count)]))
    row.appendUnchecked("resolutionOutcome", .string(outcomes[rng.below(outcomes.count)]))
    row.appendUnchecked("conversations", .int(conversations))
    row.appendUnchecked("messagesIn", .int(messagesIn))
    row.appendUnchecked("messagesOut", .int(messagesIn + rng.below(4 * conversations)))
    row.appendUnchecked("firstConversationAt", .string(firstConversation.iso8601))
    row.appendUnchecked("lastConversationAt", .string(lastConversation.iso8601))
    row.appendUnchecked("avgFirstResponseSeconds", rng.below(10) == 0 ? .null : .double(Double(rng.below(36_000)) / 10))
    row.appendUnchecked("avgResolutionSeconds", rng.below(8) == 0 ? .null : .double(Double(rng.below(864_000)) / 10))
    row.appendUnchecked("csat", rng.below(4) == 0 ? .null : .double(Double(10 + rng.below(41)) / 10))
    row.appendUnchecked("labels", .array((0..<rng.below(4)).map { _ in .string(labels[rng.below(labels.count)]) }))
    if rng.below(6) == 0 {
        row.appendUnchecked("agent", .null)
    } else {
        let agent = agents[rng.below(agents.count)]
        row.appendUnchecked("agent", .object(JSONObject(["id": .string(agent.id), "name": .string(agent.name)])))
    }
    return row
}

func csvField(_ v: JSON) -> String {
    switch v {
    case .null: return ""
    case .string(let s): return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    case .array(let a): return csvField(.string(a.compactMap(\.stringValue).joined(separator: ";")))
    case .object: return csvField(.string(v.jsonText))
    default: return v.jsonText
    }
}

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String { split(separator: a, omittingEmptySubsequences: false).joined(separator: b) }
}

func generate(path: String, count: Int) {
    guard let file = fopen(path, "w") else { fail("file-bench: \(path): \(String(cString: strerror(errno)))") }
    let csv = FileFormat(path: path) == .csv
    var rng = SplitMix64(seed: 42)  // the same N gives the same file on every run and machine
    var out: [UInt8] = []
    out.reserveCapacity(1 << 20)
    let start = ContinuousClock.now
    for i in 0..<count {
        let row = customer(i, &rng)
        if csv {
            if i == 0 { out += Array(row.keys.joined(separator: ",").utf8) + [0x0A] }
            out += Array(row.values.map(csvField).joined(separator: ",").utf8)
        } else {
            out += JSON.object(row).serialized()
        }
        out.append(0x0A)
        if out.count >= 1 << 20 || i == count - 1 {
            guard fwrite(out, 1, out.count, file) == out.count else { fail("file-bench: \(path): write failed") }
            out.removeAll(keepingCapacity: true)
        }
    }
    fclose(file)
    print(JSON.object(JSONObject(["mode": "generate", "path": .string(path), "rows": .int(count),
                                  "seconds": .double(seconds(since: start))])).jsonText)
}

func read(path: String) {
    let start = ContinuousClock.now
    var rows = 0, withEmail = 0
    do {
        let reader = try RowReader(path: path)
        while let batch = try reader.next() {
            rows += batch.count
            // Touch a value per row, as the cheapest query would.
            for row in batch where row["email"]?.isNull == false { withEmail += 1 }
        }
    } catch {
        fail("file-bench: \(error)")
    }
    let s = seconds(since: start)
    print(JSON.object(JSONObject(["mode": "read", "path": .string(path), "rows": .int(rows), "withEmail": .int(withEmail),
                                  "seconds": .double(s), "rowsPerSecond": .double((Double(rows) / s).rounded())])).jsonText)
}

let args = CommandLine.arguments
switch (args.count > 1 ? args[1] : "", args.count) {
case ("generate", 4):
    guard let n = Int(args[3]), n >= 0 else { fail("file-bench: N must be a non-negative integer") }
    generate(path: args[2], count: n)
case ("read", 3):
    read(path: args[2])
default:
    fail("usage: file-bench generate PATH N | file-bench read PATH")
}
