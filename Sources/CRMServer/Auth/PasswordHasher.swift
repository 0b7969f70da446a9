import HummingbirdBcrypt
import NIOPosix

/// Hashes and checks passwords with bcrypt on NIO's bounded blocking pool, never on the event loop or the
/// cooperative pool (a cost-12 hash takes about 0.2 s here).
public struct PasswordHasher: Sendable {
    public var cost: UInt8

    /// A hash of a password nobody has, checked when the user does not exist so that a login takes as long
    /// for an unknown user as for a wrong password.
    static let decoy = Bcrypt.hash("decoy password that matches nothing", cost: 4)

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
