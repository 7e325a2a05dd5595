import MQCore

/// The reports recomputed from `/_sim/dataset` by the rules of api.md's last section,
/// independently of the simulator's code: what every served page must add up to.
public struct Truth: Sendable {
    public let now: Instant
    public let contacts: [JSONObject]
    public let contactById: [String: JSONObject]
    /// Sorted by openedAt, then id.
    public let conversations: [JSONObject]
    public let plan: String
    public let creditsCents: Int
    public let rates: [String: Int]
    public let pageMax: Int
    public let pageDefault: Int

    public init(_ json: JSON) throws {
        guard let o = json.objectValue, let c = o["contacts"]?.arrayValue, let v = o["conversations"]?.arrayValue,
              let now = o["now"]?.stringValue.flatMap(Instant.parseISO8601)
        else { throw TestFailure("dataset has an unexpected shape") }
        self.now = now.instant
        contacts = c.compactMap(\.objectValue)
        contactById = Dictionary(uniqueKeysWithValues: contacts.map { ($0["id"]!.stringValue!, $0) })
        conversations = v.compactMap(\.objectValue).sorted { a, b in
            let (x, y) = (Truth.at(a, "openedAt"), Truth.at(b, "openedAt"))
            return x != y ? x < y : a["id"]!.stringValue! < b["id"]!.stringValue!
        }
        let billing = o["billing"]!
        plan = billing["plan"]!.stringValue!
        creditsCents = billing["creditsCents"]!.intValue!
        rates = Dictionary(uniqueKeysWithValues: billing["ratesTenThousandths"]!.objectValue!.map { ($0.key, $0.value.intValue!) })
        pageMax = o["pageMax"]!.intValue!
        pageDefault = o["pageDefault"]!.intValue!
    }

    public static func at(_ o: JSONObject, _ key: String) -> Instant {
        Instant.parseISO8601(o[key]!.stringValue!)!.instant
    }

    /// Half away from zero, as the README documents.
    public static func round(_ x: Double, _ places: Int) -> Double {
        let scale = places == 1 ? 10.0 : 100.0
        return (x * scale).rounded() / scale
    }

    public static func mean(_ xs: [Int], scale: Double = 1, places: Int) -> JSON {
        xs.isEmpty ? .null : .double(round(Double(xs.reduce(0, +)) / scale / Double(xs.count), places))
    }

    // MARK: customers

    /// The rows of `customers` for a window and filters, in the documented order.
    public func customers(since: Instant? = nil, until: Instant? = nil, category: String? = nil, outcome: String? = nil,
                   q: String? = nil) -> [JSONObject]
    {
        var groups: [String: [JSONObject]] = [:]
        for c in conversations {
            let t = Truth.at(c, "openedAt")
            if let since, t < since { continue }
            if let until, t >= until { continue }
            groups[c["contactId"]!.stringValue!, default: []].append(c)
        }
        var rows = groups.map { id, convs in row(contact: contactById[id]!, convs) }
        rows = rows.filter { r in
            if let category, r["category"]!.stringValue != category { return false }
            if let outcome, r["resolutionOutcome"]!.stringValue != outcome { return false }
            if let q {
                let needle = q.lowercased()
                let hay = [r["name"]!.stringValue!, r["phone"]!.stringValue!, r["email"]!.stringValue ?? ""]
                if !hay.contains(where: { $0.lowercased().contains(needle) }) { return false }
            }
            return true
        }
        rows.sort { a, b in
            let (x, y) = (Truth.at(a, "lastConversationAt"), Truth.at(b, "lastConversationAt"))
            return x != y ? x > y : a["id"]!.stringValue! < b["id"]!.stringValue!
        }
        return rows
    }

    /// One contact's row from its conversations (already in openedAt, id order).
    public func row(contact: JSONObject, _ convs: [JSONObject]) -> JSONObject {
        let latest = convs.last!
        var labels = Set<String>()
        for c in convs { for l in c["labels"]!.arrayValue! { labels.insert(l.stringValue!) } }
        let resolved = convs.compactMap { c -> Int? in
            guard let r = c["resolvedAt"]?.stringValue else { return nil }
            return Instant.parseISO8601(r)!.instant.milliseconds - Truth.at(c, "openedAt").milliseconds
        }
        var o = JSONObject()
        o["id"] = contact["id"]
        o["name"] = contact["name"]
        o["phone"] = contact["phone"]
        o["email"] = contact["email"]
        o["createdAt"] = contact["createdAt"]
        o["category"] = latest["category"]
        o["resolutionOutcome"] = latest["resolutionOutcome"]
        o["conversations"] = .int(convs.count)
        o["messagesIn"] = .int(convs.reduce(0) { $0 + $1["messagesIn"]!.intValue! })
        o["messagesOut"] = .int(convs.reduce(0) { $0 + $1["messagesOut"]!.intValue! })
        o["firstConversationAt"] = convs.first!["openedAt"]
        o["lastConversationAt"] = latest["openedAt"]
        o["avgFirstResponseSeconds"] = Truth.mean(convs.compactMap { $0["firstResponseSeconds"]!.intValue }, places: 1)
        o["avgResolutionSeconds"] = Truth.mean(resolved, scale: 1000, places: 1)
        o["csat"] = Truth.mean(convs.compactMap { $0["csat"]!.intValue }, places: 2)
        o["labels"] = .array(labels.sorted().map(JSON.string))
        o["agent"] = latest["agent"]
        return o
    }

    public func conversations(ofContact id: String) -> [JSONObject] {
        conversations.filter { $0["contactId"]!.stringValue == id }
    }

    /// The detail of a contact without its timeline (checked separately).
    public func detail(id: String) -> JSONObject {
        let convs = conversations(ofContact: id)
        var o = row(contact: contactById[id]!, convs)
        var months: [(String, [JSONObject])] = []
        for c in convs {
            let m = String(c["openedAt"]!.stringValue!.prefix(7))
            if months.last?.0 == m { months[months.count - 1].1.append(c) } else { months.append((m, [c])) }
        }
        let byMonth: [JSON] = months.map { m, cs in
            [
                "month": .string(m),
                "conversations": .int(cs.count),
                "messagesIn": .int(cs.reduce(0) { $0 + $1["messagesIn"]!.intValue! }),
                "messagesOut": .int(cs.reduce(0) { $0 + $1["messagesOut"]!.intValue! }),
                "avgFirstResponseSeconds": Truth.mean(cs.compactMap { $0["firstResponseSeconds"]!.intValue }, places: 1),
            ]
        }
        o["metrics"] = ["byMonth": .array(byMonth)]
        return o
    }

    // MARK: messaging, summary, billing

    public func messaging(since: Instant) -> [JSON] {
        // ISO-8601 UTC strings start with their date: bucket by it.
        var opened: [String: [JSONObject]] = [:]
        var resolved: [String: Int] = [:]
        for c in conversations {
            opened[String(c["openedAt"]!.stringValue!.prefix(10)), default: []].append(c)
            if let r = c["resolvedAt"]?.stringValue { resolved[String(r.prefix(10)), default: 0] += 1 }
        }
        var out: [JSON] = []
        var day = since.startOfDay
        while day <= now {
            let cs = opened[day.dateString] ?? []
            func sum(_ k: String) -> Int { cs.reduce(0) { $0 + $1[k]!.intValue! } }
            out.append([
                "date": .string(day.dateString),
                "sent": .int(sum("messagesOut")),
                "delivered": .int(sum("messagesOut") - sum("messagesFailed")),
                "read": .int(sum("messagesRead")),
                "failed": .int(sum("messagesFailed")),
                "received": .int(sum("messagesIn")),
                "conversationsOpened": .int(cs.count),
                "conversationsResolved": .int(resolved[day.dateString] ?? 0),
                "avgFirstResponseSeconds": Truth.mean(cs.compactMap { $0["firstResponseSeconds"]!.intValue }, places: 1),
            ])
            day = day.adding(days: 1)
        }
        return out
    }

    public func summary() -> JSON {
        let resolved = conversations.filter { !$0["resolvedAt"]!.isNull }
        var labelCounts: [String: Int] = [:]
        for c in conversations { for l in c["labels"]!.arrayValue! { labelCounts[l.stringValue!, default: 0] += 1 } }
        let top = labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
        let activeSince = now.adding(days: -30)
        let activeAgents = Set(conversations.filter { Truth.at($0, "openedAt") >= activeSince }
            .compactMap { $0["agent"]!["id"]?.stringValue })
        return [
            "contacts": .int(Set(conversations.map { $0["contactId"]!.stringValue! }).count),
            "conversations": [
                "open": .int(conversations.count - resolved.count), "resolved": .int(resolved.count),
                "total": .int(conversations.count),
            ],
            "messages": [
                "sent": .int(conversations.reduce(0) { $0 + $1["messagesOut"]!.intValue! }),
                "received": .int(conversations.reduce(0) { $0 + $1["messagesIn"]!.intValue! }),
            ],
            "avgFirstResponseSeconds": Truth.mean(conversations.compactMap { $0["firstResponseSeconds"]!.intValue }, places: 1),
            "avgResolutionSeconds": Truth.mean(
                resolved.map {
                    Instant.parseISO8601($0["resolvedAt"]!.stringValue!)!.instant.milliseconds
                        - Truth.at($0, "openedAt").milliseconds
                }, scale: 1000, places: 1),
            "activeAgents": .int(activeAgents.count),
            "topLabels": .array(top.map { ["label": .string($0.key), "count": .int($0.value)] }),
            "period": ["from": conversations.first!["openedAt"]!, "to": .string(now.iso8601)],
        ]
    }

    public func billing() -> JSON {
        let start = now.startOfMonth
        let end = now.startOfNextMonth
        let inMonth = conversations.filter { let t = Truth.at($0, "openedAt"); return t >= start && t < end }
        var usage: [JSON] = []
        var totalCents = 0
        for cat in ["marketing", "utility", "authentication", "service"] {
            let n = inMonth.filter { $0["billingCategory"]!.stringValue == cat }.count
            let cents = (n * rates[cat]! + 50) / 100
            totalCents += cents
            usage.append(["category": .string(cat), "conversations": .int(n), "cost": .double(Double(cents) / 100)])
        }
        return [
            "plan": .string(plan), "currency": "USD",
            "period": ["start": .string(start.iso8601), "end": .string(end.iso8601)],
            "conversationsBilled": .int(inMonth.count),
            "amountDue": .double(Double(max(0, totalCents - creditsCents)) / 100),
            "credits": .double(Double(creditsCents) / 100),
            "usage": .array(usage),
        ]
    }
}
