import CCurl
import Foundation
import MQCore
import MosendSim
import MQTestSupport
import Testing

/// The simulator embedded in a process, as `mq --demo` will run it.
@Suite struct InProcessTests {
    /// Runs a blocking curl call on its own thread: the in-process server's handlers need
    /// the cooperative pool, which has only two threads here.
    func fetch(_ url: String, key: String) async -> CurlClient.Response {
        await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: CurlClient().get(url, headers: ["X-Api-Key": key])) }
        }
    }

    @Test func startsServesTheSameBytesAsTheBinaryAndStops() async throws {
        var config = SimConfiguration()
        config.contacts = 2000
        let server = try await SimServer.start(config)
        let org = server.engine.organizations[0]
        let url = "\(server.url)/organizations/\(org.id)/reports/summary"
        let r = await fetch(url, key: org.apiKey)
        #expect(r.status == 200)

        // Same defaults as the standard binary: the same bytes.
        let sim = try Sims.standard()
        let viaBinary = await fetch(sim.reportURL(sim.orgs[0], "summary"), key: sim.orgs[0].apiKey)
        #expect(org.id == sim.orgs[0].id)
        #expect(r.body == viaBinary.body)

        await server.stop()
        let after = await fetch(url, key: org.apiKey)
        #expect(after.curlCode == CURLE_COULDNT_CONNECT)
    }
}
