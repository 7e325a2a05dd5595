import Foundation
import MQExec

/// Results on a terminal, through `$PAGER` (default `less -FRX`) when they are taller than
/// the screen (`.pager auto`), always (`on`) or never (`off`). A statement's output is
/// held until it passes the screen's height; then the pager starts and gets everything.
/// `flush()` marks the statement's end: short output is written as is, and a pager is
/// waited for, so the prompt comes back after it.
final class PagerSink: FlushableSink {
    let terminal: StdoutSink
    /// mq's environment, for `$PAGER` and `$PATH`.
    let environment: [String: String]
    var mode: () -> PagerMode = { .auto }
    private var held: [UInt8] = []
    private var lines = 0
    private var pager: (pid: pid_t, fd: Int32)? = nil
    /// The pager quit before the end (`q` in less): the rest of the statement is dropped.
    private var pagerGone = false

    init(terminal: StdoutSink, environment: [String: String]) {
        self.terminal = terminal
        self.environment = environment
    }

    func write(_ bytes: [UInt8]) throws {
        if pagerGone { throw OutputClosed() }
        if let p = pager { return try send(bytes, to: p.fd) }
        let m = mode()
        if m == .off { return try terminal.write(bytes) }
        held.append(contentsOf: bytes)
        lines += bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        // After Ctrl-C the partial rows go straight to the screen: the prompt is due back.
        if m == .on || lines >= PagerSink.screenRows() - 1, !interrupted.load(ordering: .relaxed),
           let started = PagerSink.startPager(environment: environment)
        {
            pager = started
            let all = held
            held.removeAll()
            try send(all, to: started.fd)
        }
    }

    func flush() throws {
        if let p = pager {
            close(p.fd)
            var status: Int32 = 0
            while waitpid(p.pid, &status, 0) < 0 && errno == EINTR {}
            pager = nil
        } else if !held.isEmpty {
            let all = held
            held.removeAll()
            try terminal.write(all)
        }
        lines = 0
        pagerGone = false
        try terminal.flush()
    }

    private func send(_ bytes: [UInt8], to fd: Int32) throws {
        if StandardDescriptors.writeAll(fd, bytes) != nil {
            pagerGone = true
            throw OutputClosed()  // the statement stops fetching; the REPL goes on
        }
    }

    /// The terminal's height; 24, the VT100's, when it does not say.
    static func screenRows() -> Int { Terminal.size(1)?.rows ?? 24 }

    /// `$PAGER` through the shell, or `less -FRX` when it is installed; nil when there is
    /// no pager to run (the output then goes to the terminal).
    static func startPager(environment env: [String: String]) -> (pid: pid_t, fd: Int32)? {
        let command: String
        if let p = env["PAGER"], !p.trimmingCharacters(in: .whitespaces).isEmpty {
            command = p
        } else if let path = env["PATH"], path.split(separator: ":").contains(where: { access("\($0)/less", X_OK) == 0 }) {
            command = "less -FRX"
        } else {
            return nil
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addclose(&actions, fds[0])
        // The pager gets the terminal's SIGINT as usual; mq's handler is not inherited.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ["/bin/sh", "-c", command]
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, &cargs, environ)
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            return nil
        }
        return (pid, fds[1])
    }
}
