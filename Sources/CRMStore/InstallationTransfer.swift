import CRMModel
import CRMSyncProtocol
import Foundation

/// What `crm-server copy` moves, kind by kind, in the order a copy writes them (a kind only names kinds
/// written before it).
public enum InstallationKind: String, CaseIterable, Sendable {
    case users, packages, packageRoles = "package roles", devices, sessions, refreshTokens = "refresh tokens"
    case revokedTokens = "revoked tokens", records, tombstones, conflicts, opResults = "op results"
    case syncSessions = "sync sessions", attachments, attachmentBytes = "attachment bytes"
}

/// How many of each kind a store holds. `records` counts every row (tombstones and conflicts included);
/// `tombstones` and `conflicts` count the rows among them that are such.
public struct InstallationCounts: Sendable, Equatable, CustomStringConvertible {
    public var values: [InstallationKind: Int64]

    public init(_ values: [InstallationKind: Int64] = [:]) {
        self.values = values
    }

    public subscript(kind: InstallationKind) -> Int64 {
        get { values[kind] ?? 0 }
        set { values[kind] = newValue }
    }

    /// Whether the store holds nothing a copy would write.
    public var isEmpty: Bool { values.values.allSatisfy { $0 == 0 } }

    /// `users 3, records 120, ...` for the kinds held.
    public var description: String {
        let held = InstallationKind.allCases.filter { self[$0] != 0 }.map { "\($0.rawValue) \(self[$0])" }
        return held.isEmpty ? "nothing" : held.joined(separator: ", ")
    }
}

/// A token hash of a revoked device, remembered so that the device's next request is answered "revoked".
public struct RevokedToken: Sendable, Equatable {
    public var tokenHash: String
    public var device: String
    public var expiresAt: Date

    public init(tokenHash: String, device: String, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.device = device
        self.expiresAt = expiresAt
    }
}

/// The stored answer of a pushed op, so that a push retried after a copy is still applied exactly once.
public struct StoredOpResult: Sendable, Equatable {
    public var device: String
    public var opId: String
    public var result: Data
    public var createdAt: Date

    public init(device: String, opId: String, result: Data, createdAt: Date) {
        self.device = device
        self.opId = opId
        self.result = result
        self.createdAt = createdAt
    }
}

/// Reading a whole installation out of a store and writing it into an empty one, so that `crm-server copy`
/// moves it between SQLite and PostgreSQL in either direction.
///
/// Export is paged by each kind's key (`after` is the last key of the page before; nil starts). Records are
/// read with `changes(after:limit:)` (every row, by sequence number), users with `users()`, devices with
/// `devices(user: nil)`, packages with `publishedPackages()` and attachment content with `readAttachment`.
/// Imports keep what the rows say (sequence numbers, versions, stamps, times); each call is one transaction.
/// Device scopes, pending pages, unfinished uploads and failed-login counters are not transferred: the new
/// epoch (`renewEpoch`) makes every desktop start its sync again.
public protocol InstallationTransfer: ServerStore {
    /// How many of each kind the store holds.
    func installationCounts() async throws -> InstallationCounts

    func sessionsPage(after tokenHash: String?, limit: Int) async throws -> [Session]
    func refreshTokensPage(after tokenHash: String?, limit: Int) async throws -> [RefreshToken]
    func revokedTokensPage(after tokenHash: String?, limit: Int) async throws -> [RevokedToken]
    /// Op results by device, then op id, after the pair given.
    func opResultsPage(after key: (device: String, opId: String)?, limit: Int) async throws -> [StoredOpResult]
    func syncSessionsPage(after id: String?, limit: Int) async throws -> [SyncSessionRow]
    func attachmentsPage(after sha256: String?, limit: Int) async throws -> [StoredAttachment]

    /// Writes users, all in one call (a manager may be any of them), with their password hashes.
    func importUsers(_ users: [User]) async throws
    /// Writes packages and which roles use them.
    func importPackages(_ packages: [PublishedPackage]) async throws
    func importDevices(_ devices: [Device]) async throws
    func importSessions(_ sessions: [Session]) async throws
    func importRefreshTokens(_ tokens: [RefreshToken]) async throws
    func importRevokedTokens(_ tokens: [RevokedToken]) async throws
    /// Writes records with their own sequence numbers (the counter is set by `finishImport`), with their team
    /// and reference index rows.
    func importRecords(_ records: [Record]) async throws
    func importOpResults(_ results: [StoredOpResult]) async throws
    func importSyncSessions(_ sessions: [SyncSessionRow]) async throws
    /// Writes the description of stored content; its bytes follow with `importAttachmentContent`.
    func importAttachment(_ attachment: StoredAttachment) async throws
    /// Writes one row of content: `bytes` (at most `StoredAttachment.chunkSize`) at offset `start`.
    func importAttachmentContent(sha256: String, start: Int64, bytes: Data) async throws
    /// Sets the sequence counter to `lastSequence` and the purge mark to `purgedSequence`.
    func finishImport(lastSequence: Int64, purgedSequence: Int64) async throws
    /// Gives the store a new epoch and cursor key, so every cursor signed before is answered with a reset.
    func renewEpoch() async throws -> SyncMeta
}
