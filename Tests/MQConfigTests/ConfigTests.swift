import Foundation
import MQConfig
import Testing

@Suite struct TOMLSubsetTests {
    @Test func readsTablesKeysAndScalarValues() throws {
        let t = try TOMLSubset.parse("""
            # mq
            default_profile = "prod"   # trailing comment
            [profiles.prod]
            base_url = "https://api.mosend.dev"
            org = 'lit\\eral#not-a-comment'
            concurrency = 1_000
            ratio = 2.5
            on = true
            "quoted key" = "a \\"q\\" \\u00e9\\n"

            [profiles."with space"]
            org = "x"
            """)
        #expect(t[""]?["default_profile"] == .string("prod"))
        #expect(t["profiles.prod"]?["base_url"] == .string("https://api.mosend.dev"))
        #expect(t["profiles.prod"]?["org"] == .string("lit\\eral#not-a-comment"))
        #expect(t["profiles.prod"]?["concurrency"] == .int(1000))
        #expect(t["profiles.prod"]?["ratio"] == .double(2.5))
        #expect(t["profiles.prod"]?["on"] == .bool(true))
        #expect(t["profiles.prod"]?["quoted key"] == .string("a \"q\" é\n"))
        #expect(t["profiles.with space"]?["org"] == .string("x"))
    }

    @Test(arguments: [
        ("x = [1, 2]", 1, "arrays"),
        ("[a]\nx = 1\n[a]\ny = 2", 3, "defined twice"),
        ("x = 1\nx = 2", 2, "set twice"),
        ("x = unquoted", 1, "strings need quotes"),
        ("x = \"open", 1, "unterminated"),
        ("just words", 1, "key = value"),
        ("[[array.of.tables]]", 1, "arrays of tables"),
        ("x = \"\"\"multi", 1, "multi-line"),
    ])
    func refusesWhatItDoesNotReadWithTheLine(text: String, line: Int, message: String) {
        do {
            _ = try TOMLSubset.parse(text)
            Issue.record("expected an error on line \(line) (\(message)), but it parsed: \(text)")
        } catch {
            #expect(error.line == line)
            #expect(error.message.contains(message), "\(error)")
        }
    }
}

@Suite struct ConfigTests {
    static func write(_ text: String, mode: Int) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mq-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("config.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode_t(mode))
        return path
    }

    @Test func profilesAndTheDefault() throws {
        let path = try Self.write("""
            default_profile = "b"
            [profiles.a]
            org = "A"
            [profiles.b]
            org = "B"
            format = "csv"
            concurrency = 3
            """, mode: 0o644)
        let c = try #require(try Config.load(path: path))
        #expect(try c.profile(named: nil)?.org == "B")
        #expect(try c.profile(named: "a")?.org == "A")
        #expect(try c.profile(named: "b") == Profile(name: "b", baseURL: nil, org: "B", apiKey: nil, apiKeyCommand: nil,
                                                    format: "csv", concurrency: 3))
        #expect(throws: ConfigError.self) { try c.profile(named: "zzz") }
    }

    @Test func aKeyInAFileOthersCanReadIsRefused() throws {
        let text = "[profiles.p]\napi_key = \"mk_live_x.secret\"\n"
        let open = try Self.write(text, mode: 0o644)
        do {
            _ = try Config.load(path: open)
            Issue.record("expected a key file of mode 644 to be refused, but it loaded")
        } catch {
            #expect(error.message.contains("chmod 600") && error.message.contains("mode 644"))
            #expect(!error.message.contains("secret"))
        }
        let closed = try Self.write(text, mode: 0o600)
        #expect(try Config.load(path: closed)?.profiles["p"]?.apiKey == "mk_live_x.secret")
    }

    @Test func unknownSettingsAndBadTypesAreNamed() throws {
        for (text, message) in [("[profiles.p]\nbaseurl = \"x\"", "unknown setting `baseurl`"),
                                ("[profiles.p]\nconcurrency = \"8\"", "concurrency must be a whole number"),
                                ("[profiles.p]\norg = 5", "org must be a string"),
                                // Once ignored without a word: a profile outside [profiles.…].
                                ("[default]\norg = \"x\"", "[default] is not a table mq reads; a profile is "
                                    + "[profiles.NAME], e.g. [profiles.default]"),
                                ("format = \"csv\"\n[profiles.p]", "`format` is not a top-level setting"),
                                ("default_profile = 1", "default_profile must be a string")] {
            let path = try Self.write(text, mode: 0o600)
            #expect { try Config.load(path: path) } throws: { ($0 as? ConfigError)?.message.contains(message) == true }
        }
        #expect(try Config.load(path: "/nonexistent/mq/config.toml") == nil)
    }

    @Test func aKeyCommandGivesTheKey() throws {
        #expect(try Config.runKeyCommand("printf 'mk_test_ab.cd\\nextra\\n'") == "mk_test_ab.cd")
        #expect { try Config.runKeyCommand("exit 3") } throws: {
            ($0 as? ConfigError)?.message == "api_key_command exited with status 3 and printed no key"
        }
    }

    /// `api_key_command = "yes"` grew mq to 21.8 GB: output past 64 KB stops the command.
    @Test func aKeyCommandThatPrintsForeverIsStoppedAt64KB() throws {
        let start = Date()
        #expect { try Config.runKeyCommand("yes") } throws: {
            ($0 as? ConfigError)?.message == "api_key_command printed more than 64 KB; it was stopped (a key is one line)"
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    /// `sleep 100` held mq for 100 s: the command has a time limit, and its whole process
    /// group (the shell's children too) is stopped.
    @Test func aKeyCommandThatHangsIsStoppedAtItsTimeLimit() throws {
        let start = Date()
        #expect { try Config.runKeyCommand("sleep 100; echo mk_late", timeLimit: 1) } throws: {
            ($0 as? ConfigError)?.message == "api_key_command did not finish within 1 s; it was stopped"
        }
        #expect(Date().timeIntervalSince(start) < 3)
        // A command that closes its output and goes on is held to the limit too.
        #expect { try Config.runKeyCommand("echo mk_x; exec >&-; sleep 100", timeLimit: 1) } throws: {
            ($0 as? ConfigError)?.message.contains("did not finish within 1 s") == true
        }
        #expect(Config.keyCommandTimeLimit == 10 && Config.keyCommandOutputLimit == 64 << 10)
    }
}
