import MQCore

/// A contact's history as events, derived from its conversations alone: each
/// conversation seeds its own generator by its id, so a timeline never depends on
/// which other contacts exist or in what order requests came.
enum Timeline {
    enum EventType: String, Sendable {
        case conversationOpened = "conversation_opened"
        case messageIn = "message_in"
        case messageOut = "message_out"
        case agentAssigned = "agent_assigned"
        case labelAdded = "label_added"
        case resolved
        case reopened
    }

    struct Event {
        let at: Instant
        let type: EventType
        let conversationId: String
        let agent: Int16
        let detail: String
        /// Order of generation within its conversation: breaks ties between equal instants.
        let seq: Int
    }

    /// The events of the given conversations, newest first.
    static func events(of conversations: [Conversation], data: OrgDataset, now: Instant) -> [Event] {
        var out: [Event] = []
        for c in conversations {
            var r = SimRandom(seed: SimRandom.hash(0x7131_E11E, c.id, 0))
            var seq = 0
            func add(_ at: Instant, _ type: EventType, agent: Int16 = -1, _ detail: String) {
                out.append(Event(at: min(at, now), type: type, conversationId: c.id, agent: agent, detail: detail, seq: seq))
                seq += 1
            }
            let agentName = c.agentIndex >= 0 ? data.agents[Int(c.agentIndex)].name : nil
            let firstReply = c.firstResponseSeconds.map { c.openedAt.adding(seconds: $0) }
            // The conversation is active until it is resolved, or for a while after the last reply.
            let activeMs = Int(min(max(r.logNormal(median: 3600, sigma: 1.2), 120), 3 * 86_400) * 1000)
            var end = c.resolvedAt ?? c.openedAt.adding(milliseconds: activeMs)
            // An open conversation answered after its active window goes on after the first
            // reply, so the replies after it have time. (A resolved one is always answered
            // before its resolution: the data set draws it so.)
            if c.resolvedAt == nil, let f = firstReply, f >= end { end = f.adding(milliseconds: activeMs) }
            // One still going on has its events spread up to now: clamped one by one instead,
            // they would stack on the same instant.
            end = min(end, now)
            let span = max(1, end.milliseconds - c.openedAt.milliseconds)

            add(c.openedAt, .conversationOpened, "Conversation opened (\(c.category.rawValue))")
            if let name = agentName {
                let assignedAt = firstReply.map { $0.adding(milliseconds: -min(1000 * r.int(1...30), span / 2)) }
                    ?? c.openedAt.adding(milliseconds: span / 3)
                add(max(assignedAt, c.openedAt), .agentAssigned, agent: c.agentIndex, "Assigned to \(name)")
            }
            add(c.openedAt, .messageIn, "Message received")
            for _ in 1..<max(c.messagesIn, 1) {
                add(c.openedAt.adding(milliseconds: Int(r.unit() * Double(span))), .messageIn, "Message received")
            }
            // Replies start with the first response and spread until the end.
            let replyStart = firstReply ?? c.openedAt
            let replySpan = max(0, end.milliseconds - replyStart.milliseconds)
            for k in 0..<c.messagesOut {
                let at = k == 0 ? replyStart : replyStart.adding(milliseconds: Int(r.unit() * Double(replySpan)))
                let failed = k >= c.messagesOut - c.messagesFailed
                add(at, .messageOut, agent: c.agentIndex, failed ? "Message failed to deliver" : "Message sent")
            }
            for label in c.labels {
                add(c.openedAt.adding(milliseconds: Int(r.unit() * Double(span))), .labelAdded, "Label \(label) added")
            }
            if let resolvedAt = c.resolvedAt {
                if c.reopened {
                    let firstResolve = c.openedAt.adding(milliseconds: span / 3)
                    add(firstResolve, .resolved, agent: c.agentIndex, "Resolved")
                    add(c.openedAt.adding(milliseconds: span / 2), .reopened, "Reopened by the customer")
                }
                add(resolvedAt, .resolved, agent: c.agentIndex, "Resolved after \(Duration.text(seconds: span / 1000))")
            }
        }
        out.sort { a, b in
            if a.at != b.at { return a.at > b.at }
            if a.conversationId != b.conversationId { return a.conversationId < b.conversationId }
            return a.seq > b.seq
        }
        return out
    }
}

enum Duration {
    /// "2h 13m", "45m", "3d 4h", "40s".
    static func text(seconds: Int) -> String {
        let d = seconds / 86_400, h = seconds % 86_400 / 3600, m = seconds % 3600 / 60
        if d > 0 { return h > 0 ? "\(d)d \(h)h" : "\(d)d" }
        if h > 0 { return m > 0 ? "\(h)h \(m)m" : "\(h)h" }
        if m > 0 { return "\(m)m" }
        return "\(seconds)s"
    }
}
