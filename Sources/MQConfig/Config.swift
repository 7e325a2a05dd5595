import Foundation

/// `$XDG_CONFIG_HOME/mq/config.toml` (default `~/.config/mq/config.toml`):
///
///     default_profile = "prod"
///
///     [profiles.prod]
///     base_url = "https://api.mosend.dev"
///     org = "a1b2c3d4-…"
///     api_key_command = "pass show mosend/prod"   # or api_key = "mk_live_…" (then chmod 600)
///     format = "table"
///     concurrency = 8
public struct Profile: Equatable, Sendable {
    public var name: String
    public var baseURL: String?
    public var org: String?
    public var apiKey: String?
    public var apiKeyCommand: String?
    public var format: String?
    public var concurrency: Int?

    public init(name: String, baseURL: String? = nil, org: String? = nil, apiKey: String? = nil, apiKeyCommand: String? = nil,
                format: String? = nil, concurrency: Int? = nil)
    {
        self.name = name
        self.baseURL = baseURL
        self.org = org
        self.apiKey = apiKey
        self.apiKeyCommand = apiKeyCommand
        self.format = format
        self.concurrency = concurrency
    }
}

public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

public struct Config: Sendable {
    public let path: String
    public let defaultProfile: String?
    public let profiles: [String: Profile]

    /// Where the file is: `$XDG_CONFIG_HOME/mq/config.toml`, else `~/.config/mq/config.toml`.
    public static func defaultPath(environment env: [String: String]) -> String {
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/mq/config.toml" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.config/mq/config.toml"
    }

    /// Reads the file; nil when it does not exist. A key in a file that group or others
    /// can read is refused, as libpq refuses such a .pgpass.
    public static func load(path: String) throws(ConfigError) -> Config? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(message: "cannot read \(path)")
        }
        let tables: [String: [String: TOMLSubset.Value]]
        do {
            tables = try TOMLSubset.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw ConfigError(message: "\(path): \(error)")
        }
        // Anything but [profiles.NAME] tables and default_profile is refused by name: a
        // `[default]` table or a `format = …` at the top would otherwise be ignored.
        for (table, values) in tables.sorted(by: { $0.key < $1.key }) where !table.hasPrefix("profiles.") {
            if table.isEmpty {
                if let key = values.keys.sorted().first(where: { $0 != "default_profile" }) {
                    throw ConfigError(message: "\(path): `\(key)` is not a top-level setting; settings go in a profile "
                        + "table such as [profiles.default] (the top level takes only default_profile)")
                }
            } else if !(table == "profiles" && values.isEmpty) {
                throw ConfigError(message: "\(path): [\(table)] is not a table mq reads; a profile is [profiles.NAME], "
                    + "e.g. [profiles.\(table.split(separator: ".").last.map(String.init) ?? table)]")
            }
        }
        var profiles: [String: Profile] = [:]
        for (table, values) in tables where table.hasPrefix("profiles.") {
            let name = String(table.dropFirst("profiles.".count))
            func str(_ k: String) throws(ConfigError) -> String? {
                switch values[k] {
                case nil: return nil
                case .string(let s)?: return s
                default: throw ConfigError(message: "\(path): [\(table)] \(k) must be a string")
                }
            }
            var p = Profile(name: name, baseURL: try str("base_url"), org: try str("org"), apiKey: try str("api_key"),
                            apiKeyCommand: try str("api_key_command"), format: try str("format"), concurrency: nil)
            switch values["concurrency"] {
            case nil: break
            case .int(let n)? where n >= 1: p.concurrency = n
            default: throw ConfigError(message: "\(path): [\(table)] concurrency must be a whole number of at least 1")
            }
            let known: Set<String> = ["base_url", "org", "api_key", "api_key_command", "format", "concurrency"]
            if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
                throw ConfigError(message: "\(path): [\(table)] has an unknown setting `\(unknown)`; settings: "
                    + known.sorted().joined(separator: ", "))
            }
            profiles[name] = p
        }
        if profiles.values.contains(where: { $0.apiKey != nil }) {
            var st = stat()
            if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
                throw ConfigError(message: "\(path) holds an API key but others can read it (mode \(String(st.st_mode & 0o777, radix: 8))); "
                    + "run: chmod 600 \(path)   (or use api_key_command)")
            }
        }
        var defaultProfile: String? = nil
        switch tables[""]?["default_profile"] {
        case nil: break
        case .string(let d)?: defaultProfile = d
        default: throw ConfigError(message: "\(path): default_profile must be a string, the name of a profile")
        }
        return Config(path: path, defaultProfile: defaultProfile, profiles: profiles)
    }

    /// The profile to use: the named one (`--profile`, `MQ_PROFILE`), else
    /// `default_profile`, else one called `default`, else none.
    public func profile(named name: String?) throws(ConfigError) -> Profile? {
        if let name {
            guard let p = profiles[name] else {
                let names = profiles.keys.sorted()
                throw ConfigError(message: "no profile `\(name)` in \(path)"
                    + (names.isEmpty ? "" : "; profiles: " + names.joined(separator: ", ")))
            }
            return p
        }
        if let d = defaultProfile { return try profile(named: d) }
        return profiles["default"]
    }

    /// Runs `api_key_command` and takes its first line of output as the key.
    public static func runKeyCommand(_ command: String) throws(ConfigError) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { throw ConfigError(message: "api_key_command could not start: \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let key = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard p.terminationStatus == 0, !key.isEmpty else {
            throw ConfigError(message: "api_key_command exited with status \(p.terminationStatus) and printed no key")
        }
        return key.trimmingCharacters(in: .whitespaces)
    }
}
