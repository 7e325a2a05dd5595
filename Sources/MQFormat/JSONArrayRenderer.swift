import MQCore

/// One JSON array of the row objects, written as rows arrive:
/// `[` at the start, one compact object a line, `]` at the end.
///
///     [{"id":1,"name":"Ana"},
///     {"id":2,"name":"Bo"}]
///
/// Each object keeps the row's own keys in the row's own order; `begin`'s columns are
/// not needed.
final class JSONArrayRenderer: Renderer {
    private let sink: OutputSink
    private var first = true

    init(sink: OutputSink) { self.sink = sink }

    var isStreaming: Bool { true }

    func begin(columns: [String]) throws {
        try sink.write([UInt8(ascii: "[")])
    }

    func row(_ row: JSONObject) throws {
        var w = JSONWriter()
        if !first { w.bytes.append(contentsOf: ",\n".utf8) }
        first = false
        w.value(.object(row))
        try sink.write(w.bytes)
    }

    func end(_ summary: RenderSummary) throws {
        try sink.write(Array("]\n".utf8))
    }
}
