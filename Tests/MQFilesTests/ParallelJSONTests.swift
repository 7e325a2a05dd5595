import Foundation
import MQCore
@testable import MQFiles
import Testing

/// A JSON array whose elements are parsed on two threads (`JSONArrayChunks`) gives the
/// rows, and the error at the line and column, that one thread reading it whole gives:
/// whatever the window, with strings holding brackets and escaped quotes, nested
/// elements, and each kind of error (inside an element, between two, after the `]`, an
/// element that is not an object) after rows that come first.
@Suite struct ParallelJSONTests {
    static let row = #"{"id":1,"s":"a]b}\"c","o":{"l":[1,[2,{"x":"]"}]]}}"#
    static let texts: [String] = [
        "[" + Array(repeating: row, count: 40).joined(separator: ",\n ") + "]\n",
        "\u{FEFF} [\n" + Array(repeating: row, count: 30).joined(separator: ",") + "\n]",
        "[" + Array(repeating: row, count: 20).joined(separator: ",") + ",{\"id\":2,\"bad\":tru}," + row + "]",
        "[" + Array(repeating: row, count: 20).joined(separator: ",") + " " + row + "]",
        "[" + Array(repeating: row, count: 20).joined(separator: ",") + ",]",
        "[" + Array(repeating: row, count: 20).joined(separator: ",") + ",\n  7," + row + "]",
        "[" + Array(repeating: row, count: 20).joined(separator: ",") + "] x",
        "[" + Array(repeating: row, count: 20).joined(separator: ",") + ",{\"id\":",
        "[" + Array(repeating: row, count: 20).joined(separator: ",") + ",{\"é\":\"\\u00e9\"}\n",
        "[" + Array(repeating: #"{"a":"\\","b":"\\\"q]","c":"x\\"}"#, count: 25).joined(separator: ",") + "]",
    ]

    @Test(arguments: 0..<texts.count)
    func elementsParsedOnTwoThreadsReadAsTheWholeFile(_ which: Int) throws {
        let dir = try TempDirectory()
        let path = try dir.write("t.json", Self.texts[which])
        let (whole, _) = expectReadsAlike(path, .json, baseline: (1 << 20, 1), chunks: [1, 3, 16, 64, 200, 1000], workers: 2, batch: 7)
        #expect(whole.count >= 20)
    }
}
