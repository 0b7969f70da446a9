import CRMModel
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
import Testing

/// The sync tables of the SQLite store: scope deltas applied only on acknowledgement, push transactions
/// with savepoints and stored op results, duplicate look-ups, and the retention purge.
@Suite struct SyncStoreTests {
    private func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sync-store")
        defer { directory.remove() }
        try await body(try SQLiteStore(path: directory.path("crm.sqlite")))
    }

    @Test func aPagesScopeChangesApplyOnlyWhenItsGenerationIsAcknowledged() async throws {
        try await withStore { store in
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
    }

    @Test func savingTheStateNeverMovesGenerationsBackwards() async throws {
        try await withStore { store in
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
    }

    @Test func aRefusedOpInsideAPushRollsBackOnlyItsOwnWrites() async throws {
        try await withStore { store in
            struct Refused: Error {}
            let kept = Fixture.record("Account", ["name": "Kept"])
            let dropped = Fixture.record("Account", ["name": "Dropped"])
            try await store.push { tx in
                _ = try tx.insert(kept)
                try tx.saveOpResult(device: "d1", opId: "op-1", result: Data("one".utf8), at: Fixture.start)
                do {
                    try tx.savepoint {
                        _ = try tx.insert(dropped)
                        throw Refused()
                    }
                } catch is Refused {}
            }
            #expect(try await store.record(id: kept.id) != nil)
            #expect(try await store.record(id: dropped.id) == nil)
            #expect(try await store.opResults(device: "d1", opIds: ["op-1", "op-2"]) == ["op-1": Data("one".utf8)])
            #expect(try await store.opResults(device: "d2", opIds: ["op-1"]).isEmpty)
        }
    }

    @Test func duplicateLookUpsCompareTextWithoutCaseAndSkipTombstones() async throws {
        try await withStore { store in
            let ada = try await store.insert(
                Fixture.record("Contact", ["email": "Ada@Example.com", "lastName": "Lovelace"]), references: [])
            let gone = try await store.insert(Fixture.record("Contact", ["email": "gone@example.com"]), references: [])
            _ = try await store.delete(id: gone.id, expectedVersion: nil, by: "alice", at: Fixture.start) { _ in [] }
            let (byEmail, byBoth, byWrongType, deleted) = try await store.push { tx in
                (
                    try tx.matching(type: "Contact", values: ["email": "ada@example.COM"], limit: 5).map(\.id),
                    try tx.matching(type: "Contact", values: ["email": "ada@example.com", "lastName": "Byron"], limit: 5),
                    try tx.matching(type: "Account", values: ["email": "ada@example.com"], limit: 5),
                    try tx.matching(type: "Contact", values: ["email": "gone@example.com"], limit: 5)
                )
            }
            #expect(byEmail == [ada.id])
            #expect(byBoth.isEmpty)
            #expect(byWrongType.isEmpty)
            #expect(deleted.isEmpty)
        }
    }

    @Test func thePurgeDropsOnlyWhatTheRetentionHorizonPassed() async throws {
        try await withStore { store in
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
}
