import MQCore

/// The ground truth of one simulated organization: contacts and their conversations.
/// Every report the simulator serves is a pure function of this and the request.
public final class OrgDataset: Sendable {
    public let org: Organization
    public let agents: [Agent]
    public let contacts: [Contact]
    /// Sorted by `openedAt`, then `id`, so a time window is a slice found by binary search.
    public let conversations: [Conversation]
    /// For each contact, the indices of its conversations in `conversations`, oldest first.
    let conversationsByContact: [[Int32]]
    /// Billing credits of the org's current period, in cents.
    public let creditsCents: Int
    public let plan: String

    init(org: Organization, agents: [Agent], contacts: [Contact], conversations: [Conversation],
         creditsCents: Int, plan: String)
    {
        self.org = org
        self.agents = agents
        self.contacts = contacts
        self.conversations = conversations
        self.creditsCents = creditsCents
        self.plan = plan
        var byContact = [[Int32]](repeating: [], count: contacts.count)
        for (i, c) in conversations.enumerated() { byContact[Int(c.contactIndex)].append(Int32(i)) }
        conversationsByContact = byContact
    }

    /// The agent at an index, or nil for -1 (no agent).
    func agent(_ index: Int16) -> Agent? { index >= 0 ? agents[Int(index)] : nil }
}

public struct Organization: Sendable, Equatable {
    public let id: String
    public let name: String
    /// `mk_test_<prefix>.<secret>`, sent as `X-Api-Key` (or as a bearer token).
    public let apiKey: String
    /// An opaque token accepted as `Authorization: Bearer`.
    public let token: String
}

public struct Agent: Sendable, Equatable {
    public let id: String
    public let name: String

    /// `{"id", "name"}`, as every report and the ground truth write an agent.
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("name"); w.string(name)
        w.endObject()
    }

    static func write(_ agent: Agent?, to w: inout JSONWriter) {
        if let agent { agent.write(to: &w) } else { w.null() }
    }
}

public struct Contact: Sendable {
    public let id: String
    public let name: String
    public let phone: String
    public let email: String?
    public let createdAt: Instant
    /// Lower-cased "name phone email", what `q` searches.
    let searchText: String

    /// The contact's own fields, shared by customer rows and the ground truth.
    func writeFields(to w: inout JSONWriter) {
        w.key("id"); w.string(id)
        w.key("name"); w.string(name)
        w.key("phone"); w.string(phone)
        w.key("email"); w.string(email)
        w.key("createdAt"); w.string(createdAt.iso8601)
    }
}

public enum Category: String, Sendable, CaseIterable {
    case sales, support, billing, onboarding, complaint, other
}

public enum Outcome: String, Sendable, CaseIterable {
    case resolved, unresolved, escalated, abandoned, pending
}

public enum BillingCategory: String, Sendable, CaseIterable {
    case marketing, utility, authentication, service

    /// Price per conversation in ten-thousandths of a US dollar (documented in the README).
    public var rateTenThousandths: Int {
        switch self {
        case .marketing: return 625
        case .utility: return 150
        case .authentication: return 135
        case .service: return 90
        }
    }
}

public struct Conversation: Sendable {
    public let id: String
    let contactIndex: Int32
    public let openedAt: Instant
    public let resolvedAt: Instant?
    public let category: Category
    public let outcome: Outcome
    public let billingCategory: BillingCategory
    public let messagesIn: Int
    public let messagesOut: Int
    public let messagesRead: Int
    public let messagesFailed: Int
    public let firstResponseSeconds: Int?
    public let csat: Int?
    /// Bit i set = `Vocabulary.labelVocabulary[i]`.
    let labelMask: UInt32
    /// Index into the org's agents, or -1 for none.
    let agentIndex: Int16
    /// Whether the customer reopened it once before its final resolution (timeline only).
    let reopened: Bool

    public var labels: [String] { Vocabulary.labels(of: labelMask) }
}

/// Builds every organization's data from the seed, relative to a fixed clock.
struct DatasetGenerator {
    let seed: UInt64
    let now: Instant
    let contactsPerOrg: Int

    /// How far back conversations go: 18 months.
    static let historyDays = 548

    func organizations(count: Int) -> [OrgDataset] {
        (0..<count).map { generate(orgIndex: $0) }
    }

    func generate(orgIndex: Int) -> OrgDataset {
        var rng = SimRandom(seed: seed, stream: "org", orgIndex)
        let name = Vocabulary.organizationNames[(Int(seed % 7) + orgIndex * 3) % Vocabulary.organizationNames.count]
        let org = Organization(
            id: rng.uuid(), name: orgIndex < Vocabulary.organizationNames.count ? name : "\(name) \(orgIndex + 1)",
            apiKey: "mk_test_\(rng.hexString(8)).\(rng.base62(32))",
            token: "mst_\(rng.base62(40))")

        var agentNames = Vocabulary.agentNames
        agentNames.shuffle(using: &rng)
        let agents = agentNames.prefix(12).map { Agent(id: rng.uuid(), name: $0) }
        // Some agents carry far more of the load than others.
        let agentWeights: [(Int16, Double)] = agents.indices.map { (Int16($0), 1.0 + Double(($0 * 7) % 5)) }

        var contacts: [Contact] = []
        contacts.reserveCapacity(contactsPerOrg)
        var conversations: [Conversation] = []
        conversations.reserveCapacity(contactsPerOrg * 3)
        var phones = Set<String>()
        let countryWeights = Vocabulary.countries.map { ($0, $0.weight) }
        let span = DatasetGenerator.historyDays * Instant.millisecondsPerDay

        for ci in 0..<contactsPerOrg {
            var r = SimRandom(seed: seed, stream: "contact-\(orgIndex)", ci)
            let country = r.weighted(countryWeights)
            let first = r.pick(country.firstNames)
            let last = r.pick(country.lastNames)
            var phone: String
            repeat {
                let prefix = r.pick(country.mobilePrefixes)
                var digits = prefix
                while digits.count < country.nationalLength { digits.append(Character(String(r.int(0...9)))) }
                phone = "+" + country.callingCode + digits
            } while !phones.insert(phone).inserted
            var email: String? = nil
            if !r.chance(0.18) {
                let (f, l) = (Vocabulary.foldedNames[first]!, Vocabulary.foldedNames[last]!)
                let local: String
                switch r.int(0...3) {
                case 0: local = "\(f).\(l)"
                case 1: local = "\(f)\(r.int(1...99))"
                case 2: local = "\(f.prefix(1))\(l)"
                default: local = "\(l).\(f)\(r.int(70...2005))"
                }
                email = "\(local)@\(r.pick(country.emailDomains))"
            }

            // The contact appears at some point of the history and talks to the org from then on.
            let firstSeen = now.adding(milliseconds: -Int(r.unit() * Double(span)))
            let createdAt = firstSeen.adding(milliseconds: -r.int(0...(3 * Instant.millisecondsPerDay)))
            let isVIP = r.chance(0.04)
            let isWholesale = r.chance(0.06)
            let isChurnRisk = r.chance(0.07)
            // Skewed: most contacts write once or twice; a few write constantly.
            let count = r.chance(0.02) ? r.int(15...60) : 1 + r.geometric(mean: 1.27)

            var opened: [Instant] = [firstSeen]
            let remaining = now.milliseconds - firstSeen.milliseconds
            for _ in 1..<max(count, 1) {
                opened.append(firstSeen.adding(milliseconds: Int(r.unit() * Double(remaining))))
            }
            let id = r.uuid()
            for at in opened {
                conversations.append(
                    makeConversation(
                        &r, contactIndex: ci, openedAt: at, createdAt: createdAt, isVIP: isVIP,
                        isWholesale: isWholesale, isChurnRisk: isChurnRisk, agentWeights: agentWeights))
            }
            let search = "\(first) \(last)\n\(phone)\n\(email ?? "")".lowercased()
            contacts.append(
                Contact(id: id, name: "\(first) \(last)", phone: phone, email: email, createdAt: createdAt,
                        searchText: search))
        }
        conversations.sort { a, b in
            a.openedAt != b.openedAt ? a.openedAt < b.openedAt : a.id < b.id
        }
        let credits = [0, 1000, 2500, 5000][Int(rng.next() % 4)]
        let plan = ["Starter", "Growth", "Business"][Int(rng.next() % 3)]
        return OrgDataset(
            org: org, agents: agents, contacts: contacts, conversations: conversations,
            creditsCents: credits, plan: plan)
    }

    private func makeConversation(
        _ r: inout SimRandom, contactIndex: Int, openedAt: Instant, createdAt: Instant, isVIP: Bool,
        isWholesale: Bool, isChurnRisk: Bool, agentWeights: [(Int16, Double)]
    ) -> Conversation {
        let category: Category = r.weighted([
            (.support, 30), (.sales, 20), (.billing, 14), (.onboarding, 12), (.complaint, 10), (.other, 14),
        ])
        var outcome: Outcome = r.weighted([
            (.resolved, 58), (.unresolved, 10), (.escalated, 9), (.abandoned, 13), (.pending, 10),
        ])
        let ageDays = Double(now.milliseconds - openedAt.milliseconds) / Double(Instant.millisecondsPerDay)
        // Nothing stays pending for weeks: an old pending conversation went unresolved.
        if outcome == .pending && ageDays > 14 { outcome = .unresolved }

        var resolvedAt: Instant? = nil
        if outcome == .resolved {
            let seconds = min(max(r.logNormal(median: 2 * 3600, sigma: 1.4), 300), 6 * 86_400)
            let at = openedAt.adding(milliseconds: Int(seconds * 1000))
            if at < now { resolvedAt = at } else { outcome = .pending }
        }

        let billing: BillingCategory
        switch category {
        case .sales: billing = r.weighted([(.marketing, 70), (.utility, 30)])
        case .support: billing = r.weighted([(.service, 85), (.utility, 15)])
        case .billing: billing = r.weighted([(.utility, 80), (.service, 20)])
        case .onboarding: billing = r.weighted([(.authentication, 50), (.utility, 50)])
        case .complaint: billing = .service
        case .other: billing = r.weighted([(.service, 60), (.marketing, 40)])
        }

        let noReply = outcome == .abandoned && r.chance(0.5)
        let messagesIn = 1 + r.geometric(mean: outcome == .abandoned ? 1 : 5)
        let messagesOut = noReply ? 0 : 1 + r.geometric(mean: Double(messagesIn) * 0.9)
        let failed = messagesOut > 0 && r.chance(0.07) ? min(messagesOut, r.int(1...2)) : 0
        let unread = min(messagesOut - failed, r.geometric(mean: 0.4))
        let firstResponse: Int? =
            messagesOut == 0 ? nil : Int(min(max(r.logNormal(median: 180, sigma: 1.2), 5), 86_400))
        var csat: Int? = nil
        if outcome == .resolved && r.chance(0.22) {
            csat = r.weighted([(5, 45), (4, 30), (3, 12), (2, 6), (1, 7)])
        }
        // A conversation is answered before it is resolved: a resolution drawn sooner than
        // the first reply comes that long after the reply instead (its timeline had every
        // reply stacked on one instant, after the resolution). Drawn from nothing new, so the
        // rest of the data set stays as it was.
        if let at = resolvedAt, let f = firstResponse, openedAt.adding(seconds: f) >= at {
            let later = at.adding(seconds: f)
            if later < now {
                resolvedAt = later
            } else {
                resolvedAt = nil
                outcome = .pending
                csat = nil
            }
        }

        var mask: UInt32 = 0
        if isVIP { mask |= Vocabulary.labelBit("vip") }
        if isWholesale { mask |= Vocabulary.labelBit("wholesale") }
        if isChurnRisk && ageDays < 120 { mask |= Vocabulary.labelBit("churn-risk") }
        // A customer is new for their first 30 days, as of the simulator's clock.
        if createdAt >= now.adding(days: -30) { mask |= Vocabulary.labelBit("new") }
        if (category == .billing || category == .complaint) && r.chance(0.25) { mask |= Vocabulary.labelBit("refund") }
        if r.chance(0.05) { mask |= Vocabulary.labelBit("urgent") }
        if r.chance(0.08) { mask |= Vocabulary.labelBit("follow-up") }
        if category == .support && r.chance(0.10) { mask |= Vocabulary.labelBit("bug") }
        if category == .sales && r.chance(0.15) { mask |= Vocabulary.labelBit("upsell") }
        if (category == .support || category == .complaint) && r.chance(0.12) {
            mask |= Vocabulary.labelBit("delivery")
        }

        let agent: Int16 = noReply && r.chance(0.8) ? -1 : r.weighted(agentWeights)
        return Conversation(
            id: r.uuid(), contactIndex: Int32(contactIndex), openedAt: openedAt, resolvedAt: resolvedAt,
            category: category, outcome: outcome, billingCategory: billing, messagesIn: messagesIn,
            messagesOut: messagesOut, messagesRead: messagesOut - failed - unread, messagesFailed: failed,
            firstResponseSeconds: firstResponse, csat: csat, labelMask: mask, agentIndex: agent,
            reopened: resolvedAt != nil && r.chance(0.06))
    }
}
