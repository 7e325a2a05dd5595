import Foundation
import MQClient
import MQConfig
import MQCore

/// Flags, environment and the config profile merged: flag > environment > profile > default.
struct Resolved {
    var baseURL: String
    var org: String?
    var credentials: Credentials?
    var format: String?
    var concurrency: Int

    init(_ cmd: MQCommand, env: [String: String], profile: Profile?, configPath: String) throws(ConfigError) {
        baseURL = cmd.baseUrl ?? env["MOSEND_BASE_URL"] ?? profile?.baseURL ?? "https://api.mosend.dev"
        org = cmd.org ?? env["MOSEND_ORG"] ?? profile?.org
        if cmd.apiKey == "-" {
            credentials = Credentials(apiKey: try KeyInput.lineFromStandardInput(), source: "--api-key - (standard input)")
        } else if let k = cmd.apiKey {
            credentials = Credentials(apiKey: k, source: "--api-key")
        } else if let path = cmd.apiKeyFile {
            credentials = Credentials(apiKey: try KeyInput.file(path), source: "--api-key-file \(path)")
        } else if let k = env["MOSEND_API_KEY"] {
            credentials = Credentials(apiKey: k, source: "MOSEND_API_KEY")
        } else if let t = env["MOSEND_TOKEN"] {
            credentials = Credentials(bearer: t, source: "MOSEND_TOKEN")
        } else if let p = profile, let k = p.apiKey {
            credentials = Credentials(apiKey: k, source: "profile \(p.name) in \(configPath)")
        } else if let p = profile, let command = p.apiKeyCommand {
            credentials = Credentials(apiKey: try Config.runKeyCommand(command), source: "api_key_command of profile \(p.name)")
        }
        format = cmd.format ?? profile?.format
        concurrency = cmd.concurrency ?? profile?.concurrency ?? 8
    }
}
