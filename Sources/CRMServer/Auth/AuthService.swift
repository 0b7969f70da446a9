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

    public init(store: any ServerStore, packages: PackageService, configuration: ServerConfiguration, logger: Logger) {
        self.store = store
        self.packages = packages
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.configuration = configuration
        self.logger = logger
    }

    /// Checks the password and opens a session. Throttled per user and per address before any hashing.
    public func login(username: String, password: String, address: String?, now: Date = Timestamp.now()) async throws
        -> (token: String, session: Session, user: User)
    {
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
        try await store.deleteExpiredSessions(before: now)
        let token = SessionToken.make()
        let session = Session(
            tokenHash: SessionToken.hash(token), user: user.name, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.sessionLifetime))
        try await store.createSession(session)
        return (token, session, user)
    }

    /// The caller a bearer token stands for; 401 when it is unknown, expired, revoked or its user disabled.
    public func authenticate(token: String, now: Date = Timestamp.now()) async throws -> Caller {
        let tokenHash = SessionToken.hash(token)
        guard let session = try await store.session(tokenHash: tokenHash) else {
            throw CRMError(.unauthorized, "the session is unknown or was ended; log in again")
        }
        guard session.expiresAt > now else {
            try await store.deleteSession(tokenHash: tokenHash)
            throw CRMError(.unauthorized, "the session expired; log in again")
        }
        guard let user = try await store.user(named: session.user), user.enabled else {
            throw CRMError(.unauthorized, "the user is disabled")
        }
        let base = try await packages.base()
        let package = try await packages.view(forRole: user.role)
        let scope: VisibilityScope =
            switch package.role?.visibility ?? .personal {
            case .all: .all
            case .team: .users(try await store.reports(of: user.name).union([user.name]))
            case .personal: .users([user.name])
            }
        return Caller(user: user, base: base, package: package, scope: scope, tokenHash: tokenHash)
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

