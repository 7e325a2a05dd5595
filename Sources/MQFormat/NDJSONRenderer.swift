import MQCore

/// Newline-delimited JSON: one compact object a line, the row's keys in its own order.
final class NDJSONRenderer: Renderer {
    private let sink: OutputSink

    init(sink: OutputSink) { self.sink = sink }

    var isStreaming: Bool { true }

    func begin(columns: [String]) throws {}

    func row(_ row: JSONObject) throws {
        var bytes = JSON.object(row).serialized()
        bytes.append(UInt8(ascii: "\n"))
        try sink.write(bytes)
    }

    func end(_ summary: RenderSummary) throws {}
}
