import MQClient
import MQCore
import MQTestSupport
import Testing

/// Where the key may go, what it looks like when shown, and what errors say.
@Suite struct SafetyTests {
    static let key = "mk_live_abcd1234.TopSecretPartThatMustNeverShow"

    @Test(arguments: [
        ("http://api.example.com", false, false),
        ("http://10.0.0.5:8080", false, false),
        ("http://api.example.com", true, true),
        ("https://api.mosend.dev", false, true),
        ("http://127.0.0.1:9000", false, true),
        ("http://127.10.0.1:9000", false, true),
        ("http://localhost:9000/", false, true),
        ("http://[::1]:9000", false, true),
        ("ftp://api.mosend.dev", true, false),
        ("not a url", false, false),
    ])
    func plainHttpOnlyToLoopbackUnlessAllowed(url: String, insecure: Bool, accepted: Bool) {
        var c = ClientConfiguration(baseURL: url, orgId: "o", credentials: Credentials(apiKey: Self.key))
        c.insecureHTTP = insecure
        do {
            let client = try MosendClient(c)
            client.shutdown()
            #expect(accepted)
        } catch {
            #expect(!accepted)
            #expect(error.category == .refused)
            if url.hasPrefix("http://") { #expect(error.detail.contains("--insecure-http")) }
        }
    }

    @Test func aRedirectToAnotherOriginIsRefusedAndTheKeyStaysHome() async throws {
        let elsewhere = try await ScriptedServer { _, _ in ScriptedServer.Reply() }
        let home = try await ScriptedServer { _, seen in
            ScriptedServer.Reply(status: 302, headers: [("Location", elsewhere.url + seen.path)], body: "")
        }
        let trace = TraceLog()
        let client = try Clients.forServer(home.url, key: Self.key)
        client.setTrace { trace.record($0) }
        await expectAPIError({ try await client.summary(CallContext()) }) { e in
            return e.category == .refused && e.detail.contains("another origin") && !"\(e)".contains("TopSecret")
        }
        #expect(elsewhere.requests.isEmpty, "nothing was sent to the other origin")
        #expect(home.requests.count == 1)
        await home.stop()
        await elsewhere.stop()
    }

    @Test func aRedirectWithinTheOriginIsFollowedWithTheKey() async throws {
        let server = try await ScriptedServer { _, seen in
            seen.path.hasSuffix("/moved")
                ? ScriptedServer.Reply()
                : ScriptedServer.Reply(status: 307, headers: [("Location", seen.path + "/moved")], body: "")
        }
        let client = try Clients.forServer(server.url, key: Self.key)
        _ = try await client.summary(CallContext())
        #expect(server.requests.count == 2)
        #expect(server.requests.allSatisfy { $0.headers["x-api-key"] == Self.key })
        await server.stop()
    }

    @Test func errorsSayWhatWentWrongAndWhatToDo() async throws {
        let sim = try Sims.standard()
        let org = sim.orgs[0]
        func client(org orgId: String = org.id, key: String = org.apiKey) throws -> MosendClient {
            var c = ClientConfiguration(baseURL: sim.url, orgId: orgId, credentials: Credentials(apiKey: key, source: "MOSEND_API_KEY"))
            c.retry.maxAttempts = 1
            return try MosendClient(c)
        }
        let st = CallContext()
        await expectAPIError({ try await client(key: "mk_test_00000000.wrong").summary(st) }) { e in
            return e.status == 401 && e.detail.contains("read from MOSEND_API_KEY") && e.detail.contains("X-Api-Key")
                && e.detail.contains("mk_test_00000000.****") && !"\(e)".contains("wrong")
        }
        await expectAPIError({ try await client(org: sim.orgs[1].id).summary(st) }) { e in
            return e.status == 403 && e.detail.contains("no access to organization \(sim.orgs[1].id)")
        }
        await expectAPIError({ try await client(org: "00000000-0000-4000-8000-00000000beef").billing(st) }) { e in
            return e.status == 404 && e.detail.contains("organization 00000000-0000-4000-8000-00000000beef was not found")
        }
        await expectAPIError({ try await client().messaging(since: "last tuesday", st) }) { e in
            return e.status == 400 && e.serverMessages == ["since must be a valid ISO 8601 date string"]
                && e.requestLine.hasSuffix("messaging?since=last tuesday")
        }
    }

    /// A session of calls that fail every way there is; the key's secret part appears in
    /// no trace event and no error text.
    @Test func theKeyNeverAppearsInTracesOrErrors() async throws {
        let sim = try SimProcess(["--contacts", "100", "--orgs", "1", "--fail-rate", "0.3", "--malformed-rate", "0.2",
                                  "--drop-rate", "0.2"])
        let org = sim.orgs[0]
        let secret = String(org.apiKey.split(separator: ".")[1])
        var texts: [String] = []
        let trace = TraceLog()
        for key in [org.apiKey, "mk_live_deadbeef.\(secret)XYZ"] {
            var c = ClientConfiguration(baseURL: sim.url, orgId: org.id, credentials: Credentials(apiKey: key))
            c.retry.maxAttempts = 2
            let client = try MosendClient(c, environment: FakeTime().environment)
            client.setTrace { trace.record($0) }
            let st = CallContext()
            for call in 0..<4 {
                do throws(APIError) {
                    switch call {
                    case 0: _ = try await client.summary(st)
                    case 1: _ = try await client.customer(id: "nope", st)
                    case 2: _ = try await client.messaging(since: "2026-11-01", st)
                    default: _ = try await Clients.scanAll(client, statement: st).rows
                    }
                } catch {
                    texts.append("\(error)")
                }
            }
            texts.append(client.curlCommand(url: sim.reportURL(org, "summary")))
            #expect(client.curlCommand(url: "u").contains(Credentials.redact(apiKey: key)))
        }
        for e in trace.all {
            texts.append([e.method, e.url, e.error ?? "", "\(e)"].joined(separator: " "))
        }
        #expect(texts.count > 10)
        #expect(trace.all.contains { $0.status == 500 || $0.status == 503 })
        let leaks = texts.filter { $0.contains(secret) }
        #expect(leaks.isEmpty, "\(leaks.first ?? "")")
    }

    @Test func keysAreRedactedToTheirPrefix() {
        #expect(Credentials.redact(apiKey: "mk_live_ab12cd34.s3cr3t") == "mk_live_ab12cd34.****")
        #expect(Credentials.redact(apiKey: "mk_test_ab12cd34.s3cr3t") == "mk_test_ab12cd34.****")
        #expect(Credentials.redact(apiKey: "sk-something-else") == "****")
        #expect(Credentials(bearer: "tok").redacted == "Bearer ****")
    }
}
