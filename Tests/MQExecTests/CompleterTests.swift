import MQCore
@testable import MQExec
import Testing

/// Tab completion by context, as a pure function of the text before the cursor. (The
/// terminal side, libedit calling it, is in ReplTests.)
@Suite struct CompleterTests {
    let c = Completer()

    func complete(_ before: String, _ word: String, _ completer: Completer? = nil) -> [String] {
        (completer ?? c).complete(before: before, word: word).candidates
    }

    @Test func sourcesAndStatementWordsStartAStatement() {
        #expect(complete("", "cust") == ["customers", "customer"])
        #expect(complete("", "s") == ["summary"])
        #expect(complete("", "") .contains("let"))
        #expect(complete("summary; ", "bil") == ["billing"])
        #expect(complete("let x = ", "mess") == ["messaging"])
        #expect(complete("explain ", "time") == ["timeline"])
    }

    /// `agent.` → its members, from the catalog's note for an object field (and, for a
    /// result, from the objects its rows held).
    @Test func membersOfAnObjectFieldFollowADot() {
        #expect(complete("customers | select ", "agent.") == ["agent.id", "agent.name"])
        #expect(complete("customers | where ", "agent.n") == ["agent.name"])
        #expect(complete("summary | select ", "conversations.") == ["conversations.open", "conversations.resolved", "conversations.total"])
        #expect(complete("customer x | select ", "metrics.") == ["metrics.byMonth"])
        var learned = Completer()
        learned.learned.note(source: "$v", rows: [JSONObject(pairs: [("o", .object(JSONObject(pairs: [("a", 1), ("b", 2)])))])])
        learned.variableColumns["v"] = ["o"]
        #expect(complete("$v | select ", "o.", learned) == ["o.a", "o.b"])
    }

    /// After `join`: what can be joined (the sources, `customer`, `from`, kept results);
    /// after the target, `on` and the fields.
    @Test func joinOffersWhatToJoinThenOn() {
        var withVars = Completer()
        withVars.variables = ["vips"]
        let first = complete("customers | join ", "", withVars)
        for w in ["left", "customer", "customers", "summary", "from", "$vips"] { #expect(first.contains(w), "\(w) in \(first)") }
        #expect(!complete("customers | join left ", "", withVars).contains("left"))
        #expect(complete("customers | join left cu", "cu", withVars).contains("customers"))
        #expect(complete("customers | join from \"x.csv\" ", "o") == ["on"])
    }

    /// `from "f.csv" |` completes the file's columns before any query has read it.
    @Test func aFilesColumnsCompleteBeforeAnyQuery() {
        var files = Completer()
        files.fileColumns = { $0 == "crm.csv" ? ["phone", "tier", "account"] : nil }
        #expect(complete("from \"crm.csv\" | where ", "ti", files) == ["tier"])
        #expect(complete("from \"other.csv\" | where ", "ti", files) == [])
    }

    @Test func stageNamesFollowAPipe() {
        #expect(complete("customers | ", "so") == ["sort"])
        #expect(complete("customers | limit 3 |", "su") == ["summarize"])
        #expect(complete("customers |\n", "cou") == ["count"])
        // A `|` inside a string or parentheses does not start a stage.
        #expect(complete("customers where name = \"a | ", "so") == [])
    }

    @Test func fieldsOfTheSourceInHand() {
        #expect(complete("customers | sort ", "conv") == ["conversations"])
        #expect(complete("customers where ", "resol") == ["resolutionOutcome"])
        #expect(complete("customers ", "wh") == ["where"])
        #expect(complete("customers | select name, ", "avgR") == ["avgResolutionSeconds"])
        #expect(complete("summary | select ", "cont").contains("contacts"))
        // Fields of `customers` are not offered for `billing`.
        #expect(!complete("billing | select ", "").contains("conversations"))
        #expect(complete("customers | summarize ", "av") == ["avg", "avgFirstResponseSeconds", "avgResolutionSeconds"])
        #expect(complete("customers | format ", "nd") == ["ndjson"])
    }

    @Test func fieldsSeenInResultsAreLearned() {
        var learned = Learned()
        learned.note(source: "crm.csv", rows: [JSONObject(pairs: [("phone", .string("+1")), ("tier", .string("gold"))])])
        var d = Completer()
        d.learned = learned
        #expect(complete("from \"crm.csv\" | sort ", "ti", d) == ["tier"])
        #expect(complete("from \"other.csv\" | sort ", "ti", d) == [])
    }

    @Test func valuesAfterCategoryAndOutcome() {
        #expect(complete("customers where category=", "bil") == ["billing"])
        #expect(complete("customers where category = ", "s") == ["sales", "support"])
        #expect(complete("customers | where resolutionOutcome != ", "esc") == ["escalated"])
        // A value seen in data but not in api.md's list is offered too.
        var learned = Learned()
        learned.note(source: "customers", rows: [JSONObject(pairs: [("category", .string("partnership"))])])
        var d = Completer()
        d.learned = learned
        #expect(complete("customers where category=", "pa", d) == ["partnership"])
    }

    /// Period words where a date goes: after `since`/`until` only they, and among the
    /// fields and functions where a filter's value goes.
    @Test func periodWordsWhereADateGoes() {
        #expect(complete("customers since ", "") == ["today", "yesterday", "this_week", "last_week", "this_month", "last_month"])
        #expect(complete("customers since ", "la") == ["last_week", "last_month"])
        #expect(complete("customers since 2026-01 until ", "this_m") == ["this_month"])
        #expect(complete("messaging since ", "y") == ["yesterday"])
        #expect(complete("customers | where createdAt > ", "this") == ["this_week", "this_month"])
        #expect(complete("customers where lastConversationAt >= ", "last_") == ["last_week", "last_month"])
        #expect(complete("customers | derive d = createdAt - ", "to") == ["today"])
        // Not where a date cannot go.
        #expect(complete("customers | sort ", "this") == [])
        #expect(complete("customers | limit ", "t") == [])
    }

    @Test func variablesAfterADollar() {
        var d = Completer()
        d.variables = ["vip", "value", "other"]
        d.variableColumns = ["vip": ["phone", "tier"]]
        #expect(complete("$", "v", d) == ["value", "vip"])
        #expect(complete("customers where phone in $", "o", d) == ["other"])
        #expect(complete("$vip | sort ", "ti", d) == ["tier"])
    }

    @Test func metaCommandsAndTheirArguments() {
        #expect(complete("", ".fo") == [".format"])
        #expect(complete("", ".p") == [".pushdown", ".pager", ".profile"].filter { name in
            MetaCommands.all.contains { "." + $0.name == name }
        })
        #expect(complete(".format ", "t") == ["table", "tsv"])
        #expect(complete(".timing ", "o") == ["on", "off"])
        #expect(complete(".inspect ", "cu") == ["customers", "customer"])
        #expect(complete(".help ", "ti") == ["timing"])
    }

    @Test func filePathsInsideQuotesAfterFromAndSave() {
        var d = Completer()
        d.baseDirectory = "/work"
        d.listDirectory = { dir in
            switch dir {
            case "/work": return [("crm.csv", false), ("examples", true), (".hidden", false), ("cr.txt", false)]
            case "/work/examples/": return [("vip.mq", false)]
            default: return nil
            }
        }
        #expect(complete("from \"", "cr", d) == ["cr.txt", "crm.csv"])
        let one = d.complete(before: "from \"", word: "crm")
        #expect(one.candidates == ["crm.csv"] && one.append == "\"")
        let dir = d.complete(before: "customers | save \"", word: "ex")
        #expect(dir.candidates == ["examples/"] && dir.append == nil)
        #expect(complete("from \"", "examples/v", d) == ["examples/vip.mq"])
        #expect(complete("from \"", "", d) == ["cr.txt", "crm.csv", "examples/"])
        #expect(complete(".read ", "ex", d) == ["examples/"])
        // A string that is not a file name completes to nothing.
        #expect(complete("customers where name = \"", "cr", d) == [])
    }
}
