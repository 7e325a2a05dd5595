import MQClient
import MQConfig
import MQCore

/// Flags, environment and the config profile merged: flag > environment > profile > default.
struct Resolved: Sendable {
    var baseURL: String
    var org: String?
    var credentials: Credentials?
    var format: OutputFormat?
    var concurrency: Int
    /// `--memory-limit`, else the profile's `memory_limit`; nil for the default.
    var memoryLimit: Int?

    /// The settings mq starts with: those of the profile that `--profile`, `MQ_PROFILE` or
    /// the config file's default names, under the flags and the environment.
    static func atStart(_ cmd: MQCommand, env: [String: String], configPath: String) throws(ConfigError) -> Resolved {
        let config = try Config.load(path: configPath)
        let name = cmd.profile ?? env["MQ_PROFILE"]
        if config == nil, let name {
            throw ConfigError(message: "no profile `\(name)`: there is no config file at \(configPath)")
        }
        return try Resolved(cmd, env: env, profile: try config?.profile(named: name), configPath: configPath)
    }

    init(_ cmd: MQCommand, env: [String: String], profile: Profile?, configPath: String) throws(ConfigError) {
        baseURL = cmd.baseUrl ?? env["MOSEND_BASE_URL"] ?? profile?.baseURL ?? "https://api.mosend.dev"
        org = cmd.org ?? env["MOSEND_ORG"] ?? profile?.org
        credentials = try Resolved.credentials(cmd, env: env, profile: profile, configPath: configPath)
        // --format was checked with the other flags: only the profile's can be wrong here.
        if let name = cmd.format ?? profile?.format {
            guard let format = OutputFormat(typed: name) else {
                throw ConfigError(message: "format `\(name)` in the profile is not one of: " + OutputFormat.names(separator: ", "))
            }
            self.format = format
        }
        concurrency = cmd.concurrency ?? profile?.concurrency ?? 8
        if let text = cmd.memoryLimit ?? profile?.memoryLimit {
            do { memoryLimit = try MQCommand.memoryLimit(text, from: cmd.memoryLimit != nil ? "--memory-limit" : "memory_limit in the profile") }
            catch { throw ConfigError(message: error.message) }
        }
    }

    /// The first of `--api-key` (`-`: a line of standard input), `--api-key-file`,
    /// `MOSEND_API_KEY`, `MOSEND_TOKEN` and the profile's key; nil when none is given.
    private static func credentials(_ cmd: MQCommand, env: [String: String], profile: Profile?,
                                    configPath: String) throws(ConfigError) -> Credentials?
    {
        if cmd.apiKey == "-" {
            return Credentials(apiKey: try KeyInput.lineFromStandardInput(), source: "--api-key - (standard input)")
        }
        if let k = cmd.apiKey { return Credentials(apiKey: k, source: "--api-key") }
        if let path = cmd.apiKeyFile { return Credentials(apiKey: try KeyInput.file(path), source: "--api-key-file \(path)") }
        if let k = env["MOSEND_API_KEY"] { return Credentials(apiKey: k, source: "MOSEND_API_KEY") }
        if let t = env["MOSEND_TOKEN"] { return Credentials(bearer: t, source: "MOSEND_TOKEN") }
        guard let profile else { return nil }
        return try credentials(of: profile, configPath: configPath)
    }

    /// `.profile NAME`: what the profile sets replaces what is in use; the rest stays.
    /// (Its format goes to the session's settings, which `.format` also changes.)
    mutating func apply(_ profile: Profile, configPath: String) throws(ConfigError) {
        if let u = profile.baseURL { baseURL = u }
        if let o = profile.org { org = o }
        if let c = try Resolved.credentials(of: profile, configPath: configPath) { credentials = c }
        if let c = profile.concurrency { concurrency = c }
    }

    /// A profile's key: `api_key`, else the output of `api_key_command`; nil when it has neither.
    static func credentials(of profile: Profile, configPath: String) throws(ConfigError) -> Credentials? {
        if let k = profile.apiKey { return Credentials(apiKey: k, source: "profile \(profile.name) in \(configPath)") }
        guard let command = profile.apiKeyCommand else { return nil }
        return Credentials(apiKey: try Config.runKeyCommand(command), source: "api_key_command of profile \(profile.name)")
    }
}

extension OutputFormat {
    /// A format as `--format` and a profile's `format` take it: any case.
    init?(typed name: String) { self.init(rawValue: name.lowercased()) }
}
