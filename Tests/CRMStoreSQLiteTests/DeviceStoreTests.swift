import CRMModel
import CRMStore
import CRMStoreSQLite
import CRMSyncProtocol
import Foundation
import GRDB
import Testing

@Suite("Devices and refresh tokens")
struct DeviceStoreTests {
    static func user(_ name: String) -> User {
        User(name: name, passwordHash: "$2b$04$hash-of-\(name)", role: "sales-rep", createdAt: Fixture.start)
    }

    static func device(_ user: String, _ name: String, at seconds: Int = 0) -> Device {
        Device(id: RecordID.make(), user: user, name: name, createdAt: Fixture.time(seconds))
    }

    static func token(_ hash: String, _ device: Device, expires seconds: Int = 86_400) -> RefreshToken {
        RefreshToken(
            tokenHash: hash, device: device.id, user: device.user, createdAt: Fixture.start,
            expiresAt: Fixture.time(seconds))
    }

    /// alice and bob, each with a device.
    static func setUp(_ store: SQLiteStore) async throws -> (alice: Device, bob: Device) {
        try await store.addUser(user("alice"))
        try await store.addUser(user("bob"))
        let alice = device("alice", "alice-laptop", at: 10)
        let bob = device("bob", "bob-desktop", at: 5)
        try await store.addDevice(alice)
        try await store.addDevice(bob)
        return (alice, bob)
    }

    @Test func addedDevicesReadBackAndListByUserThenRegistration() async throws {
        try await withStore { store in
            let (alice, bob) = try await Self.setUp(store)
            let second = Self.device("alice", "alice-desktop", at: 1)
            try await store.addDevice(second)
            #expect(try await store.device(id: alice.id) == alice)
            #expect(try await store.device(id: RecordID.make()) == nil)
            #expect(try await store.devices(user: "alice") == [second, alice])
            #expect(try await store.devices(user: nil) == [second, alice, bob])
            #expect(try await store.devices(user: "nobody") == [])
            #expect(!alice.isRevoked)
        }
    }

    @Test func aDeviceNeedsAnExistingUserAndAFreshId() async throws {
        try await withStore { store in
            let (alice, _) = try await Self.setUp(store)
            await #expect(throws: StoreError.notFound("carol")) { try await store.addDevice(Self.device("carol", "x")) }
            await #expect(throws: StoreError.alreadyExists(alice.id)) {
                var copy = Self.device("bob", "copy")
                copy.id = alice.id
                try await store.addDevice(copy)
            }
            await #expect(throws: StoreError.notFound("missing")) {
                var orphan = Self.token("h", alice)
                orphan.device = "missing"
                try await store.createRefreshToken(orphan)
            }
        }
    }

    @Test func sessionsRememberTheirDevice() async throws {
        try await withStore { store in
            let (alice, _) = try await Self.setUp(store)
            let bound = Session(
                tokenHash: "s1", user: "alice", createdAt: Fixture.start, expiresAt: Fixture.time(3600),
                device: alice.id)
            try await store.createSession(bound)
            try await store.createSession(
                Session(tokenHash: "s2", user: "alice", createdAt: Fixture.start, expiresAt: Fixture.time(3600)))
            #expect(try await store.session(tokenHash: "s1") == bound)
            #expect(try await store.session(tokenHash: "s2")?.device == nil)
        }
    }

    @Test func revokingEndsOnlyThatDevicesTokensAndSessionsAndRemembersThem() async throws {
        try await withStore { store in
            let (alice, bob) = try await Self.setUp(store)
            let other = Self.device("alice", "alice-phone", at: 20)
            try await store.addDevice(other)
            for (hash, device) in [("r-alice", alice), ("r-other", other), ("r-bob", bob)] {
                try await store.createRefreshToken(Self.token(hash, device))
                try await store.createSession(
                    Session(tokenHash: "s-" + hash, user: device.user, createdAt: Fixture.start,
                        expiresAt: Fixture.time(3600), device: device.id))
            }
            try await store.createSession(
                Session(tokenHash: "s-plain", user: "alice", createdAt: Fixture.start, expiresAt: Fixture.time(3600)))
            #expect(try await store.refreshToken(tokenHash: "r-alice") == Self.token("r-alice", alice))

            let revoked = try await store.revokeDevice(id: alice.id, at: Fixture.time(100))
            #expect(revoked.revokedAt == Fixture.time(100))
            #expect(revoked.isRevoked)
            #expect(try await store.device(id: alice.id) == revoked)
            #expect(try await store.refreshToken(tokenHash: "r-alice") == nil)
            #expect(try await store.session(tokenHash: "s-r-alice") == nil)
            #expect(try await store.revokedDevice(tokenHash: "r-alice") == alice.id)
            #expect(try await store.revokedDevice(tokenHash: "s-r-alice") == alice.id)
            // Everything else stays.
            #expect(try await store.refreshToken(tokenHash: "r-other") != nil)
            #expect(try await store.session(tokenHash: "s-r-bob") != nil)
            #expect(try await store.session(tokenHash: "s-plain") != nil)
            #expect(try await store.revokedDevice(tokenHash: "r-other") == nil)

            // A second revoke keeps the first time; an unknown id is not found.
            #expect(try await store.revokeDevice(id: alice.id, at: Fixture.time(200)).revokedAt == Fixture.time(100))
            await #expect(throws: StoreError.notFound("nope")) {
                try await store.revokeDevice(id: "nope", at: Fixture.start)
            }

            // The remembered hashes go when they would have expired.
            try await store.deleteExpiredSessions(before: Fixture.time(7200))
            #expect(try await store.revokedDevice(tokenHash: "s-r-alice") == nil)
            #expect(try await store.revokedDevice(tokenHash: "r-alice") == alice.id)
        }
    }

    @Test func touchingRecordsLastSeenButNotOnARevokedDevice() async throws {
        try await withStore { store in
            let (alice, bob) = try await Self.setUp(store)
            try await store.touchDevice(id: alice.id, at: Fixture.time(60))
            #expect(try await store.device(id: alice.id)?.lastSeenAt == Fixture.time(60))
            _ = try await store.revokeDevice(id: bob.id, at: Fixture.time(1))
            try await store.touchDevice(id: bob.id, at: Fixture.time(60))
            #expect(try await store.device(id: bob.id)?.lastSeenAt == nil)
            try await store.touchDevice(id: "unknown", at: Fixture.time(60))
        }
    }

    @Test func deletingARefreshTokenLeavesTheDevice() async throws {
        try await withStore { store in
            let (alice, _) = try await Self.setUp(store)
            try await store.createRefreshToken(Self.token("r", alice))
            try await store.deleteRefreshToken(tokenHash: "r")
            #expect(try await store.refreshToken(tokenHash: "r") == nil)
            #expect(try await store.device(id: alice.id)?.isRevoked == false)
        }
    }

    @Test func disablingAUserRevokesTheirDevicesAndEndsTheirTokensInOneTransaction() async throws {
        try await withStore { store in
            let (alice, bob) = try await Self.setUp(store)
            try await store.createRefreshToken(Self.token("r-alice", alice))
            try await store.createRefreshToken(Self.token("r-bob", bob))
            try await store.createSession(
                Session(tokenHash: "s-alice", user: "alice", createdAt: Fixture.start, expiresAt: Fixture.time(3600),
                    device: alice.id))
            _ = try await store.updateUser(named: "alice") { $0.enabled = false }
            #expect(try await store.device(id: alice.id)?.isRevoked == true)
            #expect(try await store.refreshToken(tokenHash: "r-alice") == nil)
            #expect(try await store.session(tokenHash: "s-alice") == nil)
            #expect(try await store.revokedDevice(tokenHash: "s-alice") == alice.id)
            #expect(try await store.revokedDevice(tokenHash: "r-alice") == alice.id)
            #expect(try await store.device(id: bob.id)?.isRevoked == false)
            #expect(try await store.refreshToken(tokenHash: "r-bob") != nil)
            // Enabling the user again does not bring the devices back.
            _ = try await store.updateUser(named: "alice") { $0.enabled = true }
            #expect(try await store.device(id: alice.id)?.isRevoked == true)
        }
    }

    @Test func theMigrationAddsTheDevicesSchemaAfterTheFirstOne() async throws {
        try await withStore { store in
            let applied = try await store.pool.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
            }
            #expect(Array(applied.prefix(2)) == ["v1-records-users-sessions", "v2-devices"])
        }
    }
}
