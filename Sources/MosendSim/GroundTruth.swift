import MQCore

/// `GET /_sim/dataset`: an org's raw data, everything a report is computed from, so an
/// independent program can check any answer.
enum GroundTruth {
    static func json(_ d: OrgDataset, configuration: SimConfiguration) -> [UInt8] {
        var w = JSONWriter(capacity: d.conversations.count * 400 + d.contacts.count * 150)
        w.beginObject()
        w.key("org")
        w.beginObject()
        w.key("id"); w.string(d.org.id)
        w.key("name"); w.string(d.org.name)
        w.endObject()
        w.key("now"); w.string(configuration.now.iso8601)
        w.key("pageDefault"); w.int(configuration.defaultPageSize)
        w.key("pageMax"); w.int(configuration.pageMax)
        w.key("billing")
        w.beginObject()
        w.key("plan"); w.string(d.plan)
        w.key("currency"); w.string("USD")
        w.key("creditsCents"); w.int(d.creditsCents)
        w.key("ratesTenThousandths")
        w.beginObject()
        for b in BillingCategory.allCases {
            w.key(b.rawValue)
            w.int(b.rateTenThousandths)
        }
        w.endObject()
        w.endObject()
        w.key("agents")
        w.beginArray()
        for a in d.agents { a.write(to: &w) }
        w.endArray()
        w.key("contacts")
        w.beginArray()
        for c in d.contacts {
            w.beginObject()
            c.writeFields(to: &w)
            w.endObject()
        }
        w.endArray()
        w.key("conversations")
        w.beginArray()
        for c in d.conversations {
            w.beginObject()
            w.key("id"); w.string(c.id)
            w.key("contactId"); w.string(d.contacts[Int(c.contactIndex)].id)
            w.key("openedAt"); w.string(c.openedAt.iso8601)
            w.key("resolvedAt"); w.string(c.resolvedAt?.iso8601)
            w.key("category"); w.string(c.category.rawValue)
            w.key("resolutionOutcome"); w.string(c.outcome.rawValue)
            w.key("billingCategory"); w.string(c.billingCategory.rawValue)
            w.key("messagesIn"); w.int(c.messagesIn)
            w.key("messagesOut"); w.int(c.messagesOut)
            w.key("messagesRead"); w.int(c.messagesRead)
            w.key("messagesFailed"); w.int(c.messagesFailed)
            w.key("firstResponseSeconds"); w.int(c.firstResponseSeconds)
            w.key("csat"); w.int(c.csat)
            w.key("labels")
            w.beginArray()
            for l in c.labels { w.string(l) }
            w.endArray()
            w.key("agent")
            Agent.write(d.agent(c.agentIndex), to: &w)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
