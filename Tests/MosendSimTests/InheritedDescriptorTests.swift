import Foundation
import MQTestSupport
import Testing

/// mosend-sim lives as long as the tests that started it, so it must not keep what it
/// inherited by accident: a pipe or socket of a sibling started at the same moment
/// (Foundation's Process leaks them), whose parent then waits for an end that never
/// comes. Regression: the suite hung in Process.waitUntilExit of examples/sim-walkthrough.sh
/// while a simulator started beside it held the script's status socket.
@Suite struct InheritedDescriptorTests {
    @Test func theSimulatorClosesInheritedPipesAndSockets() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Our stdin pipe keeps the simulator alive (--exit-on-eof); its write end stays here.
        var stdinPipe: [Int32] = [0, 0]
        #expect(pipe(&stdinPipe) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else is closed: the child inherits `writeEnd`, as a leaked descriptor is.
        let argv = [SimProcess.binary, "--contacts", "10", "--orgs", "1", "--exit-on-eof"]
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, SimProcess.binary, &actions, nil, &cargs, environ) == 0)
        defer {
            kill(pid, SIGTERM)
            close(stdinPipe[1])
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(stdinPipe[0])
        close(writeEnd)
        // Once the simulator has closed its copy, nobody holds the write end: EOF.
        var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 20_000)
        var byte: UInt8 = 0
        #expect(ready == 1 && read(readEnd, &byte, 1) == 0, "the simulator still holds an inherited pipe")
        close(readEnd)
        #expect(kill(pid, 0) == 0, "and it is running")
    }
}
