import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import Testing

/// The sync tables: scope deltas applied only on acknowledgement, the reference phase's queries, the pages of
/// live records a re-evaluation walks, the sync log, and the retention purge.
public struct SyncStoreConformance: Sendable {
    public let store: any RecordStore & SyncStore

    public init(store: any RecordStore & SyncStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    public func aPagesScopeChangesApplyOnlyWhenItsGenerationIsAcknowledged() async throws {
        try await store.saveSyncState(DeviceSyncState(device: "d1", user: "alice"))
        let a = ScopeEntry(id: Fixture.id(1), type: "Account", version: 1, reason: .filter)
        let first = try await store.setPending(device: "d1", delta: ScopeDelta(upserts: [a]))
        #expect(try await store.scopeEntries(device: "d1", ids: [a.id]).isEmpty)
        // A page computed again (the answer was lost) replaces the pending one under a new generation.
        let b = ScopeEntry(id: Fixture.id(2), type: "Contact", version: 3, reason: .reference)
        let second = try await store.setPending(device: "d1", delta: ScopeDelta(upserts: [a, b]))
        #expect(second == first + 1)
        #expect(try await store.acknowledge(device: "d1", generation: first) == false)
        #expect(try await store.acknowledge(device: "d1", generation: second))
        #expect(try await store.scopeEntries(device: "d1", ids: [a.id, b.id]) == [a.id: a, b.id: b])
        #expect(try await store.syncState(device: "d1")?.ackedGeneration == second)
        #expect(try await store.acknowledge(device: "d1", generation: second) == false)

        let third = try await store.setPending(device: "d1", delta: ScopeDelta(removes: [a.id]))
        #expect(try await store.acknowledge(device: "d1", generation: third))
        #expect(try await store.scopeCounts(device: "d1") == ["Contact": 1])
        #expect(try await store.scopeEntries(device: "d1", type: "Contact", after: "", through: nil) == [b])
        try await store.clearScope(device: "d1")
        #expect(try await store.scopeCounts(device: "d1").isEmpty)
    }

    public func savingTheStateNeverMovesGenerationsBackwards() async throws {
        let stale = DeviceSyncState(device: "d1", user: "alice")
        try await store.saveSyncState(stale)
        let generation = try await store.setPending(device: "d1", delta: ScopeDelta())
        _ = try await store.acknowledge(device: "d1", generation: generation)
        var changed = stale
        changed.filter = "my-team"
        try await store.saveSyncState(changed)
        let state = try #require(try await store.syncState(device: "d1"))
        #expect(state.filter == "my-team")
        #expect(state.ackedGeneration == generation)
        #expect(state.nextGeneration == generation + 1)
    }

    public func liveRecordsPageWhatTheUsersMaySeeById() async throws {
        let mine = try await store.insert(
            Fixture.record("Account", id: Fixture.id(0x10), owner: "alice", ["name": "A"]))
        let shared = try await store.insert(
            Fixture.record("Account", id: Fixture.id(0x20), owner: "bob", team: ["alice"], ["name": "B"]))
        let other = try await store.insert(
            Fixture.record("Account", id: Fixture.id(0x30), owner: "carol", ["name": "C"]))
        let gone = try await store.insert(
            Fixture.record("Account", id: Fixture.id(0x05), owner: "alice", ["name": "D"]))
        _ = try await store.delete(id: gone.id, expectedVersion: nil, by: "alice", at: Fixture.time(1)) { _ in [] }
        try await store.insert(Fixture.record("Contact", id: Fixture.id(0x01), owner: "alice", ["lastName": "E"]))

        func ids(_ visibility: VisibilityScope, after: String = "", limit: Int = 10) async throws -> [String] {
            try await store.liveRecords(type: "Account", visibility: visibility, after: after, limit: limit).map(\.id)
        }
        #expect(try await ids(.users(["alice"])) == [mine.id, shared.id])
        #expect(try await ids(.users(["alice"]), limit: 1) == [mine.id])
        #expect(try await ids(.users(["alice"]), after: mine.id) == [shared.id])
        #expect(try await ids(.users(["bob", "carol"])) == [shared.id, other.id])
        #expect(try await ids(.all) == [mine.id, shared.id, other.id])
        // Many users: the same answer by another plan.
        let many = Set((0..<300).map { "user\($0)" } + ["alice"])
        #expect(try await ids(.users(many)) == [mine.id, shared.id])
    }

    public func referencePhaseQueriesFollowTheRecordsHeldThroughTheFilter() async throws {
        let account = try await store.insert(Fixture.record("Account", id: Fixture.id(0x10), ["name": "Acme"]))
        let contact = try await store.insert(
            Fixture.record("Contact", id: Fixture.id(0x20), ["lastName": "Lee", "accountId": .string(account.id)]),
            references: [account.id])
        try await store.saveSyncState(DeviceSyncState(device: "d1", user: "alice"))
        let held = ScopeEntry(id: contact.id, type: "Contact", version: 1, reason: .filter)
        _ = try await store.acknowledge(
            device: "d1", generation: try await store.setPending(device: "d1", delta: ScopeDelta(upserts: [held])))
        #expect(try await store.missingReferences(device: "d1") == [account.id])
        #expect(try await store.isReferenced(device: "d1", target: account.id))
        let reference = ScopeEntry(id: account.id, type: "Account", version: 1, reason: .reference)
        _ = try await store.acknowledge(
            device: "d1", generation: try await store.setPending(device: "d1", delta: ScopeDelta(upserts: [reference])))
        #expect(try await store.missingReferences(device: "d1").isEmpty)
        #expect(try await store.orphanedReferences(device: "d1").isEmpty)

        // The contact drops its account: the account is held for nothing any more.
        _ = try await store.update(id: contact.id, expectedVersion: 1, references: []) {
            $0.applying(["accountId": .null], by: "alice", at: Fixture.time(5))
        }
        #expect(try await store.isReferenced(device: "d1", target: account.id) == false)
        #expect(try await store.orphanedReferences(device: "d1") == [reference])
        #expect(try await store.missingReferences(device: "d1").isEmpty)
        #expect(
            try await store.scopeEntries(device: "d1", type: "Account", after: "", through: account.id) == [reference])
        #expect(try await store.scopeEntries(device: "d1", type: "Account", after: account.id, through: nil).isEmpty)
    }

    public func syncSessionsAreLoggedCountedEndedAndListed() async throws {
        let first = SyncSessionRow(
            id: "s1", user: "alice", device: "d1", startedAt: Fixture.time(0), expiresAt: Fixture.time(60),
            filter: Data(#"{"types":["Account"]}"#.utf8))
        let second = SyncSessionRow(
            id: "s2", user: "bob", device: "d2", startedAt: Fixture.time(10), expiresAt: Fixture.time(70),
            filter: Data("{}".utf8))
        try await store.createSyncSession(first)
        try await store.createSyncSession(second)
        try await store.recordActivity(session: "s1", counts: SyncCounts(pulled: 3), expiresAt: Fixture.time(90))
        try await store.recordActivity(
            session: "s1", counts: SyncCounts(pulled: 2, pushed: 1), expiresAt: Fixture.time(95))
        try await store.endSyncSession(
            id: "s1", at: Fixture.time(100), clientCounts: SyncCounts(pulled: 5), errors: ["op-7 was refused"])
        var expected = first
        expected.counts = SyncCounts(pulled: 5, pushed: 1)
        expected.expiresAt = Fixture.time(95)
        expected.endedAt = Fixture.time(100)
        expected.clientCounts = SyncCounts(pulled: 5)
        expected.errors = ["op-7 was refused"]
        #expect(try await store.syncSession(id: "s1") == expected)
        #expect(try await store.syncSession(id: "s3") == nil)
        #expect(try await store.syncSessions(SyncSessionQuery()).map(\.id) == ["s2", "s1"])
        #expect(try await store.syncSessions(SyncSessionQuery(user: "alice")).map(\.id) == ["s1"])
        #expect(try await store.syncSessions(SyncSessionQuery(device: "d2")).map(\.id) == ["s2"])
        #expect(try await store.syncSessions(SyncSessionQuery(withErrors: true)).map(\.id) == ["s1"])
        #expect(try await store.syncSessions(SyncSessionQuery(since: Fixture.time(5))).map(\.id) == ["s2"])
        #expect(try await store.syncSessions(SyncSessionQuery(until: Fixture.time(5))).map(\.id) == ["s1"])
        #expect(try await store.syncSessions(SyncSessionQuery(limit: 1)).map(\.id) == ["s2"])
        await #expect(throws: StoreError.notFound("s3")) {
            try await store.endSyncSession(id: "s3", at: Fixture.time(1), clientCounts: SyncCounts(), errors: [])
        }
        await #expect(throws: StoreError.notFound("s3")) {
            try await store.recordActivity(session: "s3", counts: SyncCounts(), expiresAt: Fixture.time(1))
        }
    }

    /// What a begin, a pull and a long-poll read or write together (`beginSyncSession`, `syncSessionFacts`,
    /// `pageSent`) does what the separate calls do.
    public func aBeginAPageAndTheSessionFactsActAsTheirSeparateSteps() async throws {
        try await store.saveSyncState(DeviceSyncState(device: "d1", user: "alice"))
        let open = SyncSessionRow(
            id: "s1", user: "alice", device: "d1", startedAt: Fixture.time(0), expiresAt: Fixture.time(60),
            filter: Data("{}".utf8))
        let other = SyncSessionRow(
            id: "s2", user: "bob", device: "d2", startedAt: Fixture.time(0), expiresAt: Fixture.time(60),
            filter: Data("{}".utf8))
        try await store.createSyncSession(open)
        try await store.createSyncSession(other)
        var state = DeviceSyncState(device: "d1", user: "alice")
        state.filter = "mine"
        let begun = SyncSessionRow(
            id: "s3", user: "alice", device: "d1", startedAt: Fixture.time(10), expiresAt: Fixture.time(70),
            filter: Data(#"{"types":["Account"]}"#.utf8))
        try await store.beginSyncSession(begun, state: state)
        var superseded = open
        superseded.endedAt = Fixture.time(10)
        superseded.clientCounts = SyncCounts()
        superseded.errors = ["superseded by session s3"]
        #expect(try await store.syncSession(id: "s1") == superseded)
        #expect(try await store.syncSession(id: "s2") == other)
        #expect(try await store.syncSession(id: "s3") == begun)
        #expect(try await store.syncState(device: "d1")?.filter == "mine")

        let facts = try await store.syncSessionFacts(id: "s3")
        #expect(facts.session == begun)
        let meta = try await store.syncMeta()
        #expect(facts.meta == meta)
        #expect(facts.state?.filter == "mine")
        #expect(try await store.syncSessionFacts(id: "s9").session == nil)

        let entry = ScopeEntry(id: Fixture.id(1), type: "Account", version: 1, reason: .filter)
        let generation = try await store.pageSent(
            device: "d1", delta: ScopeDelta(upserts: [entry]), session: "s3", counts: SyncCounts(pulled: 2),
            expiresAt: Fixture.time(80))
        #expect(try await store.syncState(device: "d1")?.pendingGeneration == generation)
        #expect(try await store.syncSession(id: "s3")?.counts == SyncCounts(pulled: 2))
        #expect(try await store.syncSession(id: "s3")?.expiresAt == Fixture.time(80))
        #expect(try await store.acknowledge(device: "d1", generation: generation))
        #expect(try await store.scopeEntries(device: "d1", ids: [entry.id]) == [entry.id: entry])
    }

    public func theStoreHasAnEpochAndACursorKey() async throws {
        let meta = try await store.syncMeta()
        #expect(meta.epoch.count >= 16)
        #expect(meta.cursorKey.count >= 32)
        #expect(try await store.syncMeta() == meta)
    }

    public func thePurgeDropsOnlyWhatTheRetentionHorizonPassed() async throws {
        let old = try await store.insert(Fixture.record("Account", ["name": "Old"]), references: [])
        let recent = try await store.insert(Fixture.record("Account", ["name": "Recent"]), references: [])
        let live = try await store.insert(Fixture.record("Account", ["name": "Live"]), references: [])
        _ = try await store.delete(id: old.id, expectedVersion: nil, by: "alice", at: Fixture.time(0)) { _ in [] }
        _ = try await store.delete(id: recent.id, expectedVersion: nil, by: "alice", at: Fixture.time(1000)) { _ in [] }
        try await store.push { tx in
            try tx.saveOpResult(device: "d1", opId: "old", result: Data("x".utf8), at: Fixture.time(0))
            try tx.saveOpResult(device: "d1", opId: "new", result: Data("y".utf8), at: Fixture.time(1000))
        }
        #expect(try await store.syncMeta().purgedSequence == 0)
        let oldTombstone = try #require(try await store.record(id: old.id))
        let removed = try await store.purge(before: Fixture.time(500))
        #expect(removed == 2)
        #expect(try await store.syncMeta().purgedSequence == oldTombstone.seq)
        #expect(try await store.record(id: old.id) == nil)
        #expect(try await store.record(id: recent.id)?.deleted == true)
        #expect(try await store.record(id: live.id)?.deleted == false)
        #expect(Set(try await store.opResults(device: "d1", opIds: ["old", "new"]).keys) == ["new"])
    }
}
