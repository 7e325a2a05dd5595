import MQCore
import MQFormat
import MQPlanner

/// `customer "+447700900123"`: the search the plan's `ContactLookup` describes, run before
/// the detail request.
extension Executor {
    /// The contact id of a call: the one the statement gave, or the one its lookup finds
    /// (the plan's search request; `ContactLookup.match` picks). Several contacts, or none,
    /// end the statement with an `ExecError` that lists them.
    func contactId(_ call: RemoteCall, _ api: any ReportsAPI) async throws -> String? {
        guard let lookup = call.lookup else { return call.contact }
        let pages = api.customerPages(lookup.query, statement)
        var rows: [JSONObject] = []
        var more = false
        // The first page is the answer; one that is empty but has a next cursor (a shape
        // the pager follows) says nothing yet, so the next is asked for.
        while let page = try await pages.next() {
            rows += page.rows.compactMap(\.objectValue)
            more = page.nextCursor != nil
            if !rows.isEmpty || !more { break }
        }
        switch lookup.match(rows, more: more) {
        case .one(let id): return id
        case .none: throw Executor.noContact(lookup, source: call.entry.name)
        case .several(let rows, let more): throw Executor.severalContacts(lookup, rows, more: more, source: call.entry.name)
        }
    }

    static func noContact(_ lookup: ContactLookup, source: String) -> ExecError {
        let fields = ContactLookup.fieldsText
        return ExecError("no contact's \(fields) contains \"\(SafeText.terminal(lookup.text))\"",
                         hints: ["the search matches part of a \(fields), ignoring case: `customers search \"…\" | select id, "
                             + ContactLookup.fields.joined(separator: ", ") + "` lists what a shorter text finds"])
    }

    static func severalContacts(_ lookup: ContactLookup, _ rows: [JSONObject], more: Bool, source: String) -> ExecError {
        let shown = ["name", "phone", "id"]
        let cells = rows.map { r in shown.map { SafeText.terminal(r[$0]?.stringValue ?? "", cap: 200) } }
        let widths = shown.indices.map { c in cells.map { displayWidth($0[c]) }.max() ?? 0 }
        let lines = cells.map { row in
            row.indices.map { c in c == row.count - 1 ? row[c] : row[c] + String(repeating: " ", count: widths[c] - displayWidth(row[c])) }
                .joined(separator: "  ")
        }
        // A next page means more match than the page holds (api.md: a cursor is never sent
        // on the last page), so at least these.
        let count = (more ? "at least " : "") + "\(rows.count) contact\(rows.count == 1 ? "" : "s")"
        return ExecError("\"\(SafeText.terminal(lookup.text))\" matches \(count) by \(ContactLookup.fieldsText); `\(source)` needs one",
                         details: lines + (more ? ["and more"] : []),
                         hints: ["name one by its id (`\(source) \(cells.first?[2] ?? "ID")`), or give its full phone or email"])
    }
}
