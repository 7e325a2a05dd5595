import MQCore
import Testing

/// Compares row lists and reports only what a reader needs: the counts, and the first row
/// that differs with just its differing fields.
public func expectSameRows(_ got: [JSONObject], _ want: [JSONObject], _ context: String = "",
                    sourceLocation: SourceLocation = #_sourceLocation)
{
    if got.count != want.count {
        Issue.record("\(context) \(got.count) rows, expected \(want.count)", sourceLocation: sourceLocation)
    }
    for (i, (g, w)) in zip(got, want).enumerated() where g != w {
        let keys = Array(Set(g.keys).union(w.keys)).sorted().filter { g[$0] != w[$0] }
        let diff = keys.map { "  \($0): got \(g[$0].map(\.description) ?? "(absent)"), expected \(w[$0].map(\.description) ?? "(absent)")" }
        let id = w["id"]?.description ?? "?"
        let message: String = "\(context) row \(i) (id \(id)) differs:\n" + diff.joined(separator: "\n")
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        return
    }
}

/// The same for two JSON values, by their text when they differ.
public func expectSameJSON(_ got: JSON, _ want: JSON, _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    switch (got, want) {
    case (.array(let g), .array(let w)) where g.allSatisfy({ $0.objectValue != nil }) && w.allSatisfy({ $0.objectValue != nil }):
        expectSameRows(g.map { $0.objectValue! }, w.map { $0.objectValue! }, context, sourceLocation: sourceLocation)
    case (.object(let g), .object(let w)):
        expectSameRows([g], [w], context, sourceLocation: sourceLocation)
    default:
        if got != want { Issue.record("\(context) got \(got), expected \(want)", sourceLocation: sourceLocation) }
    }
}
