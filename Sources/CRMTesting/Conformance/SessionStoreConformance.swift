import CRMStore
import Foundation
import Testing

/// What every `SessionStore` does: sessions by token hash, deleted one by one, by user, or by expiry.
public struct SessionStoreConformance: Sendable {
    public let store: any UserStore & SessionStore

    public init(store: any UserStore & SessionStore) {
        self.store = store
    }

    private typealias F = AccountsFixture

    public func sessionIsCreatedFetchedByHashAndDeleted() async throws {
        try await store.addUser(F.user("alice"))
        let session = F.session("hash-1", "alice")
        try await store.createSession(session)
        #expect(try await store.session(tokenHash: "hash-1") == session)
        #expect(try await store.session(tokenHash: "hash-2") == nil)
        try await store.deleteSession(tokenHash: "hash-1")
        #expect(try await store.session(tokenHash: "hash-1") == nil)
        try await store.deleteSession(tokenHash: "hash-1")
    }

    public func deleteSessionsOfUserKeepsOthers() async throws {
        try await store.addUser(F.user("alice"))
        try await store.addUser(F.user("bob"))
        for token in ["a1", "a2"] { try await store.createSession(F.session(token, "alice")) }
        try await store.createSession(F.session("b1", "bob"))
        try await store.deleteSessions(user: "alice")
        #expect(try await store.session(tokenHash: "a1") == nil)
        #expect(try await store.session(tokenHash: "a2") == nil)
        #expect(try await store.session(tokenHash: "b1") == F.session("b1", "bob"))
    }

    public func deleteExpiredSessionsRemovesOnlyThoseExpiredBeforeTheDate() async throws {
        try await store.addUser(F.user("alice"))
        try await store.createSession(F.session("old", "alice", expires: 10))
        try await store.createSession(F.session("boundary", "alice", expires: 20))
        try await store.createSession(F.session("fresh", "alice", expires: 30))
        try await store.deleteExpiredSessions(before: F.time(20))
        #expect(try await store.session(tokenHash: "old") == nil)
        #expect(try await store.session(tokenHash: "boundary") != nil)
        #expect(try await store.session(tokenHash: "fresh") != nil)
    }

    public func aSessionOfAnUnknownUserIsRefused() async throws {
        await #expect(throws: StoreError.self) { try await store.createSession(F.session("x", "nobody")) }
        #expect(try await store.session(tokenHash: "x") == nil)
    }
}
