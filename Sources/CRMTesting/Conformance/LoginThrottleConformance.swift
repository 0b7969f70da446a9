import CRMStore
import Foundation
import Testing

/// What every `LoginThrottleStore` does, with explicit clocks (no test sleeps): failures counted per key within
/// a window, locks doubling up to a maximum, and no failure lost when servers count at once.
public struct LoginThrottleConformance: Sendable {
    public let store: any LoginThrottleStore

    public init(store: any LoginThrottleStore) {
        self.store = store
    }

    private typealias F = AccountsFixture
    static let policy = ThrottlePolicy(maxFailures: 3, window: 600, lock: 10, maxLock: 60)
    static let keys = ["user:alice", "addr:192.0.2.1"]

    public func failuresBelowTheLimitDoNotLock() async throws {
        for second in 0..<2 {
            let until = try await store.recordFailure(keys: Self.keys, now: F.time(second), policy: Self.policy)
            #expect(until == nil)
        }
        #expect(try await store.lockedUntil(keys: Self.keys, now: F.time(2)) == nil)
    }

    public func reachingMaxFailuresLocksForTheLockPeriod() async throws {
        for second in 0..<2 {
            _ = try await store.recordFailure(keys: Self.keys, now: F.time(second), policy: Self.policy)
        }
        let until = try await store.recordFailure(keys: Self.keys, now: F.time(2), policy: Self.policy)
        #expect(until == F.time(12))
        #expect(try await store.lockedUntil(keys: Self.keys, now: F.time(2)) == F.time(12))
        #expect(try await store.lockedUntil(keys: ["user:alice"], now: F.time(11)) == F.time(12))
        #expect(try await store.lockedUntil(keys: Self.keys, now: F.time(12)) == nil)
        #expect(try await store.lockedUntil(keys: ["user:bob"], now: F.time(5)) == nil)
        #expect(try await store.lockedUntil(keys: [], now: F.time(5)) == nil)
    }

    public func furtherFailuresDoubleTheLockUpToTheMaximum() async throws {
        var locks: [TimeInterval?] = []
        for second in 0..<8 {
            let now = F.time(second * 50)
            let until = try await store.recordFailure(keys: ["user:alice"], now: now, policy: Self.policy)
            locks.append(until.map { $0.timeIntervalSince(now) })
        }
        #expect(locks == [nil, nil, 10, 20, 40, 60, 60, 60])
    }

    public func failuresOutsideTheWindowStartANewCount() async throws {
        _ = try await store.recordFailure(keys: Self.keys, now: F.time(0), policy: Self.policy)
        _ = try await store.recordFailure(keys: Self.keys, now: F.time(1), policy: Self.policy)
        // The window (600 s) has passed: these count from one again.
        #expect(try await store.recordFailure(keys: Self.keys, now: F.time(700), policy: Self.policy) == nil)
        #expect(try await store.recordFailure(keys: Self.keys, now: F.time(701), policy: Self.policy) == nil)
        #expect(try await store.lockedUntil(keys: Self.keys, now: F.time(701)) == nil)
        #expect(try await store.recordFailure(keys: Self.keys, now: F.time(702), policy: Self.policy) == F.time(712))
    }

    public func keysAreCountedSeparatelyAndTheLatestLockWins() async throws {
        for second in 0..<3 {
            _ = try await store.recordFailure(keys: ["addr:192.0.2.1"], now: F.time(second), policy: Self.policy)
        }
        // The address is locked until 12; one more failure for both keys locks the address until 23 and
        // leaves the user at a single failure.
        let until = try await store.recordFailure(keys: Self.keys, now: F.time(3), policy: Self.policy)
        #expect(until == F.time(23))
        #expect(try await store.lockedUntil(keys: ["user:alice"], now: F.time(3)) == nil)
        #expect(try await store.lockedUntil(keys: Self.keys, now: F.time(3)) == F.time(23))
    }

    public func clearFailuresUnlocksAndResetsTheCount() async throws {
        for second in 0..<3 {
            _ = try await store.recordFailure(keys: Self.keys, now: F.time(second), policy: Self.policy)
        }
        #expect(try await store.lockedUntil(keys: Self.keys, now: F.time(3)) != nil)
        try await store.clearFailures(keys: Self.keys)
        #expect(try await store.lockedUntil(keys: Self.keys, now: F.time(3)) == nil)
        #expect(try await store.recordFailure(keys: Self.keys, now: F.time(4), policy: Self.policy) == nil)
        #expect(try await store.recordFailure(keys: Self.keys, now: F.time(5), policy: Self.policy) == nil)
    }

    public func waitingOutEachLockNeverBuysFreshGuesses() async throws {
        let policy = ThrottlePolicy(maxFailures: 3, window: 600, lock: 10, maxLock: 400)
        var now = 0
        var locks: [TimeInterval] = []
        for _ in 0..<10 {
            let until = try await store.recordFailure(keys: Self.keys, now: F.time(now), policy: policy)
            if let until {
                locks.append(until.timeIntervalSince(F.time(now)))
                now = Int(until.timeIntervalSince(F.time(0)))  // the attacker waits exactly until the lock ends
            } else {
                now += 1
            }
        }
        // After the third failure every further guess is locked, doubling up to the maximum and never resetting.
        #expect(locks == [10, 20, 40, 80, 160, 320, 400, 400])
    }

    /// Failures counted at once (by several servers, or one server's parallel requests) are all counted: with
    /// `maxFailures` of them, exactly the last one locks, whichever order they took; the keys in another order
    /// in half of them do not deadlock.
    public func concurrentFailuresAreAllCounted() async throws {
        let attempts = 12
        let policy = ThrottlePolicy(maxFailures: attempts, window: 600, lock: 10, maxLock: 60)
        let store = store
        let locks = try await withThrowingTaskGroup(of: Date?.self) { group in
            for attempt in 0..<attempts {
                group.addTask {
                    let keys = attempt.isMultiple(of: 2) ? Self.keys : Self.keys.reversed()
                    return try await store.recordFailure(keys: keys, now: F.time(1), policy: policy)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(locks.compactMap { $0 } == [F.time(11)])
        #expect(try await store.lockedUntil(keys: ["user:alice"], now: F.time(1)) == F.time(11))
        #expect(try await store.lockedUntil(keys: ["addr:192.0.2.1"], now: F.time(1)) == F.time(11))
    }
}
