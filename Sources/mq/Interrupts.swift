import Foundation
import MQCore
import MQExec
import MQSyntax
import Synchronization

/// Set by the SIGINT handler; read by the prompt loop and the statement watcher.
let interrupted = Atomic<Bool>(false)
/// The thread blocked in readline (0: none). SIGINT may land on any thread; the handler
/// forwards it there, so that readline's read() returns with EINTR.
let readingThread = Atomic<UInt>(0)
/// Outside the shell a second Ctrl-C ends mq at once (the first one stops the statement
/// and lets it print what it has).
let exitOnSecondInterrupt = Atomic<Bool>(false)

/// Ctrl-C, the same way in the shell and in `-c`, scripts and stdin: the running
/// statement's task is cancelled, which stops its transfers; rows already fetched are
/// shown (marked partial) and kept for `.last`.
///
/// The handler follows platform-notes.md: sigaction without SA_RESTART, so that readline
/// returns on Ctrl-C; only async-signal-safe calls inside it.
enum Interrupts {
    static func install(exitOnSecond: Bool) {
        exitOnSecondInterrupt.store(exitOnSecond, ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            if exitOnSecondInterrupt.load(ordering: .relaxed), interrupted.load(ordering: .relaxed) { _exit(130) }
            interrupted.store(true, ordering: .relaxed)
            let reader = readingThread.load(ordering: .relaxed)
            if reader != 0, reader != UInt(pthread_self()) { pthread_kill(pthread_t(reader), SIGINT) }
        }
        action.sa_flags = 0  // no SA_RESTART: readline must return on Ctrl-C
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
    }

    /// Runs the statements in a task that Ctrl-C cancels. Returns their status and whether
    /// Ctrl-C stopped them.
    static func run(_ session: Session, _ source: SourceText) async -> (status: Int32, interrupted: Bool) {
        interrupted.store(false, ordering: .relaxed)
        nonisolated(unsafe) let s = session
        let task = Task { await s.run(source) }
        let watcher = Task.detached {
            while !Task.isCancelled {
                if interrupted.load(ordering: .relaxed) {
                    task.cancel()
                    return
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let status = await task.value
        watcher.cancel()
        return (status, interrupted.load(ordering: .relaxed))
    }
}
