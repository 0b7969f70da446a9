import CRMStore
import Foundation
import Testing

/// What every `UserStore` does: users read back exactly, names are unique (also when two servers add one at
/// once), reporting lines are transitive, and disabling a user ends their sessions in the same transaction.
public struct UserStoreConformance: Sendable {
    public let store: any UserStore & SessionStore

    public init(store: any UserStore & SessionStore) {
        self.store = store
    }

    private typealias F = AccountsFixture

    public func addedUserReadsBackExactly() async throws {
        let alice = F.user("alice")
        try await store.addUser(alice)
        #expect(try await store.user(named: "alice") == alice)
        #expect(try await store.user(named: "nobody") == nil)
        let bob = User(
            name: "bob", passwordHash: "$2b$04$x", role: "admin", manager: "alice", emails: [], enabled: false,
            createdAt: F.time(1))
        try await store.addUser(bob)
        #expect(try await store.user(named: "bob") == bob)
        #expect(try await store.users() == [alice, bob])
    }

    public func usersAreListedByNameBytewise() async throws {
        for name in ["bob", "Zoe", "alice", "émile", "Alice"] { try await store.addUser(F.user(name)) }
        #expect(try await store.users().map(\.name) == ["Alice", "Zoe", "alice", "bob", "émile"])
    }

    public func timesKeepTheirMillisecond() async throws {
        var user = F.user("alice")
        user.createdAt = Date(timeIntervalSince1970: 1_750_000_000.123)
        try await store.addUser(user)
        #expect(try await store.user(named: "alice")?.createdAt == user.createdAt)
        let session = Session(
            tokenHash: "t", user: "alice", createdAt: Date(timeIntervalSince1970: 1_750_000_000.001),
            expiresAt: Date(timeIntervalSince1970: 1_750_003_600.999))
        try await store.createSession(session)
        #expect(try await store.session(tokenHash: "t") == session)
    }

    public func addingAnExistingNameIsRefused() async throws {
        try await store.addUser(F.user("alice"))
        await #expect(throws: StoreError.alreadyExists("alice")) {
            try await store.addUser(F.user("alice", role: "admin"))
        }
        #expect(try await store.user(named: "alice")?.role == "sales-rep")
    }

    public func concurrentAddsOfOneNameLeaveOneUser() async throws {
        let roles = (0..<8).map { "role-\($0)" }
        let store = store
        let outcomes = await withTaskGroup(of: (String, (any Error)?).self) { group in
            for role in roles {
                group.addTask {
                    do {
                        try await store.addUser(F.user("alice", role: role))
                        return (role, nil)
                    } catch {
                        return (role, error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.filter { $0.1 == nil }.map(\.0)
        #expect(winners.count == 1)
        for (role, error) in outcomes where error != nil {
            #expect(error as? StoreError == .alreadyExists("alice"), "\(role): \(String(describing: error))")
        }
        #expect(try await store.user(named: "alice")?.role == winners.first)
    }

    public func reportsAreTransitiveAndExcludeTheUser() async throws {
        try await store.addUser(F.user("ceo", role: "sales-manager"))
        try await store.addUser(F.user("vp", manager: "ceo", role: "sales-manager"))
        try await store.addUser(F.user("lead", manager: "vp", role: "sales-manager"))
        try await store.addUser(F.user("rep", manager: "lead"))
        try await store.addUser(F.user("outsider"))
        #expect(try await store.reports(of: "ceo") == ["vp", "lead", "rep"])
        #expect(try await store.reports(of: "vp") == ["lead", "rep"])
        #expect(try await store.reports(of: "rep") == [])
        #expect(try await store.reports(of: "nobody") == [])
    }

    public func managerCycleEndsAndStillExcludesTheUser() async throws {
        try await store.addUser(F.user("a"))
        try await store.addUser(F.user("b", manager: "a"))
        _ = try await store.updateUser(named: "a") { $0.manager = "b" }
        #expect(try await store.reports(of: "a") == ["b"])
    }

    public func updateUserChangesFieldsButNotNameOrCreation() async throws {
        try await store.addUser(F.user("alice"))
        try await store.addUser(F.user("bob"))
        let changed = try await store.updateUser(named: "bob") {
            $0.name = "robert"
            $0.manager = "alice"
            $0.role = "sales-manager"
            $0.emails = ["bob@work.example", "b@home.example"]
            $0.passwordHash = "$2b$04$new"
        }
        #expect(changed.name == "bob")
        #expect(try await store.user(named: "bob") == changed)
        #expect(try await store.user(named: "robert") == nil)
        #expect(changed.createdAt == F.start)
        #expect(try await store.reports(of: "alice") == ["bob"])
        await #expect(throws: StoreError.notFound("carol")) {
            try await store.updateUser(named: "carol") { $0.enabled = false }
        }
    }

    public func aChangeThatThrowsChangesNothing() async throws {
        struct Refused: Error {}
        try await store.addUser(F.user("alice"))
        await #expect(throws: Refused.self) {
            try await store.updateUser(named: "alice") {
                $0.role = "admin"
                throw Refused()
            }
        }
        #expect(try await store.user(named: "alice") == F.user("alice"))
    }

    public func disablingAUserDeletesTheirSessionsOnly() async throws {
        try await store.addUser(F.user("alice"))
        try await store.addUser(F.user("bob"))
        try await store.createSession(F.session("a1", "alice"))
        try await store.createSession(F.session("a2", "alice"))
        try await store.createSession(F.session("b1", "bob"))
        let disabled = try await store.updateUser(named: "alice") { $0.enabled = false }
        #expect(!disabled.enabled)
        #expect(try await store.user(named: "alice")?.enabled == false)
        #expect(try await store.session(tokenHash: "a1") == nil)
        #expect(try await store.session(tokenHash: "a2") == nil)
        #expect(try await store.session(tokenHash: "b1") != nil)
    }
}
