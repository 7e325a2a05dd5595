import Foundation
import MQTestSupport
import Testing

/// The simulators the tests start live for the whole run, so they must hold no other
/// process's descriptors: one holding a sibling's pipe or Foundation's status socket
/// makes its parent wait forever (the suite hung so in examples/sim-walkthrough.sh).
@Suite struct SimProcessTests {
    @Test func aSimulatorInheritsNoDescriptorOfOurs() throws {
        // An ordinary pipe, not close-on-exec: what Foundation's Process leaves open.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let sim = try SimProcess(["--contacts", "10", "--orgs", "1"])
        defer { sim.stop() }
        close(fds[1])
        // Nobody else holds the write end: EOF at once.
        var pfd = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        var byte: UInt8 = 0
        #expect(poll(&pfd, 1, 10_000) == 1 && read(fds[0], &byte, 1) == 0, "the simulator holds our pipe")
        close(fds[0])
        #expect(kill(sim.pid, 0) == 0, "and it is running")
        // Beyond its stdin, stdout and stderr, nothing it holds is also open here.
        func targets(_ pid: Int32, above: Int32) -> Set<String> {
            let dir = "/proc/\(pid)/fd"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return Set(names.compactMap { n -> String? in
                guard let fd = Int32(n), fd > above else { return nil }
                return try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + n)
            }.filter { $0.hasPrefix("pipe:") || $0.hasPrefix("socket:") })
        }
        let shared = targets(sim.pid, above: 2).intersection(targets(getpid(), above: -1))
        #expect(shared.isEmpty, "\(shared)")
    }
}
