import Foundation
import MQCore
import MQTestSupport
import Testing

/// The examples in examples/ run as tests, so the README never shows something broken.
@Suite struct ExampleTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func simWalkthroughRuns() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.repository.appendingPathComponent("examples/sim-walkthrough.sh").path]
        p.environment = TestEnvironment.clean(["MOSEND_SIM_BIN": SimProcess.binary])
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(stderr)")
        // Every response line is JSON: data envelopes, the validation error, the stats.
        let bodies = output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(bodies.count == 6)
        let parsed = try bodies.map { try JSONParser.parse(String($0)) }
        #expect(parsed.prefix(4).allSatisfy { $0["data"] != nil })
        #expect(parsed[1]["data"]!.arrayValue!.allSatisfy { $0["category"] == "billing" })
        #expect(parsed[4]["statusCode"] == 400)
        #expect(parsed[5]["requests"] == 5)
    }
}
