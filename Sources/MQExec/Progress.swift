import Synchronization

/// How far the running statement has got: its source, the pages and rows read so far.
/// The sources count; a progress line (the shell's, on a terminal) reads it from another
/// thread.
public final class QueryProgress: Sendable {
    /// What is being read: `customers`, a file name, `$name`.
    public let source: String
    /// `monotonic()` when the statement started.
    public let started: Double
    /// The session's request count when the statement started.
    public let requestsAtStart: Int
    public let pages = Atomic<Int>(0)
    public let rows = Atomic<Int>(0)

    init(source: String, started: Double, requestsAtStart: Int) {
        self.source = source
        self.started = started
        self.requestsAtStart = requestsAtStart
    }

    func page(rows n: Int) {
        pages.add(1, ordering: .relaxed)
        rows.add(n, ordering: .relaxed)
    }
}

/// The statement running now, if any. `onEnd` runs, on the session's thread, as each
/// statement ends, so that a progress line is erased before anything else is printed.
public final class ProgressBoard: Sendable {
    private let current = Mutex<QueryProgress?>(nil)
    /// In a struct, not bare: see `Hook`.
    private let endHook = Mutex<Hook?>(nil)
    public init() {}

    public var progress: QueryProgress? { current.withLock { $0 } }
    public func onEnd(_ hook: @escaping @Sendable () -> Void) { endHook.withLock { $0 = Hook(call: hook) } }

    func start(_ p: QueryProgress) { current.withLock { $0 = p } }
    func end() {
        current.withLock { $0 = nil }
        endHook.withLock { $0 }?.call()
    }

    /// A closure held bare in a Mutex is re-abstracted by every `withLock` (the inout
    /// access converts it to the concrete function type and back), each time inside
    /// another thunk, so each call recursed once per earlier statement and a long session
    /// would overflow the stack. A struct field keeps the closure as it is.
    struct Hook: Sendable {
        let call: @Sendable () -> Void
    }
}
