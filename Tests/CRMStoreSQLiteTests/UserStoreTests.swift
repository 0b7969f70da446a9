import CRMStore
import CRMStoreSQLite
import Foundation
import Testing

@Suite("Users and sessions")
struct UserStoreTests {
    static func user(_ name: String, manager: String? = nil, role: String = "sales-rep") -> User {
        User(
            name: name, passwordHash: "$2b$04$hash-of-\(name)", role: role, manager: manager,
            emails: ["\(name)@example.com"], createdAt: Fixture.start)
    }

    static func session(_ token: String, _ user: String, expires seconds: Int = 3600) -> Session {
        Session(tokenHash: token, user: user, createdAt: Fixture.start, expiresAt: Fixture.time(seconds))
    }

    @Test func addedUserReadsBackExactly() async throws {
        try await withStore { store in
            let alice = Self.user("alice")
            try await store.addUser(alice)
            #expect(try await store.user(named: "alice") == alice)
            #expect(try await store.user(named: "nobody") == nil)
            try await store.addUser(Self.user("bob", manager: "alice"))
            #expect(try await store.users().map(\.name) == ["alice", "bob"])
        }
    }

    @Test func addingAnExistingNameIsRefused() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("alice"))
            await #expect(throws: StoreError.alreadyExists("alice")) {
                try await store.addUser(Self.user("alice", role: "admin"))
            }
            #expect(try await store.user(named: "alice")?.role == "sales-rep")
        }
    }

    @Test func reportsAreTransitiveAndExcludeTheUser() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("ceo", role: "sales-manager"))
            try await store.addUser(Self.user("vp", manager: "ceo", role: "sales-manager"))
            try await store.addUser(Self.user("lead", manager: "vp", role: "sales-manager"))
            try await store.addUser(Self.user("rep", manager: "lead"))
            try await store.addUser(Self.user("outsider"))
            #expect(try await store.reports(of: "ceo") == ["vp", "lead", "rep"])
            #expect(try await store.reports(of: "vp") == ["lead", "rep"])
            #expect(try await store.reports(of: "rep") == [])
            #expect(try await store.reports(of: "nobody") == [])
        }
    }

    @Test func managerCycleEndsAndStillExcludesTheUser() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("a"))
            try await store.addUser(Self.user("b", manager: "a"))
            _ = try await store.updateUser(named: "a") { $0.manager = "b" }
            #expect(try await store.reports(of: "a") == ["b"])
        }
    }

    @Test func updateUserChangesFieldsButNotCreation() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("alice"))
            try await store.addUser(Self.user("bob"))
            let changed = try await store.updateUser(named: "bob") {
                $0.manager = "alice"
                $0.role = "sales-manager"
                $0.emails = ["bob@work.example", "b@home.example"]
            }
            #expect(try await store.user(named: "bob") == changed)
            #expect(changed.createdAt == Fixture.start)
            #expect(try await store.reports(of: "alice") == ["bob"])
            await #expect(throws: StoreError.notFound("carol")) {
                try await store.updateUser(named: "carol") { $0.enabled = false }
            }
        }
    }

    @Test func disablingUserDeletesTheirSessionsOnly() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("alice"))
            try await store.addUser(Self.user("bob"))
            try await store.createSession(Self.session("a1", "alice"))
            try await store.createSession(Self.session("a2", "alice"))
            try await store.createSession(Self.session("b1", "bob"))
            let disabled = try await store.updateUser(named: "alice") { $0.enabled = false }
            #expect(!disabled.enabled)
            #expect(try await store.user(named: "alice")?.enabled == false)
            #expect(try await store.session(tokenHash: "a1") == nil)
            #expect(try await store.session(tokenHash: "a2") == nil)
            #expect(try await store.session(tokenHash: "b1") != nil)
        }
    }

    @Test func sessionIsCreatedFetchedByHashAndDeleted() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("alice"))
            let session = Self.session("hash-1", "alice")
            try await store.createSession(session)
            #expect(try await store.session(tokenHash: "hash-1") == session)
            #expect(try await store.session(tokenHash: "hash-2") == nil)
            try await store.deleteSession(tokenHash: "hash-1")
            #expect(try await store.session(tokenHash: "hash-1") == nil)
            try await store.deleteSession(tokenHash: "hash-1")
        }
    }

    @Test func deleteSessionsOfUserKeepsOthers() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("alice"))
            try await store.addUser(Self.user("bob"))
            for token in ["a1", "a2"] { try await store.createSession(Self.session(token, "alice")) }
            try await store.createSession(Self.session("b1", "bob"))
            try await store.deleteSessions(user: "alice")
            #expect(try await store.session(tokenHash: "a1") == nil)
            #expect(try await store.session(tokenHash: "a2") == nil)
            #expect(try await store.session(tokenHash: "b1") == Self.session("b1", "bob"))
        }
    }

    @Test func deleteExpiredSessionsRemovesOnlyThoseExpiredBeforeTheDate() async throws {
        try await withStore { store in
            try await store.addUser(Self.user("alice"))
            try await store.createSession(Self.session("old", "alice", expires: 10))
            try await store.createSession(Self.session("boundary", "alice", expires: 20))
            try await store.createSession(Self.session("fresh", "alice", expires: 30))
            try await store.deleteExpiredSessions(before: Fixture.time(20))
            #expect(try await store.session(tokenHash: "old") == nil)
            #expect(try await store.session(tokenHash: "boundary") != nil)
            #expect(try await store.session(tokenHash: "fresh") != nil)
        }
    }
}
