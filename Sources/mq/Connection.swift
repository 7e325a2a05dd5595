import Foundation
import MQClient
import MQConfig
import MQCore
import MQExec
import MosendSim
import Synchronization

/// Makes the API client for the resolved settings; `.org` and `.profile` make another and
/// hand it to the session.
///
/// The progress line's thread reads the client in use (its requests in flight) while
/// `.org` replaces it on the session's task, so the client and its settings are kept
/// behind a mutex.
final class Connection: Sendable {
    let cmd: MQCommand
    let env: [String: String]
    /// The config file, which `.profile` reads again: it may have been edited meanwhile.
    let configPath: String
    let requests: RequestLog
    let demo: SimServer?

    private struct State {
        var client: MosendClient? = nil
        /// What `client` was made from; nil until a client is made.
        var resolved: Resolved? = nil
    }
    private let state = Mutex(State())

    init(cmd: MQCommand, env: [String: String], configPath: String, requests: RequestLog, demo: SimServer?) {
        self.cmd = cmd
        self.env = env
        self.configPath = configPath
        self.requests = requests
        self.demo = demo
    }

    /// The client in use (the progress line reads its activity).
    var client: MosendClient? { state.withLock { $0.client } }
    private var resolved: Resolved? { state.withLock { $0.resolved } }

    /// Makes a client for these settings and puts it in use, ending the one before.
    func connect(_ resolved: Resolved) throws(ShellError) -> (MosendClient, APIDescription) {
        guard let credentials = resolved.credentials else { throw .noAPIKey }
        guard let org = resolved.org else { throw .noOrganization }
        let client: MosendClient
        do {
            client = try MosendClient(configuration(resolved, org: org, credentials: credentials))
        } catch {
            throw ShellError(error.detail)
        }
        let requests = self.requests
        client.setTrace { requests.record($0) }
        let previous = state.withLock { s in
            defer { s = State(client: client, resolved: resolved) }
            return s.client
        }
        // Outside the lock: ending a transport joins its thread, and the progress line
        // must not wait for that.
        previous?.shutdown()
        return (client, description(of: client))
    }

    /// The client's configuration. `--concurrency` sets the fan-out and the transport's cap
    /// together, both kept under the open-file limit.
    private func configuration(_ resolved: Resolved, org: String, credentials: Credentials) -> ClientConfiguration {
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
        return config
    }

    /// What the session knows of the API besides the protocol: the URL of a request (for
    /// `explain`), the requests made (`.timing`, `.curl`) and the switch for `.trace`.
    private func description(of client: MosendClient) -> APIDescription {
        let requests = self.requests
        var describe = APIDescription(
            url: { [client] path, params in client.requestURL(path, params) },
            requestCount: { requests.total })
        describe.urls = { requests.urls(from: $0) }
        describe.curl = { [client] in client.curlCommand(url: $0) }
        describe.setTrace = { requests.setPrinting($0) }
        return describe
    }

    /// Ends the client's transport thread, at exit.
    func shutdown() { client?.shutdown() }

    /// What the shell says when it starts with no key: how to set one, and the demo.
    var noCredentialsNotice: String {
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
        let org = resolved?.org
        if let demo, let org, let o = demo.engine.organizations.first(where: { $0.id == org }) {
            return o.id == demo.engine.organizations[0].id ? "demo" : "demo:" + String(o.name.split(separator: " ").first ?? "")
        }
        return String((org ?? "").prefix(8))
    }

    /// The profile names of the config file, for completion; none when it cannot be read.
    var profileNames: [String] {
        ((try? Config.load(path: configPath)) ?? nil)?.profiles.keys.sorted() ?? []
    }

    /// `.org [ID]`.
    func switchOrg(_ id: String?, session: Session) throws(ShellError) -> String {
        var r = try current()
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
        try hand(r, to: session)
        return "org: \(r.org ?? id)"
    }

    /// `.profile [NAME]`: the profile's settings over the current ones.
    func switchProfile(_ name: String?, session: Session) throws -> String {
        guard let config = try Config.load(path: configPath) else { throw ShellError.noConfigFile(configPath) }
        guard let name else {
            return "profiles in \(configPath): " + config.profiles.keys.sorted().joined(separator: ", ")
        }
        guard let profile = try config.profile(named: name) else { throw ShellError.noProfile(name, in: configPath) }
        var r = try current()
        try r.apply(profile, configPath: configPath)
        if let format = profile.format.flatMap(OutputFormat.init(typed:)) { session.settings.format = format }
        try hand(r, to: session)
        return "profile \(profile.name): org \(r.org ?? "(none)") at \(r.baseURL)"
    }

    /// The settings in use; before any client was made, those of the flags and the
    /// environment.
    private func current() throws(ShellError) -> Resolved {
        if let r = resolved { return r }
        guard let r = try? Resolved(cmd, env: env, profile: nil, configPath: configPath) else { throw .noConnection }
        return r
    }

    /// Puts a client for `r` in use in the session, which starts a fresh cache with it.
    private func hand(_ r: Resolved, to session: Session) throws(ShellError) {
        let (client, describe) = try connect(r)
        session.connect(api: client, describe: describe)
    }
}

extension ShellError {
    static let noAPIKey = ShellError("no API key: set MOSEND_API_KEY (or --api-key, or a profile's api_key)")
    static let noOrganization = ShellError("an API key is set but no organization: pass --org or set MOSEND_ORG")
    static let noConnection = ShellError("no connection")
    static func noConfigFile(_ path: String) -> ShellError { ShellError("there is no config file at \(path)") }
    static func noProfile(_ name: String, in path: String) -> ShellError { ShellError("no profile `\(name)` in \(path)") }
}
