import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

extension AuthService {
    /// Opens a session for the device of a refresh token, without the password (no bcrypt).
    ///
    /// 401 for an unknown or expired token (unknown ones count against the address like failed passwords, so
    /// tokens cannot be guessed faster than passwords), 403 `revoked` when the device was revoked, 401 when the
    /// user is disabled. The refresh token stays valid: a lost answer must not lock a service out.
    /// - Parameter device: the device the desktop believes it is; when given it must be the token's.
    public func refresh(refreshToken: String, device: String? = nil, address: String?, now: Date = Timestamp.now())
        async throws -> LoginGrant
    {
        let addressKey = address.map { "addr:" + $0 }
        if let addressKey, let until = try await store.lockedUntil(keys: [addressKey], now: now) {
            throw Self.throttled(until: until, now: now)
        }
        let tokenHash = SessionToken.hash(refreshToken)
        guard let stored = try await store.refreshToken(tokenHash: tokenHash) else {
            if let revoked = try await store.revokedDevice(tokenHash: tokenHash) {
                throw CRMError.deviceRevoked(revoked)
            }
            logger.notice("refresh refused: unknown refresh token")
            if let addressKey,
                let until = try await store.recordFailure(
                    keys: [addressKey], now: now, policy: configuration.addressThrottle)
            {
                throw Self.throttled(until: until, now: now)
            }
            throw CRMError(
                .unauthorized, "the refresh token is unknown or was ended; log in again with the password",
                field: "refreshToken")
        }
        guard stored.expiresAt > now else {
            try await store.deleteRefreshToken(tokenHash: tokenHash)
            throw CRMError(
                .unauthorized, "the refresh token expired; log in again with the password", field: "refreshToken")
        }
        if let device, device != stored.device {
            throw CRMError(.malformed, "the refresh token belongs to another device than '\(device)'", field: "device")
        }
        guard let found = try await store.device(id: stored.device), !found.isRevoked, found.user == stored.user else {
            throw CRMError.deviceRevoked(stored.device)
        }
        guard let user = try await store.user(named: stored.user), user.enabled else {
            throw CRMError(.unauthorized, "the user is disabled")
        }
        return try await openSession(for: user, device: found.id, now: now)
    }

    /// Mints and stores a refresh token for `device`; returns the token, which only its holder ever sees.
    func issueRefreshToken(device: String, user: String, now: Date) async throws -> String {
        let token = SessionToken.make()
        try await store.createRefreshToken(
            RefreshToken(
                tokenHash: SessionToken.hash(token), device: device, user: user, createdAt: now,
                expiresAt: now.addingTimeInterval(configuration.refreshTokenLifetime)))
        return token
    }

    /// Refuses a session whose device was revoked (revoking deletes such sessions; this checks defensively)
    /// and notes that the device was seen, at most once a minute.
    func checkSessionDevice(_ id: String, found device: Device?, tokenHash: String, now: Date) async throws {
        guard let device, !device.isRevoked else {
            try await store.deleteSession(tokenHash: tokenHash)
            throw CRMError.deviceRevoked(id)
        }
        if device.lastSeenAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try await store.touchDevice(id: id, at: now)
        }
    }
}
