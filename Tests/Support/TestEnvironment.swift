import Foundation

/// The environment of a process the tests start (`mq`, a script that runs it, the tmux
/// server of the shell tests): this process's own, less every variable through which a
/// developer's set-up would change what mq does, so that a test sees the same mq on every
/// machine. The one copy of what `CLITests.mq`, `Spawned`, `ExamplesTests` and
/// `KeyArgumentTests` each wrote (the examples' copy alone also dropped `MQ_CA_BUNDLE` and
/// the config file), now also used where nothing was scrubbed: the tmux server of the
/// shell tests, `LocalWorkTests`, the closed-pipe test and the simulator's walkthrough.
///
/// What goes, and why (`removed`, `replaced`); `TestEnvironmentTests` checks that every
/// variable mq's sources read is in one of them or in `inherited`, so a new setting cannot
/// leak in from the developer's shell unnoticed.
public enum TestEnvironment {
    /// Variables dropped from the inherited environment, each with why.
    public static let removed: KeyValuePairs<String, String> = [
        "MOSEND_BASE_URL": "the server (flag > environment > profile): a developer's would send a test that names no simulator to a real API",
        "MOSEND_ORG": "the org: half a developer's connection mixed with a test's simulator gives 404s that are not the test's",
        "MOSEND_API_KEY": "a real key must never reach a test's mq (its output is compared, logged, searched for secrets)",
        "MOSEND_TOKEN": "a bearer token, the key's alternative: the same, and it would mask a test that expects no credentials",
        "MQ_PROFILE": "picks a profile of the config file, which brings its base URL, org, key and format",
        "MQ_CA_BUNDLE": "the CA file for HTTPS: a developer's would replace the system's CAs in any test that reaches an https URL",
        "MQ_NOW": "pins mq's clock: a developer's would move every relative date (`today`, `-7d`) of a test that does not pin it",
        "NO_COLOR": "turns colour off: the shell tests look for colour on a terminal, and set NO_COLOR themselves where they mean it",
        "COLUMNS": "the table width when stdout is not a terminal: a developer's would wrap the tables the tests compare",
    ]

    /// Where the config file is looked for (`$XDG_CONFIG_HOME/mq/config.toml`): a path
    /// under /dev/null, which cannot exist, so no config file is read unless a test writes
    /// one and points `XDG_CONFIG_HOME` at it. Unset, it would fall back to
    /// `~/.config/mq/config.toml`, whose `default_profile` applies without `MQ_PROFILE`.
    public static let noConfigDirectory = "/dev/null/mq-tests-no-config"

    /// Variables set to a value of the tests' choosing whatever the developer has, with why.
    public static let replaced: KeyValuePairs<String, String> = [
        "XDG_CONFIG_HOME": "the config file's directory, set to `noConfigDirectory`: no developer's profile applies",
    ]

    /// Variables mq reads that are inherited on purpose, with why.
    public static let inherited: KeyValuePairs<String, String> = [
        "HOME": "`~` in paths, and the config directory only when XDG_CONFIG_HOME is unset, which it never is here",
        "XDG_STATE_HOME": "the shell's history, written only interactively: the shell tests set it to a fresh directory",
        "PAGER": "used only when stdout is a terminal: the shell tests set it (`cat` unless a test says otherwise)",
        "PATH": "where the pager (less) and the tests' scripts find their programs: the machine's own",
        "TMPDIR": "where a sort past --memory-limit writes its runs (unlinked at once): the machine's own; the spill tests set their own",
    ]

    /// `base` (this process's environment) less `removed`, with `replaced`; pointed at
    /// `sim`'s first org when given (base URL, org and API key); then `extra`, which wins.
    public static func clean(
        sim: SimProcess? = nil, _ extra: [String: String] = [:],
        base: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var env = base
        for (name, _) in removed { env[name] = nil }
        env["XDG_CONFIG_HOME"] = noConfigDirectory
        if let sim {
            env["MOSEND_BASE_URL"] = sim.url
            env["MOSEND_ORG"] = sim.orgs[0].id
            env["MOSEND_API_KEY"] = sim.orgs[0].apiKey
        }
        return env.merging(extra) { $1 }
    }

    /// `env` as a C `envp` for posix_spawn: NAME=value strings and a nil. Free each with `free`.
    public static func cStrings(_ env: [String: String]) -> [UnsafeMutablePointer<CChar>?] {
        env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    }
}
