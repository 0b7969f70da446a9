import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import Testing

/// What every `DeviceStore` does: devices belong to existing users, revoking one (or disabling its user) ends
/// its sessions and refresh tokens in one transaction and remembers their hashes, so its next request is
/// answered "revoked".
public struct DeviceStoreConformance: Sendable {
    public let store: any DeviceStore & UserStore & SessionStore

    public init(store: any DeviceStore & UserStore & SessionStore) {
        self.store = store
    }

    private typealias F = AccountsFixture

    static func device(_ user: String, _ name: String, at seconds: Int = 0) -> Device {
        Device(id: RecordID.make(), user: user, name: name, createdAt: F.time(seconds))
    }

    static func token(_ hash: String, _ device: Device, expires seconds: Int = 86_400) -> RefreshToken {
        RefreshToken(
            tokenHash: hash, device: device.id, user: device.user, createdAt: F.start, expiresAt: F.time(seconds))
    }

    static func session(_ hash: String, _ device: Device) -> Session {
        F.session(hash, device.user, device: device.id)
    }

    /// alice and bob, each with a device.
    func setUp() async throws -> (alice: Device, bob: Device) {
        try await store.addUser(F.user("alice"))
        try await store.addUser(F.user("bob"))
        let alice = Self.device("alice", "alice-laptop", at: 10)
        let bob = Self.device("bob", "bob-desktop", at: 5)
        try await store.addDevice(alice)
        try await store.addDevice(bob)
        return (alice, bob)
    }

    public func addedDevicesReadBackAndListByUserThenRegistration() async throws {
        let (alice, bob) = try await setUp()
        let second = Self.device("alice", "alice-desktop", at: 1)
        try await store.addDevice(second)
        #expect(try await store.device(id: alice.id) == alice)
        #expect(try await store.device(id: RecordID.make()) == nil)
        #expect(try await store.devices(user: "alice") == [second, alice])
        #expect(try await store.devices(user: nil) == [second, alice, bob])
        #expect(try await store.devices(user: "nobody") == [])
        #expect(!alice.isRevoked)
    }

    public func aDeviceNeedsAnExistingUserAndAFreshId() async throws {
        let (alice, _) = try await setUp()
        await #expect(throws: StoreError.notFound("carol")) { try await store.addDevice(Self.device("carol", "x")) }
        await #expect(throws: StoreError.alreadyExists(alice.id)) {
            var copy = Self.device("bob", "copy")
            copy.id = alice.id
            try await store.addDevice(copy)
        }
        #expect(try await store.device(id: alice.id) == alice)
        await #expect(throws: StoreError.notFound("missing")) {
            var orphan = Self.token("h", alice)
            orphan.device = "missing"
            try await store.createRefreshToken(orphan)
        }
    }

    public func sessionsRememberTheirDevice() async throws {
        let (alice, _) = try await setUp()
        let bound = Self.session("s1", alice)
        try await store.createSession(bound)
        try await store.createSession(F.session("s2", "alice"))
        #expect(try await store.session(tokenHash: "s1") == bound)
        #expect(try await store.session(tokenHash: "s2")?.device == nil)
    }

    public func revokingEndsOnlyThatDevicesTokensAndSessionsAndRemembersThem() async throws {
        let (alice, bob) = try await setUp()
        let other = Self.device("alice", "alice-phone", at: 20)
        try await store.addDevice(other)
        for (hash, device) in [("r-alice", alice), ("r-other", other), ("r-bob", bob)] {
            try await store.createRefreshToken(Self.token(hash, device))
            try await store.createSession(Self.session("s-" + hash, device))
        }
        try await store.createSession(F.session("s-plain", "alice"))
        #expect(try await store.refreshToken(tokenHash: "r-alice") == Self.token("r-alice", alice))

        let revoked = try await store.revokeDevice(id: alice.id, at: F.time(100))
        #expect(revoked.revokedAt == F.time(100))
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
        #expect(try await store.revokeDevice(id: alice.id, at: F.time(200)).revokedAt == F.time(100))
        await #expect(throws: StoreError.notFound("nope")) {
            try await store.revokeDevice(id: "nope", at: F.start)
        }

        // The remembered hashes go when they would have expired.
        try await store.deleteExpiredSessions(before: F.time(7200))
        #expect(try await store.revokedDevice(tokenHash: "s-r-alice") == nil)
        #expect(try await store.revokedDevice(tokenHash: "r-alice") == alice.id)
    }

    public func touchingRecordsLastSeenButNotOnARevokedDevice() async throws {
        let (alice, bob) = try await setUp()
        try await store.touchDevice(id: alice.id, at: F.time(60))
        #expect(try await store.device(id: alice.id)?.lastSeenAt == F.time(60))
        _ = try await store.revokeDevice(id: bob.id, at: F.time(1))
        try await store.touchDevice(id: bob.id, at: F.time(60))
        #expect(try await store.device(id: bob.id)?.lastSeenAt == nil)
        try await store.touchDevice(id: "unknown", at: F.time(60))
    }

    public func deletingARefreshTokenLeavesTheDevice() async throws {
        let (alice, _) = try await setUp()
        try await store.createRefreshToken(Self.token("r", alice))
        try await store.deleteRefreshToken(tokenHash: "r")
        #expect(try await store.refreshToken(tokenHash: "r") == nil)
        #expect(try await store.device(id: alice.id)?.isRevoked == false)
    }

    public func disablingAUserRevokesTheirDevicesAndEndsTheirTokensInOneTransaction() async throws {
        let (alice, bob) = try await setUp()
        try await store.createRefreshToken(Self.token("r-alice", alice))
        try await store.createRefreshToken(Self.token("r-bob", bob))
        try await store.createSession(Self.session("s-alice", alice))
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

    /// Two registrations of one id at once (two servers): one device, and the other is told it exists.
    public func concurrentRegistrationsOfOneIdKeepOne() async throws {
        _ = try await setUp()
        let store = store
        let id = RecordID.make()
        let outcomes = await withTaskGroup(of: (String, (any Error)?).self) { group in
            for index in 0..<6 {
                group.addTask {
                    var device = Self.device(index.isMultiple(of: 2) ? "alice" : "bob", "device-\(index)")
                    device.id = id
                    do {
                        try await store.addDevice(device)
                        return (device.name, nil)
                    } catch {
                        return (device.name, error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.filter { $0.1 == nil }.map(\.0)
        #expect(winners.count == 1)
        for (name, error) in outcomes where error != nil {
            #expect(error as? StoreError == .alreadyExists(id), "\(name): \(String(describing: error))")
        }
        #expect(try await store.device(id: id)?.name == winners.first)
    }
}
