import ArgumentParser
import MQClient
import MQCore

struct MQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mq",
        abstract: "A query shell for the Mosend Reports API.",
        discussion: """
            mq --demo                   the shell, on built-in demo data
            mq                          the shell, on $MOSEND_BASE_URL and $MOSEND_ORG
            mq -c 'customers | count by category'
            mq FILE.mq [ARG…]           run a script; ARGs are $1, $2, …
            echo 'summary' | mq         statements from standard input
            In the shell: .help, and .help TOPIC for a source or a stage.
            """)

    @Option(name: .customShort("c"), help: ArgumentHelp("Run these statements (separated by ; or newlines) and exit.", valueName: "statements"))
    var command: String?

    @Option(help: "API base URL (MOSEND_BASE_URL).") var baseUrl: String?
    @Option(help: "Organization id (MOSEND_ORG).") var org: String?
    @Option(help: ArgumentHelp(
        "API key, sent as X-Api-Key (MOSEND_API_KEY). MOSEND_TOKEN is sent as Authorization: Bearer. "
            + "`-` reads one line from standard input. A key on the command line is visible to other users in ps "
            + "until mq starts and overwrites it: prefer --api-key-file, MOSEND_API_KEY or the config file.",
        valueName: "key"))
    var apiKey: String?
    @Option(help: ArgumentHelp("Read the API key from the first line of this file, which only you may read (chmod 600).",
                               valueName: "path"))
    var apiKeyFile: String?
    @Option(help: "A profile of the config file (MQ_PROFILE).") var profile: String?
    @Option(help: "Output format: \(OutputFormat.names(separator: ", ")).") var format: String?
    @Option(name: .customLong("set"), help: "A script variable, as `let NAME = VALUE`.") var sets: [String] = []
    // `.unconditional`: `--concurrency -5` takes -5 as the value, so the message says what
    // is wrong with it, not "Missing value".
    @Option(parsing: .unconditional, help: "Parallel requests for `join customer` (default 8).") var concurrency: Int?
    @Option(parsing: .unconditional, help: "Most detail requests one `join customer` may make.") var maxRequests = 1000
    @Option(help: ArgumentHelp("Memory a sort may hold before it spills to temporary files in $TMPDIR, "
                               + "as 300MB or 2GiB (default: half the machine's memory).", valueName: "size"))
    var memoryLimit: String?
    @Option(help: "A PEM file of extra trusted CAs (MQ_CA_BUNDLE).") var cacert: String?
    @Flag(help: "Do not reuse responses within the session.") var noCache = false
    @Flag(help: "Run every filter locally (the same rows, more requests).") var noPushdown = false
    @Flag(help: "Print each HTTP request to stderr.") var trace = false
    @Flag(help: "Show time and requests after each result.") var timing = false
    @Flag(help: "Plain output (also NO_COLOR).") var noColor = false
    @Flag(help: "Allow plain http:// to hosts other than loopback.") var insecureHttp = false
    @Flag(help: "Print mq's version and exit.") var version = false
    @Option(help: ArgumentHelp("Print a manual page in roff (mq or mq-language) and exit.", valueName: "page", visibility: .hidden))
    var generateManual: String?
    @Flag(help: "Run on the built-in simulator's demo data (2,000 contacts), started in-process on 127.0.0.1.")
    var demo = false

    /// Everything after the script's path is its own (`mq t.mq -30d --format x` gives $1 = -30d).
    @Argument(parsing: .captureForPassthrough, help: "A script file, then its arguments ($1, $2, …).")
    var script: [String] = []

    func validate() throws {
        if version { throw CleanExit.message(VersionText.text) }
        if let page = generateManual { throw CleanExit.message(try ManualText.page(page)) }
        if let format, OutputFormat(typed: format) == nil {
            throw ValidationError("--format must be one of: " + OutputFormat.names(separator: ", "))
        }
        for s in sets where !s.contains("=") { throw ValidationError("--set takes NAME=VALUE, not `\(s)`") }
        if let c = concurrency, c < 1 { throw ValidationError("--concurrency must be at least 1, not \(c)") }
        if maxRequests < 0 { throw ValidationError("--max-requests must be 0 or more, not \(maxRequests)") }
        if let m = memoryLimit { _ = try MQCommand.memoryLimit(m, from: "--memory-limit") }
        if command != nil && !script.isEmpty { throw ValidationError("give either -c or a script file, not both") }
        if apiKey != nil && apiKeyFile != nil { throw ValidationError("give either --api-key or --api-key-file, not both") }
        // Arguments after the script are its own; an option before it is mq's: help and
        // version, which passthrough parsing captures too, or else unknown.
        if let first = script.first, first.hasPrefix("-"), first != "-" {
            if first == "-h" || first == "--help" { throw CleanExit.helpRequest(self) }
            throw ValidationError("Unknown option '\(first)'")
        }
        // `mq report.mq --set n=5` would make `--set` and `n=5` the script's $1 and $2, and
        // the script would run with its defaults: a usage error instead.
        if let set = script.dropFirst().first(where: { $0 == "--set" || $0.hasPrefix("--set=") }) {
            throw ValidationError("`\(set)` comes after the script \(script[0]), where it would be the script's own argument; "
                + "mq's options go before the script: mq --set NAME=VALUE \(script[0])")
        }
    }
}

extension MQCommand {
    /// A memory limit as given (`300MB`), in bytes; at least 1 MB.
    static func memoryLimit(_ text: String, from origin: String) throws(ValidationError) -> Int {
        guard let bytes = ByteSize.parse(text) else {
            throw ValidationError("\(origin) takes a size such as 300MB or 2GiB, not `\(text)`")
        }
        guard bytes >= 1_000_000 else { throw ValidationError("\(origin) must be at least 1MB, not `\(text)`") }
        return bytes
    }
}
