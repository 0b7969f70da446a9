import Foundation

/// How many failed logins are allowed, and how long a key stays locked after that.
public struct ThrottlePolicy: Sendable, Equatable {
    /// Failures allowed before the key is locked.
    public var maxFailures: Int
    /// Failures are forgotten after this long without a failure and without a lock.
    public var window: TimeInterval
    /// The first lock's length; it doubles with each further failure, up to `maxLock`.
    public var lock: TimeInterval
    public var maxLock: TimeInterval

    public init(maxFailures: Int = 5, window: TimeInterval = 900, lock: TimeInterval = 30, maxLock: TimeInterval = 900) {
        self.maxFailures = maxFailures
        self.window = window
        self.lock = lock
        self.maxLock = maxLock
    }
}

/// Failed-login counters by key (`user:NAME`, `addr:IP`), shared by every server on one database.
public protocol LoginThrottleStore: Sendable {
    /// The latest time until which any of `keys` is locked, if one is locked at `now`.
    func lockedUntil(keys: [String], now: Date) async throws -> Date?
    /// Counts a failure for each key; returns the lock end if this failure locked one.
    func recordFailure(keys: [String], now: Date, policy: ThrottlePolicy) async throws -> Date?
    /// Forgets the failures of `keys` (after a successful login).
    func clearFailures(keys: [String]) async throws
}
