import Foundation

/// Limits and lifetimes of sync sessions.
public struct SyncConfiguration: Sendable {
    /// Records per pull page when the device names no limit, and the most it may ask for.
    public var defaultPageSize: Int
    public var maxPageSize: Int
    /// The bytes after which a pull page ends, whatever its record count: a page of large records stays small
    /// enough for both sides to hold and apply at once (the last record and the records it references may
    /// pass it).
    public var maxPageBytes: Int
    /// The most ops in one push, and the largest push body.
    public var maxOpsPerPush: Int
    public var maxPushBytes: Int
    /// A session expires after this long without a request.
    public var sessionLifetime: TimeInterval
    /// Tombstones, op results and sync log rows are kept this long; older cursors get a reset.
    public var retention: TimeInterval
    /// The long-poll's default and longest wait.
    public var defaultWait: TimeInterval
    public var maxWait: TimeInterval
    /// How often a waiting long-poll looks for changes committed by other processes (this process's own
    /// commits wake it at once): admin commands on SQLite. Each check is a read per waiting desktop, so with a
    /// thousand desktops waiting a one-second check was a thousand reads a second.
    public var waitRecheck: TimeInterval

    public init(
        defaultPageSize: Int = 1000, maxPageSize: Int = 5000, maxPageBytes: Int = 4 << 20, maxOpsPerPush: Int = 1000, maxPushBytes: Int = 16 << 20,
        sessionLifetime: TimeInterval = 3600,
        retention: TimeInterval = 90 * 86_400, defaultWait: TimeInterval = 25, maxWait: TimeInterval = 120,
        waitRecheck: TimeInterval = 10
    ) {
        self.waitRecheck = waitRecheck
        self.defaultPageSize = defaultPageSize
        self.maxPageSize = maxPageSize
        self.maxPageBytes = maxPageBytes
        self.maxOpsPerPush = maxOpsPerPush
        self.maxPushBytes = maxPushBytes
        self.sessionLifetime = sessionLifetime
        self.retention = retention
        self.defaultWait = defaultWait
        self.maxWait = maxWait
    }
}
