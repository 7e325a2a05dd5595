import Foundation

// A Task on the main actor, then exit with the session's status: ArgumentParser's
// AsyncParsableCommand would map errors to its own exit codes, and cli.md fixes ours.
let status = await runMain()
exit(status)
