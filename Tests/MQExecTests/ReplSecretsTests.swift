import Foundation
import MQCore
import MQTestSupport
import Testing

/// A full session, in every mode mq has, and then a search of everything it wrote (its
/// output, traces, errors, `.curl`, saved files, `.output` files, history, and every file
/// under its home, config, state, cache and temporary directories) for the secrets it
/// was given: an API key's secret part and a token. Zero hits.
///
/// Part of ReplTests, since it drives the shell in tmux: tmux tests run in their own
/// phase (scripts/test), so that no tmux server is started while the other suites spawn
/// processes whose descriptors it could inherit and keep.
extension ReplTests {
    /// Where one session lives: every directory mq may write to is under `root`.
    struct SecretSandbox {
        let root: URL
        var home: URL { root.appendingPathComponent("home") }
        var config: URL { root.appendingPathComponent("config") }
        var state: URL { root.appendingPathComponent("state") }
        var cache: URL { root.appendingPathComponent("cache") }
        var tmp: URL { root.appendingPathComponent("tmp") }
        var work: URL { root.appendingPathComponent("work") }
        /// Outside `root`: where the profile's key command reads the key (the user's own store).
        let keyStore: URL

        init() throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("mq-secrets-\(UUID().uuidString)")
            root = base.appendingPathComponent("session")
            keyStore = base.appendingPathComponent("keystore")
            for d in [root, home, config, state, cache, tmp, work, keyStore] {
                try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            }
        }

        func remove() { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }

        /// mq's environment for this sandbox; an empty value in `extra` unsets the variable.
        func env(_ sim: SimProcess, _ extra: [String: String] = [:]) -> [String: String] {
            Spawned.environment(sim: sim, [
                "HOME": home.path, "XDG_CONFIG_HOME": config.path, "XDG_STATE_HOME": state.path,
                "XDG_CACHE_HOME": cache.path, "TMPDIR": tmp.path, "MQ_NOW": "2026-11-15T12:00:00Z",
            ].merging(extra) { $1 }).filter { !$0.value.isEmpty }
        }

        /// Every regular file under `root`, with its bytes.
        func files() -> [(String, [UInt8])] {
            guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
            return e.compactMap { item in
                let path = root.appendingPathComponent(item as! String).path
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                      let data = FileManager.default.contents(atPath: path)
                else { return nil }
                return (path, Array(data))
            }
        }
    }

    /// Where `secret` occurs in `haystack`, by name.
    static func secretHits(_ secrets: [String], in texts: [(String, [UInt8])]) -> [String] {
        var out: [String] = []
        for (name, bytes) in texts {
            for s in secrets where bytes.count >= s.utf8.count {
                let needle = Array(s.utf8)
                let found = (0...(bytes.count - needle.count)).contains { i in
                    bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle
                }
                if found { out.append("\(name) holds \(s.prefix(4))…") }
            }
        }
        return out
    }

    static func secretPart(_ key: String) -> String { String(key.split(separator: ".", maxSplits: 1)[1]) }

    @Test func noSecretInAnythingAFullSessionWrites() throws {
        let sim = try SimProcess(["--contacts", "500", "--orgs", "2"])
        let box = try SecretSandbox()
        defer { box.remove() }
        let (org0, org1) = (sim.orgs[0], sim.orgs[1])
        let secrets = [Self.secretPart(org0.apiKey), Self.secretPart(org1.apiKey), org0.token, org1.token]
        // A profile whose key comes from a command reading the user's key store.
        let keyFile = box.keyStore.appendingPathComponent("org1.key")
        try org1.apiKey.write(to: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: box.config.appendingPathComponent("mq"), withIntermediateDirectories: true)
        try """
            [profiles.other]
            base_url = "\(sim.url)"
            org = "\(org1.id)"
            api_key_command = "cat \(keyFile.path)"
            """.write(to: box.config.appendingPathComponent("mq/config.toml"), atomically: true, encoding: .utf8)

        var outputs: [(String, [UInt8])] = []
        func run(_ name: String, _ args: [String], env extra: [String: String] = [:], status: Int32) throws {
            let r = try Spawned.run(args, env: box.env(sim, extra), directory: box.work.path)
            #expect(r.status == status, "\(name): \(r.summary)")
            outputs.append(("\(name) stdout", Array(r.out.utf8)))
            outputs.append(("\(name) stderr", Array(r.err.utf8)))
        }

        // Everything a session does, with tracing on: queries, .curl, explain, saves,
        // .output, timing, .last, .inspect, pushdown off, the cache cleared.
        try run("full", ["--trace", "-c", """
            .trace on
            customers where category = billing | limit 3 | select name
            .curl
            summary | select contacts
            explain customers where category = sales | limit 5
            customers | limit 20 | save "out.csv"
            customers | limit 20 | save "out.json"
            customers | limit 20 | format ndjson | save "out.ndjson"
            .output session.txt
            billing
            customers | limit 5
            .output -
            .timing on
            customers | count
            .last
            .inspect customers
            .pushdown off
            customers where category = billing | limit 2
            .cache clear
            let one = customers | limit 1 | select id
            customer $one | select name
            timeline $one | limit 3
            customers | limit 3 | join customer on id | select name
            .curl
            .vars
            """], status: 0)
        // Errors: 403 (the key of another org), 401 (a key whose secret is the real one plus
        // a letter), 404, a contact lookup that finds no one (its search traced; it used to
        // be the API's 400 for an id that is not a uuid), a network error, and a script error.
        try run("403", ["--trace", "-c", ".org \(org1.id); summary"], status: 3)
        try run("403 flag", ["--org", org1.id, "-c", "summary"], status: 3)
        try run("401", ["--trace", "-c", "summary; .curl"], env: ["MOSEND_API_KEY": org0.apiKey + "x"], status: 3)
        try run("404", ["-c", "customer 00000000-0000-4000-8000-000000000000"], status: 3)
        try run("lookup", ["--trace", "-c", "customer \"not-a-uuid\""], status: 1)
        try run("network", ["--trace", "-c", "summary; .curl"], env: ["MOSEND_BASE_URL": "http://127.0.0.1:9"], status: 4)
        let script = box.work.appendingPathComponent("report.mq")
        try "summary | select contacts\ncustomers | where nope > 1\n".write(to: script, atomically: true, encoding: .utf8)
        try run("script", ["--trace", script.path], status: 1)
        // A bearer token, and a profile whose key comes from a command.
        try run("token", ["--trace", "-c", "summary | select contacts; .curl"],
                env: ["MOSEND_API_KEY": "", "MOSEND_TOKEN": org0.token], status: 0)
        try run("profile", ["--trace", "-c", ".profile other; summary | select contacts; .curl"], status: 0)

        // The shell, in a terminal, writing history.
        let t = try Terminal("--no-color", env: box.env(sim).filter { $0.key.hasPrefix("MOSEND_") || $0.key.hasPrefix("XDG_") || ["HOME", "TMPDIR", "MQ_NOW"].contains($0.key) })
        let prompt = "mq \(org0.id.prefix(8))>"
        #expect(t.wait(for: prompt), "\(t.screen)")
        for line in [".trace on", "customers | limit 3 | select name", "summary | select contacts", ".curl",
                     "customer 00000000-0000-4000-8000-000000000000", ".org \(org1.id)", "summary", ".org \(org0.id)",
                     "customers | limit 2 | save \"\(box.work.path)/repl.csv\"", ".history"] {
            try t.type(line)
        }
        #expect(t.wait(for: "saved 2 rows"), "\(t.screen)")
        #expect(t.wait(for: ".history", count: 2), "\(t.screen)")
        // What the terminal showed, before the user pastes secrets of their own below.
        outputs.append(("screen", Array(t.screen.utf8)))
        // Pasted secrets stay out of history: a whole key, and the secret part alone.
        try t.type("let pasted = \"\(org0.apiKey)\"")
        try t.type("let bare = \"\(Self.secretPart(org0.apiKey))\"")
        try Self.quit(t)

        // Everything written is there to be searched.
        let files = box.files()
        let names = Set(files.map { URL(fileURLWithPath: $0.0).lastPathComponent })
        #expect(names.isSuperset(of: ["out.csv", "out.json", "out.ndjson", "session.txt", "repl.csv", "history", "config.toml"]),
                "\(names)")
        let history = String(decoding: files.first { $0.0.hasSuffix("/mq/history") }?.1 ?? [], as: UTF8.self)
        #expect(history.contains("select\\040contacts") && history.contains(".org"), "history was written: \(history)")
        #expect(!history.contains("pasted") && !history.contains("bare"), "lines with a secret are not kept: \(history)")
        // The secrets were in use: requests with them succeeded.
        #expect(String(decoding: outputs[0].1, as: UTF8.self).contains("X-Api-Key: mk_test_"), ".curl shows the redacted key")
        // The search finds a secret when there is one to find.
        #expect(Self.secretHits(secrets, in: [("probe", Array(("x" + secrets[0] + "y").utf8))]).count == 1)
        let hits = Self.secretHits(secrets, in: outputs + files)
        #expect(hits.isEmpty, "\(hits)")
    }
}
