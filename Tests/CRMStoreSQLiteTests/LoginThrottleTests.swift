import CRMStore
import CRMStoreSQLite
import Foundation
import Testing

/// Failed-login counting with explicit clocks: no test sleeps.
@Suite("Login throttle")
struct LoginThrottleTests {
    static let policy = ThrottlePolicy(maxFailures: 3, window: 600, lock: 10, maxLock: 60)
    static let keys = ["user:alice", "addr:192.0.2.1"]

    @Test func failuresBelowTheLimitDoNotLock() async throws {
        try await withStore { store async throws in
            for second in 0..<2 {
                let until = try await store.recordFailure(
                    keys: Self.keys, now: Fixture.time(second), policy: Self.policy)
                #expect(until == nil)
            }
            #expect(try await store.lockedUntil(keys: Self.keys, now: Fixture.time(2)) == nil)
        }
    }

    @Test func reachingMaxFailuresLocksForTheLockPeriod() async throws {
        try await withStore { store in
            for second in 0..<2 {
                _ = try await store.recordFailure(keys: Self.keys, now: Fixture.time(second), policy: Self.policy)
            }
            let until = try await store.recordFailure(keys: Self.keys, now: Fixture.time(2), policy: Self.policy)
            #expect(until == Fixture.time(12))
            #expect(try await store.lockedUntil(keys: Self.keys, now: Fixture.time(2)) == Fixture.time(12))
            #expect(try await store.lockedUntil(keys: ["user:alice"], now: Fixture.time(11)) == Fixture.time(12))
            #expect(try await store.lockedUntil(keys: Self.keys, now: Fixture.time(12)) == nil)
            #expect(try await store.lockedUntil(keys: ["user:bob"], now: Fixture.time(5)) == nil)
            #expect(try await store.lockedUntil(keys: [], now: Fixture.time(5)) == nil)
        }
    }

    @Test func furtherFailuresDoubleTheLockUpToTheMaximum() async throws {
        try await withStore { store in
            var locks: [TimeInterval?] = []
            for second in 0..<8 {
                let now = Fixture.time(second * 50)
                let until = try await store.recordFailure(keys: ["user:alice"], now: now, policy: Self.policy)
                locks.append(until.map { $0.timeIntervalSince(now) })
            }
            #expect(locks == [nil, nil, 10, 20, 40, 60, 60, 60])
        }
    }

    @Test func failuresOutsideTheWindowStartANewCount() async throws {
        try await withStore { store in
            _ = try await store.recordFailure(keys: Self.keys, now: Fixture.time(0), policy: Self.policy)
            _ = try await store.recordFailure(keys: Self.keys, now: Fixture.time(1), policy: Self.policy)
            // The window (600 s) has passed: these count from one again.
            #expect(try await store.recordFailure(keys: Self.keys, now: Fixture.time(700), policy: Self.policy) == nil)
            #expect(try await store.recordFailure(keys: Self.keys, now: Fixture.time(701), policy: Self.policy) == nil)
            #expect(try await store.lockedUntil(keys: Self.keys, now: Fixture.time(701)) == nil)
            #expect(try await store.recordFailure(keys: Self.keys, now: Fixture.time(702), policy: Self.policy)
                == Fixture.time(712))
        }
    }

    @Test func keysAreCountedSeparatelyAndTheLatestLockWins() async throws {
        try await withStore { store in
            for second in 0..<3 {
                _ = try await store.recordFailure(
                    keys: ["addr:192.0.2.1"], now: Fixture.time(second), policy: Self.policy)
            }
            // The address is locked until 12; one more failure for both keys locks the address until 23 and
            // leaves the user at a single failure.
            let until = try await store.recordFailure(keys: Self.keys, now: Fixture.time(3), policy: Self.policy)
            #expect(until == Fixture.time(23))
            #expect(try await store.lockedUntil(keys: ["user:alice"], now: Fixture.time(3)) == nil)
            #expect(try await store.lockedUntil(keys: Self.keys, now: Fixture.time(3)) == Fixture.time(23))
        }
    }

    @Test func clearFailuresUnlocksAndResetsTheCount() async throws {
        try await withStore { store in
            for second in 0..<3 {
                _ = try await store.recordFailure(keys: Self.keys, now: Fixture.time(second), policy: Self.policy)
            }
            #expect(try await store.lockedUntil(keys: Self.keys, now: Fixture.time(3)) != nil)
            try await store.clearFailures(keys: Self.keys)
            #expect(try await store.lockedUntil(keys: Self.keys, now: Fixture.time(3)) == nil)
            #expect(try await store.recordFailure(keys: Self.keys, now: Fixture.time(4), policy: Self.policy) == nil)
            #expect(try await store.recordFailure(keys: Self.keys, now: Fixture.time(5), policy: Self.policy) == nil)
        }
    }

    @Test func waitingOutEachLockNeverBuysFreshGuesses() async throws {
        try await withStore { store in
            let policy = ThrottlePolicy(maxFailures: 3, window: 600, lock: 10, maxLock: 400)
            var now = 0
            var locks: [TimeInterval] = []
            for _ in 0..<10 {
                let until = try await store.recordFailure(keys: Self.keys, now: Fixture.time(now), policy: policy)
                if let until {
                    locks.append(until.timeIntervalSince(Fixture.time(now)))
                    now = Int(until.timeIntervalSince(Fixture.time(0)))  // the attacker waits exactly until the lock ends
                } else {
                    now += 1
                }
            }
            // After the third failure every further guess is locked, doubling up to the maximum and never resetting.
            #expect(locks == [10, 20, 40, 80, 160, 320, 400, 400])
        }
    }
}
