import Foundation
import MQCore

/// A full scan of the customers list, following cursors in whichever shape the server uses.
public struct Scan {
    public var rows: [JSONObject] = []
    public var pages: [[JSONObject]] = []
    public var cursors: [String] = []
}

public enum Paging {
    /// Query-string encoding strict enough for `+`, `:` and spaces in values.
    public static func query(_ params: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return params.map { k, v in
            "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    /// The next cursor of a list body, recognising the five shapes of api.md; nil when the
    /// body says there is no next page (null, absent or empty).
    public static func nextCursor(_ body: JSON) -> String? {
        let candidates: [JSON?] = [
            body["nextCursor"], body["next_cursor"], body["meta"]?["nextCursor"],
            body["pagination"]?["nextCursor"], body["pagination"]?["next_cursor"],
        ]
        for c in candidates {
            if let s = c?.stringValue, !s.isEmpty { return s }
        }
        return nil
    }

    public static func scan(_ sim: SimProcess, _ org: SimProcess.Org, _ params: [(String, String)] = [],
                     client: CurlClient = CurlClient(), maxPages: Int = 1000) throws -> Scan
    {
        var scan = Scan()
        var cursor: String? = nil
        repeat {
            var p = params
            if let cursor { p.append(("cursor", cursor)) }
            let q = query(p)
            let r = client.get(sim.reportURL(org, "customers") + (q.isEmpty ? "" : "?" + q), headers: ["X-Api-Key": org.apiKey])
            guard r.status == 200 else { throw TestFailure("page \(scan.pages.count + 1): HTTP \(r.status) \(r.text)") }
            let body = try JSONParser.parse(r.body)
            let page = body["data"]!.arrayValue!.map { $0.objectValue! }
            scan.pages.append(page)
            scan.rows += page
            cursor = nextCursor(body)
            if let c = cursor {
                guard !scan.cursors.contains(c) else { throw TestFailure("cursor repeated: \(c)") }
                scan.cursors.append(c)
            }
            guard scan.pages.count <= maxPages else { throw TestFailure("more than \(maxPages) pages") }
        } while cursor != nil
        return scan
    }
}
