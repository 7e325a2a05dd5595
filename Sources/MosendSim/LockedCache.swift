import Synchronization

/// A small thread-safe memo table. When full it forgets everything: the simulator's
/// working set (a handful of windows per test or benchmark) is far below the capacity,
/// so an LRU would buy nothing but code.
final class LockedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let storage = Mutex<[Key: Value]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The cached value, or `make()`'s, computed outside the lock (two racing callers may
    /// both compute it; both get an equal value).
    func value(for key: Key, _ make: () -> Value) -> Value {
        if let v = storage.withLock({ $0[key] }) { return v }
        let v = make()
        storage.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[key] = v
        }
        return v
    }
}
