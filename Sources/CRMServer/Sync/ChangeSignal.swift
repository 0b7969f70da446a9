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
    /// How many changes were announced; a waiter reads it before it checks the feed.
    private var announced: UInt64 = 0
    /// The latest announcements, so a change announced between a waiter's check and its registration wakes it.
    private var recent: [(number: UInt64, people: Set<String>?)] = []
    private static let remembered = 256

    public init() {}

    /// Wakes the waiters that see records of `people` (nil: every waiter); each re-checks what it may pull.
    public func changed(people: Set<String>? = nil) {
        announced += 1
        recent.append((announced, people))
        if recent.count > Self.remembered { recent.removeFirst(recent.count - Self.remembered) }
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

    /// A mark to pass to ``next(seeing:since:within:)``: take it before checking the feed, so a change committed
    /// after the check but before the wait begins still wakes the wait.
    func mark() -> UInt64 { announced }

    /// Returns after the next change `scope` may see announced after `mark`, or after `seconds`, whichever comes
    /// first.
    func next(seeing scope: VisibilityScope, since mark: UInt64, within seconds: TimeInterval) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.register(id, scope: scope, since: mark) }
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

    private func register(_ id: UUID, scope: VisibilityScope, since mark: UInt64) async {
        await withCheckedContinuation { continuation in
            if released.remove(id) != nil || announcedSince(mark, seeing: scope) {
                continuation.resume()
            } else {
                waiters[id] = (scope, continuation)
            }
        }
    }

    /// Whether a change `scope` may see was announced after `mark` (also when that is too long ago to tell).
    private func announcedSince(_ mark: UInt64, seeing scope: VisibilityScope) -> Bool {
        guard announced > mark else { return false }
        guard let oldest = recent.first?.number, oldest <= mark + 1 else { return true }
        return recent.contains { $0.number > mark && ($0.people.map { Self.sees(scope, $0) } ?? true) }
    }

    private func release(_ id: UUID) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.continuation.resume()
        } else {
            released.insert(id)
        }
    }
}
