import CEdit
import CEditShim
import Foundation
import MQCore
import MQExec
import MQSyntax
import Synchronization

#if canImport(Glibc)
/// glibc's `malloc_trim` (malloc.h, which the Glibc module does not export).
@_silgen_name("malloc_trim") func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// What Tab completes against while readline runs: a snapshot of the session's completer
/// and the continuation lines typed before the current one. libedit's callbacks are C
/// functions that cannot capture, so they read it from here.
struct CompletionState: @unchecked Sendable {
    var completer = Completer()
    var pending = ""
    var candidates: [String] = []
}
let completionState = Mutex(CompletionState())

/// rl_attempted_completion_function: the candidates for the word that ends at `end`.
private let attemptCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
    mq_rl_set_completion_over(1)  // never fall back to libedit's own file-name completion
    let word = text.map { String(cString: $0) } ?? ""
    let line = mq_rl_line_buffer().map { String(cString: $0) } ?? ""
    let before = String(line.prefix(Int(start)))
    let result = completionState.withLock { state -> Completer.Result in
        let r = state.completer.complete(before: state.pending.isEmpty ? before : state.pending + "\n" + before, word: word)
        state.candidates = r.candidates
        return r
    }
    guard !result.candidates.isEmpty else { return nil }
    mq_rl_set_completion_append(Int32(result.append?.asciiValue ?? 0))
    return mq_rl_completion_matches(text, completionGenerator)
}

/// rl_completion_matches' generator: one candidate per call, strdup'ed, then NULL.
private let completionGenerator: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, state in
    completionState.withLock { s in
        Int(state) < s.candidates.count ? strdup(s.candidates[Int(state)]) : nil
    }
}

/// The interactive shell: libedit's readline, one statement (or several) per input, with
/// continuation lines while the parser says the statement is incomplete.
///
/// Ctrl-C follows platform-notes.md: libedit must not catch signals (it would re-send
/// SIGINT to the whole process group); a sigaction handler without SA_RESTART sets a
/// flag, so readline returns NULL with EINTR at the prompt ("clear the line"), and during
/// a statement a watcher cancels the statement's task, which stops its transfers.
struct Repl {
    let session: Session
    /// `demo`, or the org's id (it changes with `.org` and `.profile`).
    let promptName: () -> String
    let historyPath: String
    /// The secrets in use (an API key's secret part, a token): a line holding one is not
    /// kept in history, whatever it looks like.
    var secrets: () -> [String] = { [] }

    static let historyLimit = 5000

    func run() async -> Int32 {
        Interrupts.install(exitOnSecond: false)
        mq_rl_configure("mq", nil)
        if isatty(1) == 0 { mq_rl_output_to_stderr() }
        mq_rl_set_completion(attemptCompletion)
        mq_history_stifle(Int32(Repl.historyLimit))
        _ = mq_history_read(historyPath)
        defer { saveHistory() }
        session.hooks.history = {
            (0..<Int(mq_history_length())).compactMap { mq_history_get(Int32($0)).map { String(cString: $0) } }
        }
        var buffer = ""
        while true {
            interrupted.store(false, ordering: .relaxed)
            let completer = session.completer()
            completionState.withLock {
                $0.completer = completer
                $0.pending = buffer
            }
            let name = promptName()
            let prompt = name.isEmpty ? "mq> " : "mq \(name)> "
            let (raw, interruptedAtPrompt) = await readLine(
                buffer.isEmpty ? prompt : String(repeating: " ", count: max(0, prompt.count - 5)) + "...> ")
            guard let line = raw else {
                if interruptedAtPrompt {
                    // Ctrl-C at the prompt: drop the line (and any continuation), prompt again.
                    writeStderr("^C\n")
                    buffer = ""
                    continue
                }
                writeStderr("\n")
                return 0  // Ctrl-D
            }
            buffer += buffer.isEmpty ? line : "\n" + line
            if buffer.trimmingCharacters(in: .whitespaces).isEmpty {
                buffer = ""
                continue
            }
            if Parser.completeness(of: buffer) == .incomplete { continue }
            remember(buffer)
            let input = buffer
            buffer = ""
            await runInterruptibly(input)
            // The meta-command table says which command ends the session (`.quit`).
            if session.exitRequested { return 0 }
        }
    }

    /// readline on a thread of its own: it blocks, and the cooperative pool (two threads
    /// here) must stay free for the query and the demo server. Returns the line, or nil
    /// and whether Ctrl-C (rather than Ctrl-D) ended it.
    func readLine(_ prompt: String) async -> (String?, Bool) {
        await withCheckedContinuation { (c: CheckedContinuation<(String?, Bool), Never>) in
            Thread.detachNewThread {
                // Threads made from the cooperative pool inherit its mask, which blocks
                // every signal; this one must take SIGINT for read() to return EINTR.
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, SIGINT)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                readingThread.store(UInt(pthread_self()), ordering: .relaxed)
                errno = 0
                let raw = readline(prompt)
                let intr = errno == EINTR || interrupted.load(ordering: .relaxed)
                readingThread.store(0, ordering: .relaxed)
                guard let raw else { return c.resume(returning: (nil, intr)) }
                let line = String(cString: raw)
                free(raw)
                c.resume(returning: (line, false))
            }
        }
    }

    /// Runs the input in a task that Ctrl-C cancels; the prompt comes back either way.
    func runInterruptibly(_ input: String) async {
        session.resumeOutput()
        // The window may have been resized since the last statement: tables and charts
        // fit the width it has now (psql asks each time too).
        if let columns = Terminal.columns() { session.settings.width = columns }
        if await Interrupts.run(session, SourceText(input, name: "<stdin>")).interrupted {
            writeStderr("interrupted; the rows fetched so far are in `.last`\n")
        }
        // A statement's pages and rows are freed, but long-lived small blocks (the request
        // log, the cache) pin the heap pages around them, and the shell's RSS crept up
        // ~13 KB a statement with 8 MB live (scripts/soak, heaptrack). Handing free pages
        // back at the prompt keeps it flat; it takes well under a millisecond.
        #if canImport(Glibc)
        _ = glibcMallocTrim(0)
        #endif
    }

    /// History keeps what was typed, but not a line that starts with a space, that looks
    /// as if it holds a key, or that holds the secret in use (pasted without its prefix).
    func remember(_ input: String) {
        guard !input.hasPrefix(" ") else { return }
        for secret in ["mk_live_", "mk_test_", "Bearer "] where input.contains(secret) { return }
        for secret in secrets() where secret.count >= 8 && input.contains(secret) { return }
        _ = mq_history_add(input)
    }

    /// Written to a temporary file and renamed into place, mode 0600.
    func saveHistory() {
        let dir = (historyPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let tmp = historyPath + ".tmp-\(getpid())"
        guard mq_history_write(tmp) == 0 else { return }
        chmod(tmp, 0o600)
        rename(tmp, historyPath)
    }

    static func path(environment env: [String: String]) -> String {
        let base = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return base + "/mq/history"
    }

}
