import CRMModel
import Foundation

/// `POST /api/v1/sync/begin`: a device opens a sync session.
public struct SyncBeginRequest: Codable, Sendable {
    public var protocolVersion: Int
    /// The device's id, as the server minted it at registration.
    public var device: String
    /// The package version the device has installed (nil before the first).
    public var packageVersion: Int?
    /// The chosen filter preset (nil: the device's current one, or the role's default).
    public var filter: String?
    /// The preset's parameters (`daysBack` = `30`).
    public var parameters: [String: String]?
    /// The device's IANA time zone; date windows are computed in it.
    public var timeZone: String
    /// False: the device shows no preview, so when its filter did not change the server does not count what it
    /// holds (a count that follows the records held, where an incremental sync must follow the changes). Nil
    /// asks for it, as older devices do.
    public var preview: Bool?
    /// Types the device does not check in this session, because their `syncEvery` has not come round since it
    /// last did: their changes wait, and the first session that checks a type again brings what it missed.
    public var deferTypes: [String]?

    public init(
        protocolVersion: Int = ProtocolVersion.current, device: String, packageVersion: Int? = nil,
        filter: String? = nil, parameters: [String: String]? = nil, timeZone: String, preview: Bool? = nil,
        deferTypes: [String]? = nil
    ) {
        self.deferTypes = deferTypes
        self.protocolVersion = protocolVersion
        self.device = device
        self.packageVersion = packageVersion
        self.filter = filter
        self.parameters = parameters
        self.timeZone = timeZone
        self.preview = preview
    }
}

/// The answer to begin.
public struct SyncBeginResponse: Codable, Sendable {
    public var protocolVersion: Int
    /// The session's id, sent with every later request of the session.
    public var session: String
    public var expiresAt: Date
    /// The user's package, when the device's is older.
    public var package: PackageUpdate?
    /// The filter in force and its parameters after defaults.
    public var filter: String
    public var parameters: [String: String]
    /// How many records of each type the filter brings to the device.
    public var preview: [String: Int]
    /// Whether the filter or the user's visibility changed since the device's last session, so that the next
    /// pulls send the difference.
    public var rescan: Bool

    public init(
        protocolVersion: Int = ProtocolVersion.current, session: String, expiresAt: Date, package: PackageUpdate?,
        filter: String, parameters: [String: String], preview: [String: Int], rescan: Bool
    ) {
        self.protocolVersion = protocolVersion
        self.session = session
        self.expiresAt = expiresAt
        self.package = package
        self.filter = filter
        self.parameters = parameters
        self.preview = preview
        self.rescan = rescan
    }
}

/// A newer package for the device.
public struct PackageUpdate: Codable, Sendable {
    public var version: Int
    /// A type or field was added, removed or retyped: the desktop migrates its replica and outbox.
    public var structural: Bool
    public var package: CustomizationPackage

    public init(version: Int, structural: Bool, package: CustomizationPackage) {
        self.version = version
        self.structural = structural
        self.package = package
    }
}

/// `POST /api/v1/sync/pull`: the next page after a cursor (none: the device holds nothing yet).
public struct SyncPullRequest: Codable, Sendable {
    public var protocolVersion: Int
    public var session: String
    public var cursor: String?
    /// At most this many records (default 1,000; the server caps it).
    public var limit: Int?

    public init(protocolVersion: Int = ProtocolVersion.current, session: String, cursor: String?, limit: Int? = nil) {
        self.protocolVersion = protocolVersion
        self.session = session
        self.cursor = cursor
        self.limit = limit
    }
}

/// Why a record left a device.
public enum RemoveReason: String, Codable, Sendable {
    case deleted
    case leftFilter = "left-filter"
    case lostVisibility = "lost-visibility"
}

/// A record a device must drop.
public struct SyncRemove: Codable, Sendable, Equatable {
    public var id: String
    public var type: String
    public var reason: RemoveReason

    public init(id: String, type: String, reason: RemoveReason) {
        self.id = id
        self.type = type
        self.reason = reason
    }
}

/// A record a device must store: the full record, and whether it only came along as the target of a
/// reference (read-only, "incomplete").
public struct SyncUpsert: Codable, Sendable, Equatable {
    public var record: Record
    public var incomplete: Bool

    public init(record: Record, incomplete: Bool) {
        self.record = record
        self.incomplete = incomplete
    }
}

/// A page of the pull. The server writes it by hand (`SyncPageWriter`); this is its shape for readers.
public struct SyncPage: Codable, Sendable {
    public var protocolVersion: Int
    public var upserts: [SyncUpsert]
    public var removes: [SyncRemove]
    /// The cursor to send with the next pull; sending it acknowledges this page.
    public var cursor: String
    /// More pages wait.
    public var more: Bool

    public init(
        protocolVersion: Int = ProtocolVersion.current, upserts: [SyncUpsert], removes: [SyncRemove], cursor: String,
        more: Bool
    ) {
        self.protocolVersion = protocolVersion
        self.upserts = upserts
        self.removes = removes
        self.cursor = cursor
        self.more = more
    }
}

/// The answer to a pull whose cursor the server cannot continue (another store epoch, another device,
/// forged, or older than the retention horizon): the device rebuilds its replica from scratch, keeping its
/// outbox, by pulling without a cursor. Sent as 409 with error code `reset`.
public enum SyncReset {
    public static let errorCode = "reset"
}

/// `POST /api/v1/sync/end`: the session's end with the device's own counts.
public struct SyncEndRequest: Codable, Sendable {
    public var protocolVersion: Int
    public var session: String
    public var counts: SyncCounts
    /// Errors the device met, in words, for the sync log.
    public var errors: [String]?

    public init(protocolVersion: Int = ProtocolVersion.current, session: String, counts: SyncCounts, errors: [String]? = nil) {
        self.protocolVersion = protocolVersion
        self.session = session
        self.counts = counts
        self.errors = errors
    }
}

/// The counts of a session, as one side saw them.
public struct SyncCounts: Codable, Sendable, Equatable {
    public var pulled: Int
    public var pushed: Int
    public var applied: Int
    public var merged: Int
    public var conflicts: Int
    public var rejected: Int

    public init(pulled: Int = 0, pushed: Int = 0, applied: Int = 0, merged: Int = 0, conflicts: Int = 0, rejected: Int = 0) {
        self.pulled = pulled
        self.pushed = pushed
        self.applied = applied
        self.merged = merged
        self.conflicts = conflicts
        self.rejected = rejected
    }

    /// Both counts added, field by field (a session's total over its requests).
    public static func + (lhs: SyncCounts, rhs: SyncCounts) -> SyncCounts {
        SyncCounts(
            pulled: lhs.pulled + rhs.pulled, pushed: lhs.pushed + rhs.pushed, applied: lhs.applied + rhs.applied,
            merged: lhs.merged + rhs.merged, conflicts: lhs.conflicts + rhs.conflicts, rejected: lhs.rejected + rhs.rejected)
    }
}

/// A row of the sync log: one session, the user's receipt.
public struct SyncLogEntry: Codable, Sendable, Equatable {
    public var session: String
    public var user: String
    public var device: String
    public var startedAt: Date
    public var endedAt: Date?
    /// The server's counts.
    public var counts: SyncCounts
    /// The device's counts, as it reported them at the end.
    public var clientCounts: SyncCounts?
    public var errors: [String]

    public init(
        session: String, user: String, device: String, startedAt: Date, endedAt: Date?, counts: SyncCounts,
        clientCounts: SyncCounts?, errors: [String]
    ) {
        self.session = session
        self.user = user
        self.device = device
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.counts = counts
        self.clientCounts = clientCounts
        self.errors = errors
    }
}

/// A page of the sync log.
public struct SyncLogList: Codable, Sendable {
    public var sessions: [SyncLogEntry]

    public init(sessions: [SyncLogEntry]) { self.sessions = sessions }
}

/// `POST /api/v1/sync/wait`: answers as soon as a change the device should pull exists after the cursor,
/// or after `timeout` seconds (default 25).
public struct SyncWaitRequest: Codable, Sendable {
    public var protocolVersion: Int
    public var session: String
    public var cursor: String
    public var timeout: Double?

    public init(protocolVersion: Int = ProtocolVersion.current, session: String, cursor: String, timeout: Double? = nil) {
        self.protocolVersion = protocolVersion
        self.session = session
        self.cursor = cursor
        self.timeout = timeout
    }
}

public struct SyncWaitResponse: Codable, Sendable {
    public var changed: Bool

    public init(changed: Bool) { self.changed = changed }
}
