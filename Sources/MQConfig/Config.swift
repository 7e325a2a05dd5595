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
///     memory_limit = "2GB"                        # what a sort holds before it spills
public struct Profile: Equatable, Sendable {
    public var name: String
    public var baseURL: String?
    public var org: String?
    public var apiKey: String?
    public var apiKeyCommand: String?
    public var format: String?
    public var concurrency: Int?
    /// As written (`"2GB"`); the command line checks and reads it, as for `--memory-limit`.
    public var memoryLimit: String?

    public init(name: String, baseURL: String? = nil, org: String? = nil, apiKey: String? = nil, apiKeyCommand: String? = nil,
                format: String? = nil, concurrency: Int? = nil, memoryLimit: String? = nil)
    {
        self.name = name
        self.baseURL = baseURL
        self.org = org
        self.apiKey = apiKey
        self.apiKeyCommand = apiKeyCommand
        self.format = format
        self.concurrency = concurrency
        self.memoryLimit = memoryLimit
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
                            apiKeyCommand: try str("api_key_command"), format: try str("format"), concurrency: nil,
                            memoryLimit: try str("memory_limit"))
            switch values["concurrency"] {
            case nil: break
            case .int(let n)? where n >= 1: p.concurrency = n
            default: throw ConfigError(message: "\(path): [\(table)] concurrency must be a whole number of at least 1")
            }
            let known: Set<String> = ["base_url", "org", "api_key", "api_key_command", "format", "concurrency", "memory_limit"]
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

    /// At most this much output is read from `api_key_command` (a key is a line).
    public static let keyCommandOutputLimit = 64 << 10
    /// And it must finish within this many seconds.
    public static let keyCommandTimeLimit = 10.0

    /// Runs `api_key_command` and takes its first line of output as the key.
    ///
    /// Bounded: `yes` grew mq to 21.8 GB and `sleep 100` held it for 100 s. The command
    /// runs in a process group of its own (so a shell's children go too), its output is
    /// read up to `keyCommandOutputLimit` and for `keyCommandTimeLimit`, and past either
    /// the group is killed and the error says which limit it hit.
    public static func runKeyCommand(_ command: String, outputLimit: Int = keyCommandOutputLimit,
                                     timeLimit: Double = keyCommandTimeLimit) throws(ConfigError) -> String
    {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw ConfigError(message: "api_key_command could not start: no pipe") }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for p in argv { free(p) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            throw ConfigError(message: "api_key_command could not start: \(String(cString: strerror(spawned)))")
        }
        defer { close(readEnd) }
        func stop() {
            kill(-pid, SIGKILL)
            var st: Int32 = 0
            _ = waitpid(pid, &st, 0)
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeLimit)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                stop()
                throw ConfigError(message: "api_key_command did not finish within \(Int(timeLimit)) s; it was stopped")
            }
            var fds = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, Int32(min(left, 1) * 1000))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let n = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output.append(contentsOf: chunk[0..<n])
            if output.count > outputLimit {
                stop()
                throw ConfigError(message: "api_key_command printed more than \(outputLimit >> 10) KB; it was stopped "
                    + "(a key is one line)")
            }
        }
        // The output ended: the command has closed it; wait for its status, still within
        // the time limit (a command may close its output and go on).
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if deadline.timeIntervalSinceNow <= 0 {
                stop()
                throw ConfigError(message: "api_key_command did not finish within \(Int(timeLimit)) s; it was stopped")
            }
            usleep(10_000)
        }
        let exited = (status & 0x7F) == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let key = String(decoding: output, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard code == 0, !key.isEmpty else {
            throw ConfigError(message: "api_key_command exited with status \(code) and printed no key")
        }
        return key.trimmingCharacters(in: .whitespaces)
    }
}
