import Foundation

/// Wakes long-polls when this process commits a change. Changes committed by other processes (admin
/// commands, other servers) are found by the waiters' own re-checks, which run at least every second.
public actor ChangeSignal {
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    /// Waits released before they registered (the timeout won the race).
    private var released: Set<UUID> = []

    public init() {}

    /// Wakes every waiter; each re-checks whether the change concerns it.
    public func changed() {
        let woken = waiters
        waiters = [:]
        for continuation in woken.values { continuation.resume() }
    }

    /// Returns after the next change, or after `seconds`, whichever comes first.
    func next(within seconds: TimeInterval) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.register(id) }
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

    private func register(_ id: UUID) async {
        await withCheckedContinuation { continuation in
            if released.remove(id) != nil {
                continuation.resume()
            } else {
                waiters[id] = continuation
            }
        }
    }

    private func release(_ id: UUID) {
        if let continuation = waiters.removeValue(forKey: id) {
            continuation.resume()
        } else {
            released.insert(id)
        }
    }
}
