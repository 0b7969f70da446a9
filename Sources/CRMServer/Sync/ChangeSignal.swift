import Foundation

/// Wakes the long-polls of the users a change concerns. On a store that broadcasts (PostgreSQL's LISTEN/NOTIFY)
/// changes committed by every server process arrive here; otherwise changes from other processes (admin
/// commands) are found by the waiters' own re-checks.
public actor ChangeSignal {
    private var waiters: [UUID: (user: String, continuation: CheckedContinuation<Void, Never>)] = [:]
    /// Waits released before they registered (the timeout won the race).
    private var released: Set<UUID> = []

    public init() {}

    /// Wakes the waiters of `users` (nil: every waiter); each re-checks whether the change concerns it.
    public func changed(users: Set<String>? = nil) {
        for (id, waiter) in waiters where users?.contains(waiter.user) ?? true {
            waiters[id] = nil
            waiter.continuation.resume()
        }
    }

    /// How many long-polls wait now.
    public var waiting: Int { waiters.count }

    /// Returns after the next change that concerns `user`, or after `seconds`, whichever comes first.
    func next(for user: String, within seconds: TimeInterval) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.register(id, user: user) }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                await self.release(id)
            }
            await group.next()
            group.cancelAll()
            self.release(id)
            await group.waitForAll()
            self.released.remove(id)
        }
    }

    private func register(_ id: UUID, user: String) async {
        await withCheckedContinuation { continuation in
            if released.remove(id) != nil {
                continuation.resume()
            } else {
                waiters[id] = (user, continuation)
            }
        }
    }

    private func release(_ id: UUID) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.continuation.resume()
        } else {
            released.insert(id)
        }
    }
}
