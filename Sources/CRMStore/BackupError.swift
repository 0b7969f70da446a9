/// Why `crm-server backup` or `crm-server restore` stopped: what it found and what to do about it.
public struct BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The restore target already holds data and `--force` was not given; nothing was written.
        case targetNotEmpty
        /// The backup file already exists; a backup never overwrites one.
        case fileExists
        /// The backup file cannot be read as a backup of this kind of store.
        case unreadable
        /// `pg_dump` or `pg_restore` is missing or failed (its own words follow).
        case toolFailed
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The refusal of a restore into a database that holds `counts`.
    public static func targetNotEmpty(_ counts: InstallationCounts, target: String) -> BackupError {
        BackupError(
            .targetNotEmpty,
            "\(target) is not empty (it holds \(counts)): restore into a new database, or give --force to replace "
                + "what it holds")
    }

    public var description: String { message }
}

/// What a backup holds, for the administrator's receipt and for tests.
public struct BackupSummary: Sendable, Equatable {
    /// Rows in the records table (tombstones and conflicts included).
    public var records: Int64
    /// The highest change sequence number in the backup.
    public var lastSequence: Int64
    public var users: Int64

    public init(records: Int64, lastSequence: Int64, users: Int64) {
        self.records = records
        self.lastSequence = lastSequence
        self.users = users
    }
}
