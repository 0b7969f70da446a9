import CRMModel
import CRMStore
import Foundation
import Synchronization
import Testing

/// Push transactions: one transaction per batch whose reads see its own writes, savepoints per op, errors
/// that roll back, cancellation that stops the batch, stored op results, and look-ups (duplicates, global keys)
/// that stay true until the batch commits.
public struct PushConformance: Sendable {
    public let store: any RecordStore & SyncStore

    public init(store: any RecordStore & SyncStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    public func aRefusedOpInsideAPushRollsBackOnlyItsOwnWrites() async throws {
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

    public func duplicateLookUpsCompareTextWithoutCaseAndSkipTombstones() async throws {
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

    public func aPushThatThrowsStoresNothing() async throws {
        struct Refused: Error {}
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let before = try await store.lastSequence()
        let added = Fixture.record("Account", ["name": "Added"])
        // (No `#expect` inside push bodies: they may run on a thread of the store's, outside the test's task.)
        let seen = ConformanceBox<Int64?>(nil)
        await #expect(throws: Refused.self) {
            try await store.push { tx in
                _ = try tx.insert(added)
                if let current = try tx.record(id: account.id) {
                    _ = try tx.update(current.applying(["name": "Changed"], by: "bob", at: Fixture.time(1)))
                }
                try tx.saveOpResult(device: "d1", opId: "op-1", result: Data("one".utf8), at: Fixture.start)
                seen.value = try tx.record(id: added.id)?.seq
                throw Refused()
            }
        }
        // Reads inside the push saw its own writes; none of them stayed.
        #expect(seen.value == before + 1)
        #expect(try await store.record(id: added.id) == nil)
        #expect(try await store.record(id: account.id) == account)
        #expect(try await store.opResults(device: "d1", opIds: ["op-1"]).isEmpty)
        #expect(try await store.lastSequence() == before)
    }

    public func nestedSavepointsRollBackOnlyTheirOwnWrites() async throws {
        struct Refused: Error {}
        let outer = Fixture.record("Account", ["name": "Outer"])
        let inner = Fixture.record("Account", ["name": "Inner"])
        let after = Fixture.record("Account", ["name": "After"])
        let seqs = try await store.push { tx -> [Int64] in
            try tx.savepoint {
                let stored = try tx.insert(outer)
                do {
                    try tx.savepoint {
                        _ = try tx.insert(inner)
                        throw Refused()
                    }
                } catch is Refused {}
                // A refused op's number is given again: the feed has no holes it never fills.
                return [stored.seq, try tx.insert(after).seq]
            }
        }
        #expect(seqs[1] == seqs[0] + 1)
        #expect(try await store.record(id: outer.id) != nil)
        #expect(try await store.record(id: inner.id) == nil)
        #expect(try await store.record(id: after.id) != nil)
        #expect(try await store.lastSequence() == seqs[1])
    }

    public func storeRefusalsInsideAPushLeaveItUsable() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let missing = RecordID.make()
        let contact = Fixture.record("Contact", ["lastName": "Lee", "accountId": .string(account.id)])
        let (refusals, stored) = try await store.push { tx -> ([StoreError?], CRMModel.Record) in
            func refusal(_ body: () throws -> Void) -> StoreError? {
                do {
                    try body()
                    return nil
                } catch {
                    return error as? StoreError
                }
            }
            let refusals = [
                refusal { _ = try tx.insert(account) },
                refusal {
                    _ = try tx.insert(Fixture.record("Contact", ["lastName": "Kim", "accountId": .string(missing)]))
                },
            ]
            return (refusals, try tx.insert(contact))
        }
        #expect(refusals == [StoreError.alreadyExists(account.id), StoreError.missingReference(missing)])
        #expect(try await store.record(id: contact.id) == stored)
        #expect(try await store.countByType() == ["Account": 1, "Contact": 1])
    }

    public func aDeleteInsideAPushFollowsTheRules() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let note = try await store.insert(
            Fixture.record("Note", ["body": "x", "parentId": .string(account.id)]), references: [account.id])
        let contact = try await store.insert(
            Fixture.record("Contact", ["lastName": "Lee", "accountId": .string(account.id)]), references: [account.id])
        let (outcome, asked) = try await store.push { tx -> (DeleteOutcome, [String]) in
            guard let current = try tx.record(id: account.id) else { throw StoreError.notFound(account.id) }
            // A rule table the push owns (not Sendable), as the applier's package view is.
            var asked: [String] = []
            let outcome = try tx.delete(current, by: "bob", at: Fixture.time(9)) { type in
                asked.append(type)
                return type == "Account"
                    ? [ReferenceRule(sourceType: "Note", field: "parentId", many: false, onDelete: .cascade)] : []
            }
            return (outcome, asked)
        }
        #expect(asked.first == "Account")
        #expect(Set(outcome.deleted.map(\.id)) == [account.id, note.id])
        #expect(outcome.updated.map(\.id) == [contact.id])
        #expect(try await store.record(id: contact.id)?.fields["accountId"] == nil)
        let feed = try await store.changes(after: 0, limit: 10).map(\.id)
        #expect(Set(feed) == [account.id, note.id, contact.id] && feed.count == 3)

        // Many deletes in one push, each with its own rule closure (which must not outlive its call).
        var inserted: [CRMModel.Record] = []
        for index in 0..<30 {
            inserted.append(try await store.insert(Fixture.record("Account", ["name": .string("A\(index)")])))
        }
        let accounts = inserted
        let deleted = try await store.push { tx -> Int in
            var count = 0
            for account in accounts {
                let rules: [ReferenceRule] = []
                count += try tx.delete(account, by: "bob", at: Fixture.time(10)) { _ in rules }.deleted.count
            }
            return count
        }
        #expect(deleted == 30)
    }

    public func aCancelledPushStopsAndStoresNothing() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Before"]))
        let before = try await store.lastSequence()
        let started = ConformanceFlag()
        let store = self.store
        let push = Task {
            try await store.push { tx in
                _ = try tx.insert(Fixture.record("Account", ["name": "Never"]))
                started.raise()
                // Reads until the store stops it; a store that did not would return normally after a minute, and
                // the push would not have thrown.
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline {
                    _ = try tx.record(id: account.id)
                    Thread.sleep(forTimeInterval: 0.005)
                }
            }
        }
        while !started.isRaised { try await Task.sleep(for: .milliseconds(5)) }
        let clock = ContinuousClock()
        let cancelled = clock.now
        push.cancel()
        let result = await push.result
        #expect(clock.now - cancelled < .seconds(60))
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(try await store.lastSequence() == before)
        #expect(try await store.countByType() == ["Account": 1])
        // The store still works.
        try await store.push { tx in _ = try tx.insert(Fixture.record("Account", ["name": "After"])) }
        #expect(try await store.countByType() == ["Account": 2])
    }

    /// A global key (an email's Message-ID) must not be created twice by pushes that run at once: each looks
    /// the key up, then creates the record or joins the one found. The look-up stays true until the push
    /// commits (the SQLite store has one writer; PostgreSQL pushes hold the sequence counter's lock).
    public func concurrentPushesOfOneGlobalKeyMakeOneRecord() async throws {
        let messageId = "<\(UUID().uuidString)@example.com>"
        let users = ["alice", "bob", "carol", "dave"]
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for user in users {
                group.addTask { try await self.joinOrCreateActivity(messageId: messageId, user: user) }
            }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 1)
        let found = try await store.push { tx in
            try tx.matching(type: "Activity", values: ["messageId": .string(messageId.uppercased())], limit: 10)
        }
        #expect(found.count == 1)
        #expect(Set(found.flatMap { $0.team + [$0.owner] }) == Set(users))
    }

    /// What the push applier does for a global key: join the record found, or create it.
    private func joinOrCreateActivity(messageId: String, user: String) async throws -> String {
        try await store.push { tx in
            let key: [String: FieldValue] = ["messageId": .string(messageId)]
            if let existing = try tx.matching(type: "Activity", values: key, limit: 1).first {
                let joined = existing.assigned(
                    owner: nil, team: existing.team + [user], by: user, at: Fixture.time(1), since: existing)
                return try tx.update(joined).id
            }
            // Widen the window between the look-up and the insert: another push must wait, not find nothing too.
            Thread.sleep(forTimeInterval: 0.1)
            let record = Fixture.record("Activity", owner: user, ["subject": "Mail", "messageId": .string(messageId)])
            return try tx.insert(record).id
        }
    }

    public func aSavedOpResultIsReplacedAndReadInsideAPush() async throws {
        let read = try await store.push { tx in
            try tx.saveOpResult(device: "d1", opId: "op-1", result: Data("first".utf8), at: Fixture.time(0))
            try tx.saveOpResult(device: "d1", opId: "op-1", result: Data("second".utf8), at: Fixture.time(1))
            return [try tx.opResult(device: "d1", opId: "op-1"), try tx.opResult(device: "d2", opId: "op-1")]
        }
        #expect(read == [Data("second".utf8), nil])
        #expect(try await store.opResults(device: "d1", opIds: ["op-1"]) == ["op-1": Data("second".utf8)])
    }
}
