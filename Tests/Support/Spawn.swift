import Foundation

/// What a child process of the tests must not inherit: anything but its stdin, stdout and
/// stderr.
///
/// Foundation's Process learns that a child ended when the child's end of a status socket
/// closes, and its pipes and that socket are not close-on-exec: a process spawned on
/// another thread at the same moment can inherit them. When that process lives long (a
/// simulator kept for the whole run), the first child's end is never noticed and
/// `waitUntilExit` waits forever; the suite hung so in examples/sim-walkthrough.sh.
/// Children spawned with `closeOthers` inherit nothing.
public enum Spawn {
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34, Debian 12 has 2.36), looked up
    /// at run time: Swift's Glibc module does not import it.
    nonisolated(unsafe) private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Adds, after whatever `actions` already dup2s onto 0, 1 and 2, "close every
    /// descriptor from 3 up".
    public static func closeOthers(_ actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom {
            _ = addCloseFrom(&actions, 3)
            return
        }
        // Without it: each descriptor open now (a descriptor opened between this and the
        // spawn can still slip through, as with Foundation).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 2 && fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    /// glibc's pipe2, which Swift's Glibc module does not import either.
    nonisolated(unsafe) private static let pipe2: Pipe2? = {
        guard let symbol = dlsym(nil, "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()

    /// A pipe whose ends are close-on-exec here, from the start; `adddup2` in a child's
    /// file actions clears the flag on the copy it makes.
    public static func pipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            _ = pipe2(&fds, O_CLOEXEC)
        } else {
            _ = Glibc.pipe(&fds)
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        return (fds[0], fds[1])
    }
}
