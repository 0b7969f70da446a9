import CRMModel
import CRMStore
import Foundation
import Logging

/// Logs users in and out and turns a bearer token into a `Caller`.
public struct AuthService: Sendable {
    let store: any ServerStore
    let packages: PackageService
    let hasher: PasswordHasher
    let configuration: ServerConfiguration
    let logger: Logger
    /// Times the read every authenticated request makes.
    let metrics: ServerMetrics

    public init(
        store: any ServerStore, packages: PackageService, configuration: ServerConfiguration, logger: Logger,
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.metrics = metrics
        self.store = store
        self.packages = packages
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.configuration = configuration
        self.logger = logger
    }

    /// Checks the password and opens a session. Throttled per user and per address before any hashing.
    ///
    /// With `device` (the id of a device of that user, not revoked; checked only after the password), the
    /// session is bound to the device and the grant carries a new refresh token for it.
    public func login(
        username: String, password: String, device: String? = nil, address: String?, now: Date = Timestamp.now()
    ) async throws -> LoginGrant {
        let userKey = "user:" + username.lowercased()
        let addressKey = address.map { "addr:" + $0 }
        let keys = [userKey] + (addressKey.map { [$0] } ?? [])
        if let until = try await store.lockedUntil(keys: keys, now: now) {
            throw Self.throttled(until: until, now: now)
        }
        let user = try await store.user(named: username)
        let valid = try await hasher.verify(password, hash: user?.passwordHash ?? PasswordHasher.decoy)
        guard let user, valid, user.enabled else {
            logger.notice("login refused", metadata: ["user": .string(username)])
            var locks = [try await store.recordFailure(keys: [userKey], now: now, policy: configuration.throttle)]
            if let addressKey {
                locks.append(try await store.recordFailure(keys: [addressKey], now: now, policy: configuration.addressThrottle))
            }
            if let until = locks.compactMap({ $0 }).max() {
                throw Self.throttled(until: until, now: now)
            }
            throw CRMError(.unauthorized, "wrong user name or password, or the user is disabled")
        }
        // Only the user's count: a successful login of one's own must not wipe an address's failed guesses.
        try await store.clearFailures(keys: [userKey])
        guard let device else { return try await openSession(for: user, device: nil, now: now) }
        _ = try await store.usableDevice(device, of: user.name)
        var grant = try await openSession(for: user, device: device, now: now)
        grant.refreshToken = try await issueRefreshToken(device: device, user: user.name, now: now)
        return grant
    }

    /// Opens a session for `user` (bound to `device` when given), sweeping expired sessions first.
    func openSession(for user: User, device: String?, now: Date) async throws -> LoginGrant {
        try await store.deleteExpiredSessions(before: now)
        let token = SessionToken.make()
        let session = Session(
            tokenHash: SessionToken.hash(token), user: user.name, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.sessionLifetime), device: device)
        try await store.createSession(session)
        if let device { try await store.touchDevice(id: device, at: now) }
        return LoginGrant(token: token, session: session, user: user)
    }

    /// The caller a bearer token stands for; 401 when it is unknown, expired or its user disabled, 403
    /// `revoked` when it was opened for a device that has since been revoked.
    public func authenticate(token: String, now: Date = Timestamp.now()) async throws -> Caller {
        let tokenHash = SessionToken.hash(token)
        // One read for everything below (`RequestFacts`).
        let facts = try await metrics.store("requestFacts") { try await store.requestFacts(tokenHash: tokenHash) }
        guard let session = facts.session else {
            if let device = try await store.revokedDevice(tokenHash: tokenHash) { throw CRMError.deviceRevoked(device) }
            throw CRMError(.unauthorized, "the session is unknown or was ended; log in again")
        }
        guard session.expiresAt > now else {
            try await store.deleteSession(tokenHash: tokenHash)
            throw CRMError(.unauthorized, "the session expired; log in again")
        }
        if let device = session.device {
            try await checkSessionDevice(device, found: facts.device, tokenHash: tokenHash, now: now)
        }
        guard let user = facts.user, user.enabled else {
            throw CRMError(.unauthorized, "the user is disabled")
        }
        let base = try await packages.base(version: facts.latestPackageVersion)
        let package = try await packages.view(forRole: user.role, current: facts.rolePackageVersion)
        let scope: VisibilityScope
        switch package.role?.visibility ?? .personal {
        case .all: scope = .all
        case .team:
            let reports: Set<String>
            if let read = facts.reports { reports = read } else { reports = try await store.reports(of: user.name) }
            scope = .users(reports.union([user.name]))
        case .personal: scope = .users([user.name])
        }
        return Caller(
            user: user, base: base, package: package, scope: scope, tokenHash: tokenHash, device: session.device,
            sessionDevice: facts.device)
    }

    /// Ends the session of `token`. It needs no package, so a user whose role lost its package can still
    /// log out; an unknown token is 401 like everywhere else.
    public func logout(token: String) async throws {
        let tokenHash = SessionToken.hash(token)
        guard try await store.session(tokenHash: tokenHash) != nil else {
            throw CRMError(.unauthorized, "the session is unknown or was ended")
        }
        try await store.deleteSession(tokenHash: tokenHash)
    }

    static func throttled(until: Date, now: Date) -> CRMError {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return CRMError(
            .tooManyAttempts(retryAfter: seconds), "too many failed logins; try again in \(seconds) seconds")
    }
}

