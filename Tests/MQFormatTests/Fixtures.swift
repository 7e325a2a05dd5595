import MQCore
import MQFormat

/// The rows every format is checked against: an int, a double, null, a string with a
/// comma and a quote, nested values, accented and CJK names, and a text long enough to be
/// cut at width 60.
enum Fixture {
    static let columns = ["id", "name", "amount", "note", "tags", "owner", "vip"]

    static let rows: [JSONObject] = [
        JSONObject([
            "id": 1, "name": "José Pérez", "amount": 421.6, "note": "says \"hi\", twice",
            "tags": ["vip", "new"], "owner": ["id": "u1", "name": "Ana"], "vip": true,
        ]),
        JSONObject([
            "id": 2, "name": "王小明", "amount": 5.0, "note": nil,
            "tags": [], "owner": nil, "vip": false,
        ]),
        JSONObject([
            "id": 13, "name": "Zoë", "amount": nil,
            "note": "a long note that keeps going well past what a narrow terminal can show",
            "tags": ["x"], "owner": ["id": "u2", "name": "Bo"], "vip": nil,
        ]),
    ]

    static func options(width: Int = 120, color: Bool = false) -> RenderOptions {
        var o = RenderOptions()
        o.width = width
        o.color = color
        return o
    }

    /// Everything `format` writes for `rows`, from begin to end.
    static func render(
        _ format: OutputFormat, columns: [String] = columns, rows: [JSONObject] = rows,
        options: RenderOptions = options(), summary: RenderSummary? = nil
    ) throws -> String {
        let sink = BufferSink()
        let r = makeRenderer(format, options: options, sink: sink)
        try r.begin(columns: columns)
        for row in rows { try r.row(row) }
        try r.end(summary ?? RenderSummary(rows: rows.count))
        return sink.text
    }
}
