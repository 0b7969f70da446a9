import CRMStore
import Foundation

/// Times and users for the conformance suite's account tests (users, sessions, devices, logins, packages,
/// attachments). Dates are whole seconds unless a test is about milliseconds: stores keep milliseconds.
public enum AccountsFixture {
    public static let start = Date(timeIntervalSince1970: 1_750_000_000)

    public static func time(_ seconds: Int) -> Date { start.addingTimeInterval(TimeInterval(seconds)) }

    public static func user(_ name: String, manager: String? = nil, role: String = "sales-rep") -> User {
        User(
            name: name, passwordHash: "$2b$04$hash-of-\(name)", role: role, manager: manager,
            emails: ["\(name)@example.com"], createdAt: start)
    }

    public static func session(_ token: String, _ user: String, expires seconds: Int = 3600, device: String? = nil)
        -> Session
    {
        Session(tokenHash: token, user: user, createdAt: start, expiresAt: time(seconds), device: device)
    }
}
