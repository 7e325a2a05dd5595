import MQCore

/// One contact's conversations in a window, aggregated as api.md's last section says.
struct CustomerAggregate: Sendable {
    let contact: Int32
    var conversations = 0
    var messagesIn = 0
    var messagesOut = 0
    var first = Instant(milliseconds: .max)
    var last = Instant(milliseconds: .min)
    /// The latest conversation (greatest openedAt, then id): its category, outcome and agent.
    var latest: Int32 = -1
    var labelMask: UInt32 = 0
    var firstResponseSum = 0
    var firstResponseCount = 0
    var resolutionSumMs = 0
    var resolutionCount = 0
    var csatSum = 0
    var csatCount = 0

    init(contact: Int32) { self.contact = contact }

    mutating func add(_ c: Conversation, index: Int32) {
        conversations += 1
        messagesIn += c.messagesIn
        messagesOut += c.messagesOut
        if c.openedAt < first { first = c.openedAt }
        // Conversations arrive in (openedAt, id) order, so the last one added is the latest.
        last = c.openedAt
        latest = index
        labelMask |= c.labelMask
        if let s = c.firstResponseSeconds {
            firstResponseSum += s
            firstResponseCount += 1
        }
        if let r = c.resolvedAt {
            resolutionSumMs += r.milliseconds - c.openedAt.milliseconds
            resolutionCount += 1
        }
        if let s = c.csat {
            csatSum += s
            csatCount += 1
        }
    }

    var avgFirstResponseSeconds: Double? {
        firstResponseCount == 0 ? nil : Rounding.decimals(Double(firstResponseSum) / Double(firstResponseCount), 1)
    }
    var avgResolutionSeconds: Double? {
        resolutionCount == 0 ? nil : Rounding.decimals(Double(resolutionSumMs) / 1000 / Double(resolutionCount), 1)
    }
    var csat: Double? {
        csatCount == 0 ? nil : Rounding.decimals(Double(csatSum) / Double(csatCount), 2)
    }
}

/// How averages are rounded before they are served (documented in the README).
public enum Rounding {
    /// Half away from zero, to `places` decimals.
    public static func decimals(_ x: Double, _ places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (x * scale).rounded() / scale
    }
}

/// The customer rows of one window, in the served order: `lastConversationAt`
/// descending, then `id` ascending.
final class CustomerIndex: Sendable {
    let rows: [CustomerAggregate]

    init(rows: [CustomerAggregate]) { self.rows = rows }

    /// The first row that comes strictly after the key in the served order.
    func position(after last: Instant, id: String, contacts: [Contact]) -> Int {
        var lo = 0
        var hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let r = rows[mid]
            let comesAfter = r.last < last || (r.last == last && contacts[Int(r.contact)].id > id)
            if comesAfter { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// Per-day messaging totals over an org's whole history, so any `since` is a slice.
struct DailyTotals: Sendable {
    struct Day: Sendable {
        var sent = 0, failed = 0, read = 0, received = 0, opened = 0, resolved = 0
        var firstResponseSum = 0, firstResponseCount = 0
    }
    let firstDay: Int
    let days: [Day]

    init(_ data: OrgDataset, now: Instant) {
        let nowDay = now.epochDay
        let first = min(data.conversations.first?.openedAt.epochDay ?? nowDay, nowDay)
        var days = [Day](repeating: Day(), count: nowDay - first + 1)
        for c in data.conversations {
            let d = c.openedAt.epochDay - first
            guard d >= 0 && d < days.count else { continue }
            days[d].sent += c.messagesOut
            days[d].failed += c.messagesFailed
            days[d].read += c.messagesRead
            days[d].received += c.messagesIn
            days[d].opened += 1
            if let s = c.firstResponseSeconds {
                days[d].firstResponseSum += s
                days[d].firstResponseCount += 1
            }
            if let r = c.resolvedAt {
                let rd = r.epochDay - first
                if rd >= 0 && rd < days.count { days[rd].resolved += 1 }
            }
        }
        self.firstDay = first
        self.days = days
    }

    func day(_ epochDay: Int) -> Day {
        let i = epochDay - firstDay
        return i >= 0 && i < days.count ? days[i] : Day()
    }
}

/// Computes every report of one org. Thread-safe; window aggregations are cached.
final class ReportBuilder: Sendable {
    let data: OrgDataset
    let now: Instant
    let allTime: CustomerIndex
    let daily: DailyTotals
    /// Contact id → index into `data.contacts`, for detail requests.
    private let idIndex: [String: Int]
    private let cache = LockedCache<WindowKey, CustomerIndex>(capacity: 64)

    struct WindowKey: Hashable, Sendable {
        let since: Int?
        let until: Int?
    }

    init(data: OrgDataset, now: Instant) {
        self.data = data
        self.now = now
        allTime = ReportBuilder.aggregate(data, since: nil, until: nil)
        daily = DailyTotals(data, now: now)
        idIndex = Dictionary(uniqueKeysWithValues: data.contacts.enumerated().map { ($1.id, $0) })
    }

    func customers(since: Instant?, until: Instant?) -> CustomerIndex {
        if since == nil && until == nil { return allTime }
        let key = WindowKey(since: since?.milliseconds, until: until?.milliseconds)
        return cache.value(for: key) { ReportBuilder.aggregate(data, since: since, until: until) }
    }

    static func aggregate(_ data: OrgDataset, since: Instant?, until: Instant?) -> CustomerIndex {
        let convs = data.conversations
        let lo = since.map { s in lowerBound(convs) { $0.openedAt < s } } ?? 0
        let hi = until.map { u in lowerBound(convs) { $0.openedAt < u } } ?? convs.count
        var slot = [Int32](repeating: -1, count: data.contacts.count)
        var rows: [CustomerAggregate] = []
        if lo < hi {
            for i in lo..<hi {
                let c = convs[i]
                let ci = Int(c.contactIndex)
                if slot[ci] < 0 {
                    slot[ci] = Int32(rows.count)
                    rows.append(CustomerAggregate(contact: c.contactIndex))
                }
                rows[Int(slot[ci])].add(c, index: Int32(i))
            }
        }
        let contacts = data.contacts
        rows.sort { a, b in
            a.last != b.last ? a.last > b.last : contacts[Int(a.contact)].id < contacts[Int(b.contact)].id
        }
        return CustomerIndex(rows: rows)
    }

    /// First index whose element is not `before`.
    static func lowerBound(_ a: [Conversation], _ before: (Conversation) -> Bool) -> Int {
        var lo = 0
        var hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if before(a[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: writing rows

    /// The fields of a customer row, without the surrounding braces (detail adds more).
    func writeCustomerFields(_ r: CustomerAggregate, _ w: inout JSONWriter) {
        let contact = data.contacts[Int(r.contact)]
        let latest = data.conversations[Int(r.latest)]
        contact.writeFields(to: &w)
        w.key("category"); w.string(latest.category.rawValue)
        w.key("resolutionOutcome"); w.string(latest.outcome.rawValue)
        w.key("conversations"); w.int(r.conversations)
        w.key("messagesIn"); w.int(r.messagesIn)
        w.key("messagesOut"); w.int(r.messagesOut)
        w.key("firstConversationAt"); w.string(r.first.iso8601)
        w.key("lastConversationAt"); w.string(r.last.iso8601)
        w.key("avgFirstResponseSeconds"); w.double(r.avgFirstResponseSeconds)
        w.key("avgResolutionSeconds"); w.double(r.avgResolutionSeconds)
        w.key("csat"); w.double(r.csat)
        w.key("labels")
        w.beginArray()
        for l in Vocabulary.labels(of: r.labelMask) { w.string(l) }
        w.endArray()
        w.key("agent"); Agent.write(data.agent(latest.agentIndex), to: &w)
    }

    func writeCustomer(_ r: CustomerAggregate, _ w: inout JSONWriter) {
        w.beginObject()
        writeCustomerFields(r, &w)
        w.endObject()
    }

    // MARK: detail

    func contactIndex(id: String) -> Int? { idIndex[id] }

    func writeDetail(contact ci: Int, _ w: inout JSONWriter) {
        var agg = CustomerAggregate(contact: Int32(ci))
        let indices = data.conversationsByContact[ci]
        for i in indices { agg.add(data.conversations[Int(i)], index: i) }

        w.beginObject()
        writeCustomerFields(agg, &w)

        // metrics.byMonth: months that have conversations, oldest first.
        w.key("metrics")
        w.beginObject()
        w.key("byMonth")
        w.beginArray()
        var k = 0
        while k < indices.count {
            let month = data.conversations[Int(indices[k])].openedAt.monthString
            var n = 0, mi = 0, mo = 0, frSum = 0, frCount = 0
            while k < indices.count {
                let c = data.conversations[Int(indices[k])]
                guard c.openedAt.monthString == month else { break }
                n += 1
                mi += c.messagesIn
                mo += c.messagesOut
                if let s = c.firstResponseSeconds {
                    frSum += s
                    frCount += 1
                }
                k += 1
            }
            w.beginObject()
            w.key("month"); w.string(month)
            w.key("conversations"); w.int(n)
            w.key("messagesIn"); w.int(mi)
            w.key("messagesOut"); w.int(mo)
            w.key("avgFirstResponseSeconds")
            w.double(frCount == 0 ? nil : Rounding.decimals(Double(frSum) / Double(frCount), 1))
            w.endObject()
        }
        w.endArray()
        w.endObject()

        w.key("timeline")
        w.beginArray()
        for e in Timeline.events(of: indices.map { data.conversations[Int($0)] }, data: data, now: now) {
            w.beginObject()
            w.key("at"); w.string(e.at.iso8601)
            w.key("type"); w.string(e.type.rawValue)
            w.key("conversationId"); w.string(e.conversationId)
            w.key("agent"); Agent.write(data.agent(e.agent), to: &w)
            w.key("detail"); w.string(e.detail)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    // MARK: messaging, summary, billing

    func writeMessaging(since: Instant, _ w: inout JSONWriter) {
        w.beginArray()
        let last = now.epochDay
        var day = since.epochDay
        while day <= last {
            let d = daily.day(day)
            w.beginObject()
            w.key("date"); w.string(Instant(milliseconds: day * Instant.millisecondsPerDay).dateString)
            w.key("sent"); w.int(d.sent)
            w.key("delivered"); w.int(d.sent - d.failed)
            w.key("read"); w.int(d.read)
            w.key("failed"); w.int(d.failed)
            w.key("received"); w.int(d.received)
            w.key("conversationsOpened"); w.int(d.opened)
            w.key("conversationsResolved"); w.int(d.resolved)
            w.key("avgFirstResponseSeconds")
            w.double(
                d.firstResponseCount == 0
                    ? nil : Rounding.decimals(Double(d.firstResponseSum) / Double(d.firstResponseCount), 1))
            w.endObject()
            day += 1
        }
        w.endArray()
    }

    func writeSummary(_ w: inout JSONWriter) {
        var resolved = 0, sent = 0, received = 0
        var frSum = 0, frCount = 0, resSum = 0, resCount = 0
        var labelCounts = [Int](repeating: 0, count: Vocabulary.labelVocabulary.count)
        var active = Set<Int16>()
        let activeSince = now.adding(days: -30)
        for c in data.conversations {
            sent += c.messagesOut
            received += c.messagesIn
            if let r = c.resolvedAt {
                resolved += 1
                resSum += r.milliseconds - c.openedAt.milliseconds
                resCount += 1
            }
            if let s = c.firstResponseSeconds {
                frSum += s
                frCount += 1
            }
            var m = c.labelMask
            while m != 0 {
                labelCounts[m.trailingZeroBitCount] += 1
                m &= m - 1
            }
            if c.agentIndex >= 0 && c.openedAt >= activeSince { active.insert(c.agentIndex) }
        }
        let total = data.conversations.count
        let top = labelCounts.enumerated().filter { $0.element > 0 }
            .sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
            .prefix(10)

        w.beginObject()
        w.key("contacts"); w.int(allTime.rows.count)
        w.key("conversations")
        w.beginObject()
        w.key("open"); w.int(total - resolved)
        w.key("resolved"); w.int(resolved)
        w.key("total"); w.int(total)
        w.endObject()
        w.key("messages")
        w.beginObject()
        w.key("sent"); w.int(sent)
        w.key("received"); w.int(received)
        w.endObject()
        w.key("avgFirstResponseSeconds")
        w.double(frCount == 0 ? nil : Rounding.decimals(Double(frSum) / Double(frCount), 1))
        w.key("avgResolutionSeconds")
        w.double(resCount == 0 ? nil : Rounding.decimals(Double(resSum) / 1000 / Double(resCount), 1))
        w.key("activeAgents"); w.int(active.count)
        w.key("topLabels")
        w.beginArray()
        for (i, n) in top {
            w.beginObject()
            w.key("label"); w.string(Vocabulary.labelVocabulary[i])
            w.key("count"); w.int(n)
            w.endObject()
        }
        w.endArray()
        w.key("period")
        w.beginObject()
        w.key("from"); w.string((data.conversations.first?.openedAt ?? now).iso8601)
        w.key("to"); w.string(now.iso8601)
        w.endObject()
        w.endObject()
    }

    func writeBilling(_ w: inout JSONWriter) {
        let start = now.startOfMonth
        let end = now.startOfNextMonth
        var counts = [BillingCategory: Int]()
        let lo = ReportBuilder.lowerBound(data.conversations) { $0.openedAt < start }
        let hi = ReportBuilder.lowerBound(data.conversations) { $0.openedAt < end }
        for c in data.conversations[lo..<hi] { counts[c.billingCategory, default: 0] += 1 }
        var totalCents = 0
        var billed = 0
        w.beginObject()
        w.key("plan"); w.string(data.plan)
        w.key("currency"); w.string("USD")
        w.key("period")
        w.beginObject()
        w.key("start"); w.string(start.iso8601)
        w.key("end"); w.string(end.iso8601)
        w.endObject()
        var usage = JSONWriter()
        usage.beginArray()
        for b in BillingCategory.allCases {
            let n = counts[b] ?? 0
            let cents = Billing.cents(conversations: n, category: b)
            totalCents += cents
            billed += n
            usage.beginObject()
            usage.key("category"); usage.string(b.rawValue)
            usage.key("conversations"); usage.int(n)
            usage.key("cost"); usage.double(Double(cents) / 100)
            usage.endObject()
        }
        usage.endArray()
        w.key("conversationsBilled"); w.int(billed)
        w.key("amountDue"); w.double(Double(max(0, totalCents - data.creditsCents)) / 100)
        w.key("credits"); w.double(Double(data.creditsCents) / 100)
        w.key("usage"); w.raw(usage.bytes)
        w.endObject()
    }
}

/// Billing arithmetic, in whole cents so that sums are exact.
public enum Billing {
    /// The cost of `conversations` of a category, rounded half up to the cent.
    public static func cents(conversations: Int, category: BillingCategory) -> Int {
        (conversations * category.rateTenThousandths + 50) / 100
    }
}
