// libFuzzer target: any bytes through MQCore's JSON parser (every API response and
// .json/.ndjson row goes through it), and what parses through the writer and back.
//
// Checks, besides "does not crash": an error's offset, line and column lie in the input;
// and writing a parsed value then parsing the text gives an equal value, whose text is
// the same again (a fixed point). A broken invariant is a crash (fatalError).
//
// Built only by scripts/fuzz (MQ_FUZZ=1, --sanitize=fuzzer): libFuzzer supplies `main`.
import MQCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let value: JSON
    do {
        value = try JSONParser.parse(bytes)
    } catch {
        guard error.offset >= 0, error.offset <= size, error.line >= 1, error.column >= 1,
              error.column <= error.offset + 1
        else { fail("error position out of range: \(error) (offset \(error.offset))", bytes) }
        _ = error.description
        return 0
    }
    var writer = JSONWriter()
    writer.value(value)
    let again: JSON
    do {
        again = try JSONParser.parse(writer.bytes)
    } catch {
        fail("the written form does not parse: \(error)\nwritten: \(String(decoding: writer.bytes, as: UTF8.self))", bytes)
    }
    guard again == value else { fail("the written form parses to another value\nwritten: \(String(decoding: writer.bytes, as: UTF8.self))", bytes) }
    var rewriter = JSONWriter()
    rewriter.value(again)
    guard rewriter.bytes == writer.bytes else { fail("writing is not a fixed point", bytes) }
    return 0
}

func fail(_ message: String, _ input: [UInt8]) -> Never {
    fatalError("\(message)\ninput: \(String(reflecting: String(decoding: input, as: UTF8.self)))")
}
