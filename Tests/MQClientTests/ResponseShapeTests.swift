import MQClient
import MQCore
import MQTestSupport
import Testing

/// Bodies that are JSON but not what api.md promises, and bodies too big to hold: each a
/// clean `APIError` naming the request, never a crash, never rows lost in silence.
@Suite struct ResponseShapeTests {
    static let list = "/organizations/00000000-0000-4000-8000-000000000001/reports/customers"

    /// A body past `maxResponseBytes` stops the transfer there, and is treated as any
    /// broken answer: retried (each attempt stops at the cap), then an error that says
    /// what the limit is.
    @Test func aBodyPastTheSizeCapIsRetriedThenRefused() async throws {
        let big = #"{"data":{"padding":""# + String(repeating: "x", count: 3 << 20) + #""}}"#
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(body: big) }
        let client = try Clients.forServer(server.url) { $0.transport.maxResponseBytes = 1 << 20 }
        let attempts = client.configuration.retry.maxAttempts
        await expectAPIError({ try await client.summary(CallContext()) }) { e in
            e.category == .invalidResponse && e.attempts == attempts && e.detail.contains("passed 1 MB")
                && e.requestLine.hasSuffix("/reports/summary") && e.exitStatus == 3
        }
        #expect(server.requests.count == attempts)
        // Under the cap the same body is fine.
        let roomy = try Clients.forServer(server.url) { $0.transport.maxResponseBytes = 4 << 20 }
        let data = try await roomy.summary(CallContext())
        #expect(data["padding"]?.stringValue?.count == 3 << 20)
        client.shutdown()
        roomy.shutdown()
        await server.stop()
    }

    @Test func theDefaultCapIsGenerousButBounded() {
        let cap = TransportOptions().maxResponseBytes
        #expect(cap >= 16 << 20 && cap <= 256 << 20, "\(cap)")
    }

    /// A row that is not an object is an error naming the row, not a row dropped.
    @Test(arguments: [
        (#"{"data":[{"id":"a"},7,{"id":"c"}],"nextCursor":null}"#, "row 2 of 3 in \"data\" is a number"),
        (#"{"data":["a"],"nextCursor":null}"#, "row 1 of 1 in \"data\" is a string"),
        (#"{"data":[[{"id":"a"}]],"nextCursor":null}"#, "row 1 of 1 in \"data\" is an array"),
        (#"{"data":"customers","nextCursor":null}"#, "\"data\" is a string"),
        (#"{"data":12,"nextCursor":null}"#, "\"data\" is a number"),
    ])
    func rowsThatAreNotObjectsAreAnError(body: String, message: String) async throws {
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(body: body) }
        let client = try Clients.forServer(server.url)
        let (rows, _, error) = await Clients.scanAll(client)
        #expect(rows.isEmpty)
        #expect(error?.category == .invalidResponse, "\(String(describing: error))")
        #expect(error?.detail.contains(message) == true, "\(String(describing: error))")
        #expect(error?.path == Self.list)
        // Retried as a body that is not JSON is: the same page asked for each time.
        #expect(error?.attempts == client.configuration.retry.maxAttempts)
        #expect(server.requests.count == client.configuration.retry.maxAttempts)
        client.shutdown()
        await server.stop()
    }

    /// A 200 that breaks the envelope once (a proxy's page, a half-deployed server) was
    /// an error at once; retried, the next good answer is used.
    @Test(arguments: [#"{"data":"oops"}"#, #"{"data":[7]}"#, #"{"data":[],"nextCursor":{"x":1}}"#, #"{"nodata":true}"#])
    func aBrokenEnvelopeIsRetriedLikeABrokenBody(_ bad: String) async throws {
        let server = try await ScriptedServer { n, _ in
            ScriptedServer.Reply(body: n == 0 ? bad : #"{"data":[{"id":"a"}],"nextCursor":null}"#)
        }
        let client = try Clients.forServer(server.url)
        let (rows, _, error) = await Clients.scanAll(client)
        #expect(error == nil, "\(String(describing: error))")
        #expect(rows.count == 1)
        #expect(server.requests.count == 2)
        let summary = try await ScriptedServer { n, _ in
            ScriptedServer.Reply(body: n == 0 ? #"{"data":[1,2]}"# : #"{"data":{"contacts":3}}"#)
        }
        let other = try Clients.forServer(summary.url)
        #expect(try await other.summary(CallContext())["contacts"] == 3)
        client.shutdown()
        other.shutdown()
        await server.stop()
        await summary.stop()
    }

    /// A cursor that cannot be sent back ends the scan with an error after the retries
    /// (the rows already handed on stay), in every shape api.md lists; an integer is taken
    /// as its digits.
    @Test(arguments: [
        (#""nextCursor":{"after":"x"}"#, "nextCursor", "an object"),
        (#""next_cursor":["x"]"#, "next_cursor", "an array"),
        (#""meta":{"nextCursor":true}"#, "meta.nextCursor", "a boolean"),
        (#""pagination":{"nextCursor":1.5}"#, "pagination.nextCursor", "a number"),
        (#""pagination":{"next_cursor":{}}"#, "pagination.next_cursor", "an object"),
    ])
    func aCursorThatIsNotAStringEndsTheScanWithAnError(cursor: String, path: String, kind: String) async throws {
        let server = try await ScriptedServer { n, _ in
            n == 0
                ? ScriptedServer.Reply(body: #"{"data":[{"id":"a"}],"nextCursor":"c1"}"#)
                : ScriptedServer.Reply(body: #"{"data":[{"id":"b"}],"# + cursor + "}")
        }
        let client = try Clients.forServer(server.url)
        let (rows, pages, error) = await Clients.scanAll(client)
        #expect(rows == [["id": "a"]], "the first page's rows stay")
        #expect(pages.count == 1)
        #expect(error?.category == .invalidResponse)
        #expect(error?.detail.contains("the next cursor (\(path)) is \(kind), not a string") == true, "\(String(describing: error))")
        #expect(error?.stoppedAtCursor == "c1")
        #expect(error?.params.contains { $0 == ("cursor", "c1") } == true)
        // The broken page is retried as a broken body is, then reported.
        #expect(server.requests.count == 1 + client.configuration.retry.maxAttempts)
        client.shutdown()
        await server.stop()
    }

    @Test func anIntegerCursorIsFollowedAsItsDigits() async throws {
        let server = try await ScriptedServer { n, _ in
            n == 0
                ? ScriptedServer.Reply(body: #"{"data":[{"id":"a"}],"nextCursor":100}"#)
                : ScriptedServer.Reply(body: #"{"data":[{"id":"b"}],"nextCursor":null}"#)
        }
        let client = try Clients.forServer(server.url)
        let (rows, _, error) = await Clients.scanAll(client)
        #expect(error == nil)
        #expect(rows.count == 2)
        #expect(server.requests.last?.query.contains("cursor=100") == true)
        client.shutdown()
        await server.stop()
    }

    /// Duplicate keys: the last value wins (as in JavaScript, which a NestJS server is
    /// written in), in the first key's place.
    @Test func aDuplicateKeyKeepsItsLastValue() async throws {
        let server = try await ScriptedServer { _, _ in
            ScriptedServer.Reply(body: #"{"data":null,"data":[{"id":"a","n":1,"n":2}],"nextCursor":"x","nextCursor":null}"#)
        }
        let client = try Clients.forServer(server.url)
        let (rows, pages, error) = await Clients.scanAll(client)
        #expect(error == nil)
        #expect(rows == [["id": "a", "n": 2]])
        #expect(pages.count == 1, "the last nextCursor (null) ends the scan")
        client.shutdown()
        await server.stop()
    }
}

/// A hostile or broken server's text never reaches the terminal raw (issue 13): a NestJS
/// `message` and each item of a 422 array, the "body begins" preview and a redirect's
/// target are shown with their controls escaped and capped at about 1 KB.
@Suite struct HostileTextTests {
    static let esc = "\u{1B}]0;owned\u{07}\u{1B}[2J"

    static func text(_ e: APIError) -> String { e.description }

    @Test func aMessageWithEscapesIsShownEscaped() async throws {
        let body = #"{"statusCode":400,"message":"bad \u001b]0;owned\u0007\u001b[2J \u202egnp.exe","error":"Bad Request"}"#
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(status: 400, body: body) }
        let client = try Clients.forServer(server.url)
        do {
            _ = try await client.summary(CallContext())
            Issue.record("expected an error")
        } catch {
            let shown = Self.text(error)
            #expect(!shown.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E }, "\(shown.debugDescription)")
            #expect(shown.contains("bad \\x1b]0;owned\\x07\\x1b[2J \\u{202e}gnp.exe"), "\(shown)")
        }
        client.shutdown()
        await server.stop()
    }

    @Test func eachItemOfA422ArrayAndAHugeMessageAreCapped() async throws {
        let huge = String(repeating: "A", count: 5 << 20)
        let body = #"{"statusCode":422,"message":["first \u001b[31mred","# + "\"\(huge)\"" + #"],"error":"Unprocessable"}"#
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(status: 422, body: body) }
        let client = try Clients.forServer(server.url)
        do {
            _ = try await client.summary(CallContext())
            Issue.record("expected an error")
        } catch {
            let shown = Self.text(error)
            #expect(shown.utf8.count < 4 << 10, "\(shown.utf8.count) bytes")
            #expect(shown.contains("first \\x1b[31mred"))
            #expect(shown.contains("(… \((5 << 20) - 1024) bytes more)"), "\(shown.suffix(200))")
        }
        client.shutdown()
        await server.stop()
    }

    @Test func theBodyPreviewOfABrokenBodyIsEscaped() async throws {
        let server = try await ScriptedServer { _, _ in ScriptedServer.Reply(body: "\u{1B}[2J<html>proxy \u{07}") }
        let client = try Clients.forServer(server.url)
        do {
            _ = try await client.summary(CallContext())
            Issue.record("expected an error")
        } catch {
            let shown = Self.text(error)
            #expect(!shown.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(shown.debugDescription)")
            #expect(shown.contains("the body begins “\\x1b[2J<html>proxy \\x07”"), "\(shown)")
        }
        client.shutdown()
        await server.stop()
    }
}
