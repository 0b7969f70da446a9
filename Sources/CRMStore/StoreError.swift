import CRMModel

/// What a store refused, carrying what the caller needs to answer the user.
public enum StoreError: Error, Sendable, Equatable {
    /// No record (or user, or package) with this id or name.
    case notFound(String)
    /// The record changed since the version the writer saw; `current` is what it is now.
    case versionMismatch(current: Record)
    /// A record, user or package with this id, name or version already exists.
    case alreadyExists(String)
    /// A referenced record does not exist or was deleted.
    case missingReference(String)
    /// A global key (`GlobalKeys`) the write gives the record is held by another live record, `holder`: the
    /// unique constraint of the key table refused it.
    case keyTaken(type: String, field: String, holder: String)
    /// The delete is refused: `sourceType` record `sourceID` references the record through `field` (`restrict`).
    case restricted(sourceType: String, sourceID: String, field: String)
    /// The database stayed locked by another writer past the busy timeout; trying again later may work.
    case busy
    /// The database cannot be reached (restarting, network down); the request may be retried once it is back.
    case unavailable(String)
    /// The database failed; `message` says how.
    case database(String)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let id): "not found: \(id)"
        case .versionMismatch(let current): "stale version: the record is at version \(current.version)"
        case .alreadyExists(let id): "already exists: \(id)"
        case .missingReference(let id): "the referenced record \(id) does not exist"
        case .keyTaken(let type, let field, let holder): "the \(type) \(holder) already has this \(field)"
        case .restricted(let type, let id, let field):
            "the record is referenced by \(type) \(id) through '\(field)', which does not allow the delete"
        case .busy: "the database is busy; try again"
        case .unavailable(let message): "the database cannot be reached: \(message)"
        case .database(let message): "database error: \(message)"
        }
    }
}
