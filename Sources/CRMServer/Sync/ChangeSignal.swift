import CRMStore
import Foundation

/// Wakes the long-polls that may see a change: each waits with its caller's visibility scope (the same one its
/// reads use), and a change names the people of the records written (owners and team members, before and
/// after), so a waiter is woken when its scope holds one of them. On a store that broadcasts (PostgreSQL's LISTEN/NOTIFY)
/// changes committed by every server process arrive here; otherwise changes from other processes (admin
/// commands) are found by the waiters' own re-checks.
public actor ChangeSignal {
    private var waiters: [UUID: (scope: VisibilityScope, continuation: CheckedContinuation<Void, Never>)] = [:]
    /// Waits released before they registered (the timeout won the race).
    private var released: Set<UUID> = []

    public init() {}

    /// Wakes the waiters that see records of `people` (nil: every waiter); each re-checks what it may pull.
    public func changed(people: Set<String>? = nil) {
        for (id, waiter) in waiters where people.map({ Self.sees(waiter.scope, $0) }) ?? true {
            waiters[id] = nil
            waiter.continuation.resume()
        }
    }

    static func sees(_ scope: VisibilityScope, _ people: Set<String>) -> Bool {
        switch scope {
        case .all: true
        case .users(let users): !users.isDisjoint(with: people)
        }
    }

    /// How many long-polls wait now.
    public var waiting: Int { waiters.count }

    /// Returns after the next change `scope` may see, or after `seconds`, whichever comes first.
    func next(seeing scope: VisibilityScope, within seconds: TimeInterval) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.register(id, scope: scope) }
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

    private func register(_ id: UUID, scope: VisibilityScope) async {
        await withCheckedContinuation { continuation in
            if released.remove(id) != nil {
                continuation.resume()
            } else {
                waiters[id] = (scope, continuation)
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
