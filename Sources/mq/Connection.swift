import Foundation
import MQClient
import MQConfig
import MQCore
import MQExec
import MosendSim

/// Makes the API client for a resolved configuration; `.org` and `.profile` make another.
final class Connection: @unchecked Sendable {
    let cmd: MQCommand
    let env: [String: String]
    let requests: RequestLog
    let demo: SimServer?
    /// The client in use (the progress line reads its activity).
    private(set) var client: MosendClient? = nil
    private(set) var resolved: Resolved? = nil

    init(cmd: MQCommand, env: [String: String], requests: RequestLog, demo: SimServer?) {
        self.cmd = cmd
        self.env = env
        self.requests = requests
        self.demo = demo
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func connect(_ resolved: Resolved) throws -> (MosendClient, APIDescription) {
        guard let credentials = resolved.credentials else {
            throw Failure(description: "no API key: set MOSEND_API_KEY (or --api-key, or a profile's api_key)")
        }
        guard let org = resolved.org else {
            throw Failure(description: "an API key is set but no organization: pass --org or set MOSEND_ORG")
        }
        var config = ClientConfiguration(baseURL: resolved.baseURL, orgId: org, credentials: credentials)
        // Past the open-file limit, connections would fail as "could not connect".
        let room = OpenFiles.requestRoom(socketsPerRequest: demo == nil ? 1 : 2)
        if resolved.concurrency > room {
            writeStderr("mq: --concurrency \(resolved.concurrency) needs more open files than this process may have "
                + "(ulimit -n \(OpenFiles.limit)); \(room) requests will run at once\n")
        }
        config.concurrency = min(resolved.concurrency, room)
        // The transport caps requests in flight for the whole process (8 by default): a
        // larger --concurrency raises the cap with it, or the flag would stop at 8 unseen.
        config.transport.maxInFlight = min(max(config.transport.maxInFlight, config.concurrency), room)
        config.insecureHTTP = cmd.insecureHttp
        config.transport.caBundle = cmd.cacert ?? env["MQ_CA_BUNDLE"]
        let client: MosendClient
        do {
            client = try MosendClient(config)
        } catch {
            throw Failure(description: error.detail)
        }
        let requests = self.requests
        client.setTrace { requests.record($0) }
        let base = resolved.baseURL.hasSuffix("/") ? String(resolved.baseURL.dropLast()) : resolved.baseURL
        let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let orgPath = "/organizations/" + (org.addingPercentEncoding(withAllowedCharacters: unreserved) ?? org) + "/reports"
        var describe = APIDescription(
            url: { path, params in
                let q = params.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? $0.1)" }
                    .joined(separator: "&")
                return base + orgPath + path + (q.isEmpty ? "" : "?" + q)
            },
            requestCount: { requests.total })
        describe.urls = { requests.urls(from: $0) }
        describe.curl = { [client] in client.curlCommand(url: $0) }
        describe.setTrace = { requests.setPrinting($0) }
        self.client?.shutdown()
        self.client = client
        self.resolved = resolved
        return (client, describe)
    }

    /// What the shell says when it starts with no key: how to set one, and the demo.
    static func noCredentials(configPath: String) -> String {
        """
        mq: no API key is set, so only local files can be queried (from "export.csv").
          To query your org:  export MOSEND_API_KEY=mk_live_…  MOSEND_ORG=<org id>
                              (or a profile in \(configPath), then --profile NAME)
          To try mq first:    mq --demo   (built-in demo data, no key needed)

        """
    }

    /// The secret of the credentials in use, for the shell to keep out of its history.
    var secrets: [String] { resolved?.credentials.map { [$0.secret] } ?? [] }

    /// The prompt's name for the org: `demo`, or the start of its id.
    var promptName: String {
        if let demo, let org = resolved?.org, let o = demo.engine.organizations.first(where: { $0.id == org }) {
            return o.id == demo.engine.organizations[0].id ? "demo" : "demo:" + String(o.name.split(separator: " ").first ?? "")
        }
        return String((resolved?.org ?? "").prefix(8))
    }

    /// `.org [ID]`.
    func switchOrg(_ id: String?, session: Session) throws -> String {
        guard var r = resolved ?? (try? Resolved(cmd, env: env, profile: nil, configPath: "")) else {
            throw Failure(description: "no connection")
        }
        guard let id else {
            var text = "org: \(r.org ?? "(none)") at \(r.baseURL)"
            if let demo {
                text += "\ndemo orgs:"
                for o in demo.engine.organizations { text += "\n  \(o.id)  \(o.name)" }
            }
            return text
        }
        r.org = id
        // On the demo server each org has its own key: use it.
        if let demo, let o = demo.engine.organizations.first(where: { $0.id == id || $0.name.lowercased().hasPrefix(id.lowercased()) }) {
            r.org = o.id
            r.credentials = Credentials(apiKey: o.apiKey, source: "the demo")
        }
        let (client, describe) = try connect(r)
        session.connect(api: client, describe: describe)
        return "org: \(r.org!)"
    }

    /// `.profile [NAME]`: the profile's settings over the current ones.
    func switchProfile(_ name: String?, session: Session) throws -> String {
        let path = Config.defaultPath(environment: env)
        let config: Config?
        do { config = try Config.load(path: path) } catch { throw Failure(description: "\(error)") }
        guard let config else { throw Failure(description: "there is no config file at \(path)") }
        guard let name else {
            return "profiles in \(path): " + config.profiles.keys.sorted().joined(separator: ", ")
        }
        let profile: Profile?
        do { profile = try config.profile(named: name) } catch { throw Failure(description: "\(error)") }
        guard let p = profile else { throw Failure(description: "no profile `\(name)` in \(path)") }
        guard var r = resolved ?? (try? Resolved(cmd, env: env, profile: nil, configPath: path)) else {
            throw Failure(description: "no connection")
        }
        do { try r.apply(p, configPath: path) } catch { throw Failure(description: "\(error)") }
        if let f = p.format, let format = OutputFormat(typed: f) { session.settings.format = format }
        let (client, describe) = try connect(r)
        session.connect(api: client, describe: describe)
        return "profile \(p.name): org \(r.org ?? "(none)") at \(r.baseURL)"
    }
}
