import CCurl
import Foundation
import MQCore
import MosendSim
import MQTestSupport
import Testing

/// `--malformed-kinds`: each kind of broken or wrongly shaped body, on request, compared
/// byte for byte with what a clean simulator of the same seed serves.
@Suite struct MalformedKindTests {
    static let base = ["--contacts", "100", "--orgs", "1"]

    struct Pair {
        let clean: CurlClient.Response
        let spoiled: CurlClient.Response
        var cleanJSON: JSON { try! JSONParser.parse(clean.body) }
        var spoiledJSON: JSON? { try? JSONParser.parse(spoiled.body) }
    }

    /// The same request to a clean simulator and to one that spoils every response with `kind`.
    static func fetch(_ kind: MalformedKind, _ rest: String, extra: [String] = []) throws -> (Pair, SimProcess) {
        let clean = try Sims.with(base)
        let sim = try Sims.with(base + ["--malformed-rate", "1", "--malformed-kinds", kind.rawValue] + extra)
        let org = sim.orgs[0]
        #expect(org.apiKey == clean.orgs[0].apiKey, "same seed, same keys")
        let a = CurlClient().get(clean.reportURL(clean.orgs[0], rest), headers: ["X-Api-Key": org.apiKey])
        let b = CurlClient().get(sim.reportURL(org, rest), headers: ["X-Api-Key": org.apiKey])
        #expect(a.status == 200 && b.status == 200 && b.curlCode == CURLE_OK)
        return (Pair(clean: a, spoiled: b), sim)
    }

    @Test(arguments: MalformedKind.allCases)
    func eachKindIsServedOnRequest(_ kind: MalformedKind) throws {
        for rest in ["customers?limit=3", "summary"] {
            let (r, sim) = try Self.fetch(kind, rest, extra: kind == .huge ? ["--huge-body-mb", "1"] : [])
            let body = r.spoiled.body
            let text = r.spoiled.text
            let isList = rest.hasPrefix("customers")
            let parsed = r.spoiledJSON
            switch kind {
            case .truncated:
                #expect(body.count < r.clean.body.count && r.clean.body.starts(with: body) && !body.isEmpty)
            case .trailingComma:
                #expect(text.hasSuffix(",}") && parsed == nil)
            case .html:
                #expect(text.hasPrefix("<html>"))
            case .invalidUTF8:
                #expect(String(validating: body, as: UTF8.self) == nil)
            case .empty:
                #expect(body.isEmpty)
            case .nan:
                #expect(text.contains(":NaN") && parsed == nil)
            case .bigNumber:
                #expect(text.contains(":1e999") && parsed == nil)
            case .deep:
                #expect(text.hasPrefix("{\"data\":" + String(repeating: "[", count: 100_000) + "]"))
                #expect(throws: JSONParseError.self) { try JSONParser.parse(body) }
            case .duplicateKeys:
                #expect(text.hasPrefix(#"{"data":null,"data":"#))
                #expect(parsed == r.cleanJSON, "the last `data` is the real one")
            case .dataString:
                #expect(parsed?["data"]?.stringValue != nil)
            case .rowNumbers:
                if isList {
                    #expect(parsed?["data"] == [1, 2, 3])
                } else {
                    #expect(parsed?["data"]?.arrayValue?.allSatisfy { $0.intValue != nil } == true)
                }
            case .fieldTypes:
                let cleanRow = isList ? r.cleanJSON["data"]![0]! : r.cleanJSON["data"]!
                let row = isList ? parsed!["data"]![0]! : parsed!["data"]!
                #expect(row.objectValue?.keys == cleanRow.objectValue?.keys)
                for (k, v) in cleanRow.objectValue! {
                    #expect(Self.kindOf(v) != Self.kindOf(row[k]!), "\(k): \(v) → \(row[k]!)")
                }
            case .cursorObject:
                let cursor = parsed?["nextCursor"]
                #expect(cursor == .object(JSONObject(["after": r.cleanJSON["nextCursor"] ?? .null])), "\(String(describing: cursor))")
                if isList { #expect(cursor?["after"]?.stringValue?.isEmpty == false) }
            case .huge:
                #expect(body.count > 1 << 20 && parsed?["data"] == r.cleanJSON["data"])
                #expect(r.spoiled.header("Content-Length") == nil, "streamed, no length announced")
            }
            let stats = try JSONParser.parse(CurlClient().get(sim.url + "/_sim/stats").body)
            #expect((stats["malformedKinds"]?[kind.rawValue]?.intValue ?? 0) >= 1, "\(stats)")
        }
    }

    /// Without `--malformed-kinds` the four classic kinds are drawn, as before the flag.
    @Test func theDefaultIsTheClassicFour() throws {
        let sim = try Sims.with(Self.base + ["--malformed-rate", "1"])
        let org = sim.orgs[0]
        let client = CurlClient()
        for url in FaultTests.urls(sim, org, count: 60) { _ = client.get(url, headers: ["X-Api-Key": org.apiKey]) }
        let kinds = try JSONParser.parse(client.get(sim.url + "/_sim/stats").body)["malformedKinds"]!.objectValue!
        #expect(Set(kinds.keys) == Set(MalformedKind.classic.map(\.rawValue)), "\(kinds)")
    }

    @Test func anUnknownKindIsAUsageError() throws {
        #expect(throws: SimProcess.Failure.self) {
            _ = try SimProcess(["--malformed-kinds", "nan,bogus"])
        }
        let all = try SimProcess(Self.base + ["--malformed-kinds", "all", "--malformed-rate", "1"])
        all.stop()
    }

    /// The kind of a JSON value, to compare field types.
    static func kindOf(_ v: JSON) -> String {
        switch v {
        case .null: "null"
        case .bool: "bool"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
