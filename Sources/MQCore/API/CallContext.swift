import Synchronization

/// The context of one statement's API calls: one `cancel()` stops all of them, and they
/// share one retry budget, so a statement never waits on retries for more than a minute
/// in all.
///
/// Work runs inside `run`, in a task the statement owns; cancelling the statement cancels
/// that task, and every transfer and retry sleep in it ends at once (each is bound to
/// task cancellation).
public final class CallContext: Sendable {
    private struct State {
        var cancelled = false
        var task: Task<Void, Never>? = nil
        var budget: Double
        /// The end of the latest retry wait reserved, in the caller's monotonic seconds.
        var waitedUntil = -Double.infinity
    }
    private let state: Mutex<State>

    /// - Parameter retryBudget: seconds this statement may spend waiting to retry.
    public init(retryBudget: Double = 60) {
        state = Mutex(State(budget: retryBudget))
    }

    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Seconds of retry waiting left.
    public var retryBudgetLeft: Double { state.withLock { $0.budget } }

    /// Takes a wait of `seconds` starting `now` from the retry budget if that much is
    /// left. The budget is wall time: waits that overlap (eight detail requests backing
    /// off together after one 429) are charged once, not eight times, or a modest rate
    /// limit would spend a minute of budget in eight seconds. Without `now` each wait is
    /// charged whole.
    public func spendRetryBudget(_ seconds: Double, now: Double? = nil) -> Bool {
        state.withLock { s in
            let charge: Double
            if let now {
                charge = max(0, now + seconds - max(now, s.waitedUntil))
            } else {
                charge = seconds
            }
            guard charge <= s.budget else { return false }
            s.budget -= charge
            if let now { s.waitedUntil = max(s.waitedUntil, now + seconds) }
            return true
        }
    }

    /// Cancels everything the statement runs, now and later.
    public func cancel() {
        let task = state.withLock { s -> Task<Void, Never>? in
            s.cancelled = true
            return s.task
        }
        task?.cancel()
    }

    /// Runs `body` in a task owned by this statement, so that `cancel()` reaches every
    /// call it makes. Cancelling the caller's task cancels the statement too.
    public func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let box = Mutex<Result<T, any Error>?>(nil)
        let task = Task<Void, Never> {
            let r: Result<T, any Error>
            do { r = .success(try await body()) } catch { r = .failure(error) }
            box.withLock { $0 = r }
        }
        let alreadyCancelled = state.withLock { s -> Bool in
            s.task = task
            return s.cancelled
        }
        if alreadyCancelled { task.cancel() }
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            self.cancel()
        }
        return try box.withLock { $0! }.get()
    }
}
