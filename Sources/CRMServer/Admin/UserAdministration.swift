import CRMModel
import CRMStore
import Foundation

/// Adds and changes users, checking what a store cannot: the role has a published package, the manager
/// exists and no one ends up managing themselves, email addresses are addresses. Shared by the `crm-server
/// user` commands and, later, the admin web pages.
public struct UserAdministration: Sendable {
    let store: any ServerStore
    let hasher: PasswordHasher

    public init(store: any ServerStore, bcryptCost: UInt8 = 12) {
        self.store = store
        self.hasher = PasswordHasher(cost: bcryptCost)
    }

    /// A change to a user; nil leaves a property as it is.
    public struct Change: Sendable {
        public var role: String?
        /// `.some(nil)` removes the manager.
        public var manager: String??
        public var emails: [String]?
        public var enabled: Bool?
        public var password: String?

        public init(
            role: String? = nil, manager: String?? = nil, emails: [String]? = nil, enabled: Bool? = nil,
            password: String? = nil
        ) {
            self.role = role
            self.manager = manager
            self.emails = emails
            self.enabled = enabled
            self.password = password
        }
    }

    public func add(name: String, password: String, role: String, manager: String?, emails: [String]) async throws
        -> User
    {
        guard name.range(of: #"^[a-z0-9][a-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
            throw CRMError(.malformed, "user names are 1-64 lower-case letters, digits, '.', '_' or '-'", field: "name")
        }
        try checkPassword(password)
        try await checkRole(role)
        if let manager { try await checkManager(manager, of: name) }
        let user = User(
            name: name, passwordHash: try await hasher.hash(password), role: role, manager: manager,
            emails: try Self.checkEmails(emails))
        do {
            try await store.addUser(user)
        } catch StoreError.alreadyExists {
            throw CRMError(.conflict, "a user named '\(name)' already exists", field: "name")
        }
        return user
    }

    public func change(_ name: String, _ change: Change) async throws -> User {
        guard try await store.user(named: name) != nil else { throw CRMError.notFound("user '\(name)'") }
        if let role = change.role { try await checkRole(role) }
        if case .some(.some(let manager)) = change.manager { try await checkManager(manager, of: name) }
        let emails = try change.emails.map(Self.checkEmails)
        if let password = change.password { try checkPassword(password) }
        let hash: String? = if let password = change.password { try await hasher.hash(password) } else { nil }
        let user = try await store.updateUser(named: name) { user in
            if let role = change.role { user.role = role }
            if let manager = change.manager { user.manager = manager }
            if let emails { user.emails = emails }
            if let enabled = change.enabled { user.enabled = enabled }
            if let hash { user.passwordHash = hash }
        }
        if change.password != nil || change.enabled == false {
            try await store.deleteSessions(user: name)
        }
        return user
    }

    private func checkPassword(_ password: String) throws {
        guard password.count >= 8 else {
            throw CRMError(.malformed, "a password has at least 8 characters", field: "password")
        }
        guard password.utf8.count <= 72 else {
            throw CRMError(.malformed, "bcrypt uses at most 72 bytes of a password", field: "password")
        }
    }

    private func checkRole(_ role: String) async throws {
        guard try await store.packageVersion(forRole: role) != nil else {
            throw CRMError(.malformed, "no package is published for the role '\(role)'", field: "role")
        }
    }

    /// The manager exists, and `name` is not the manager nor above them in the hierarchy.
    private func checkManager(_ manager: String, of name: String) async throws {
        guard try await store.user(named: manager) != nil else {
            throw CRMError(.malformed, "no user '\(manager)' to report to", field: "manager")
        }
        if manager == name { throw CRMError(.malformed, "a user cannot manage themselves", field: "manager") }
        if try await store.reports(of: name).contains(manager) {
            throw CRMError(.malformed, "'\(manager)' already reports to '\(name)'", field: "manager")
        }
    }

    static func checkEmails(_ emails: [String]) throws -> [String] {
        for email in emails where email.range(of: #"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+$"#, options: .regularExpression) == nil {
            throw CRMError(.malformed, "'\(email)' is not an email address", field: "email")
        }
        return emails.map { $0.lowercased() }
    }
}
