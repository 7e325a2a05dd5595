import MQCore

/// Newline-delimited JSON: one compact object a line, the row's keys in its own order.
final class NDJSONRenderer: Renderer {
    private let sink: OutputSink

    init(sink: OutputSink) { self.sink = sink }

    var isStreaming: Bool { true }

    func begin(columns: [String]) throws {}

    /// One buffer for every row: serialising into a new array each time cost an
    /// allocation and a regrowth per row.
    private var writer = JSONWriter(capacity: 1024)

    func row(_ row: JSONObject) throws {
        writer.reset()
        writer.value(.object(row))
        writer.bytes.append(UInt8(ascii: "\n"))
        try sink.write(writer.bytes)
    }

    func end(_ summary: RenderSummary) throws {}
}
