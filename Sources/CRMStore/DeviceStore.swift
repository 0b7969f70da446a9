import CRMSyncProtocol
import Foundation

/// A long-lived token that opens new sessions for one device without the password, so a desktop syncing as a
/// service never stores it. Stored only as its hash; revoking the device deletes it.
public struct RefreshToken: Sendable, Equatable {
    /// SHA-256 of the token, hex; the token itself is never stored.
    public var tokenHash: String
    /// The id of the device the token is bound to.
    public var device: String
    public var user: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(tokenHash: String, device: String, user: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.device = device
        self.user = user
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Registered devices and their refresh tokens.
public protocol DeviceStore: Sendable {
    /// Registers a device; `StoreError.notFound` when its user does not exist, `.alreadyExists` for a taken id.
    func addDevice(_ device: Device) async throws
    func device(id: String) async throws -> Device?
    /// The devices of `user`, or of everyone when nil, ordered by user and then by registration time.
    func devices(user: String?) async throws -> [Device]
    /// Revokes a device in one transaction: sets `revokedAt` (kept from the first revoke), deletes its refresh
    /// tokens and the sessions opened for it. `StoreError.notFound` for an unknown id.
    ///
    /// The hashes of the deleted tokens are remembered until they would have expired, so that the device's next
    /// request is answered "revoked" rather than "unknown session" (`revokedDevice(tokenHash:)`).
    func revokeDevice(id: String, at date: Date) async throws -> Device
    /// The id of the revoked device whose session or refresh token had this hash; nil for any other hash.
    func revokedDevice(tokenHash: String) async throws -> String?
    /// Records that the device was seen at `date` (no effect on a revoked or unknown device).
    func touchDevice(id: String, at date: Date) async throws
    /// Stores a refresh token; `StoreError.notFound` when its device does not exist.
    func createRefreshToken(_ token: RefreshToken) async throws
    func refreshToken(tokenHash: String) async throws -> RefreshToken?
    func deleteRefreshToken(tokenHash: String) async throws
    /// The records the device holds by hand (`crm-desktop fetch`), outside its filter: id -> type.
    func fetchedRecords(device: String) async throws -> [String: String]
    /// Marks a record as held by hand on the device, or with `held: false` no longer (a drop). Idempotent.
    func setFetched(device: String, id: String, type: String, held: Bool) async throws
}
