import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` for the `mq` target: the git commit the build is of, with
/// `+changes` when the work tree differs from it, or `unknown` outside a git checkout, so
/// that `mq --version` names what it was built from. A prebuild command runs on every
/// build; the file is rewritten only when its text changes, so an unchanged commit
/// recompiles nothing.
@main struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = #"""
            set -u
            mkdir -p "$2"
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            if [ "$commit" != unknown ] && ! git -C "$1" diff --quiet HEAD -- 2>/dev/null; then commit="$commit+changes"; fi
            text="/// Written by the BuildInfo plugin (Plugins/BuildInfo).
            let mqCommit = \"$commit\""
            [ "$(cat "$2/BuildInfo.swift" 2>/dev/null)" = "$text" ] || printf '%s\n' "$text" > "$2/BuildInfo.swift"
            """#
        return [
            .prebuildCommand(
                displayName: "mq build info (git commit)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, out.path],
                outputFilesDirectory: out)
        ]
    }
}
