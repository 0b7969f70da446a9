import CRMModel
import CRMStore
import Foundation
import Testing

/// Text search: ranking, prefix matching of the last word, visibility, hidden fields, paging, and an index that
/// follows every write (updates, deletes, bulk inserts) and holds only text values.
public struct SearchConformance: Sendable {
    public let store: any RecordStore

    public init(store: any RecordStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    private func ids(_ text: String, _ visibility: VisibilityScope = .all, type: String = "Account",
        hiding hidden: Set<String> = []) async throws -> [String]
    {
        try await store.search(
            SearchQuery(type: type, text: text, visibility: visibility, hiddenFields: hidden, limit: 100)
        ).records.map(\.id)
    }

    public func betterMatchRanksFirst() async throws {
        // The weaker match has the lower id, so an order by id alone would put it first.
        let weak = try await store.insert(Fixture.record("Account", id: Fixture.id(0x01), [
            "name": "Globex Industries", "city": "Springfield",
            "description": "Supplier of widgets, gears, springs and bolts; once bought parts from acme",
        ]))
        let strong = try await store.insert(Fixture.record("Account", id: Fixture.id(0xff), [
            "name": "Acme", "city": "Acme",
        ]))
        try await store.insert(Fixture.record("Account", ["name": "Initech"]))
        #expect(try await ids("acme") == [strong.id, weak.id])
    }

    public func lastWordMatchesAsAPrefix() async throws {
        let acme = try await store.insert(Fixture.record("Account", ["name": "Acme Corporation", "city": "Zürich"]))
        try await store.insert(Fixture.record("Account", ["name": "Initech"]))
        #expect(try await ids("acm") == [acme.id])
        #expect(try await ids("ACME corp") == [acme.id])
        #expect(try await ids("corporation ac") == [acme.id])
        // Only the last word is a prefix; the others are whole words.
        #expect(try await ids("ac corporation").isEmpty)
        #expect(try await ids("acme globex").isEmpty)
        // Punctuation separates words and is never syntax.
        #expect(try await ids("\"acme\" OR* (corp") .isEmpty)
        #expect(try await ids("acme-corp") == [acme.id])
        #expect(try await ids("  ").isEmpty)
    }

    public func anotherUsersRecordsAreNeverFound() async throws {
        let mine = try await store.insert(Fixture.record("Account", owner: "alice", ["name": "Acme North"]))
        let shared = try await store.insert(
            Fixture.record("Account", owner: "carol", team: ["alice"], ["name": "Acme South"]))
        try await store.insert(Fixture.record("Account", owner: "bob", ["name": "Acme East"]))
        try await store.insert(Fixture.record("Contact", owner: "alice", ["lastName": "Acme"]))
        #expect(Set(try await ids("acme", .users(["alice"]))) == [mine.id, shared.id])
        #expect(try await ids("acme", .users(["zoe"])).isEmpty)
        #expect(try await ids("acme").count == 3)
        #expect(try await ids("acme", type: "Contact").count == 1)
    }

    public func hiddenFieldIsNotSearched() async throws {
        let acme = try await store.insert(Fixture.record("Account", ["name": "Acme", "city": "Berlin"]))
        #expect(try await ids("berlin") == [acme.id])
        #expect(try await ids("berlin", hiding: ["city"]).isEmpty)
        #expect(try await ids("acme berl", hiding: ["city"]).isEmpty)
        #expect(try await ids("acme", hiding: ["city"]) == [acme.id])
    }

    public func pagesHoldEveryMatchOnce() async throws {
        for index in 0..<25 {
            try await store.insert(Fixture.record("Account", ["name": .string("Acme \(index)"), "city": "Berlin"]))
        }
        // Records found only through the hidden field are skipped, pages stay full.
        for index in 0..<30 {
            try await store.insert(Fixture.record("Account", ["name": .string("Globex \(index)"), "city": "Acme"]))
        }
        for hidden: Set<String> in [[], ["city"]] {
            var seen: [String] = []
            var cursor: String?
            var sizes: [Int] = []
            repeat {
                let page = try await store.search(
                    SearchQuery(type: "Account", text: "acme", visibility: .all, hiddenFields: hidden, limit: 10,
                        cursor: cursor))
                seen += page.records.map(\.id)
                sizes.append(page.records.count)
                cursor = page.nextCursor
            } while cursor != nil && sizes.count < 20
            #expect(sizes == (hidden.isEmpty ? [10, 10, 10, 10, 10, 5] : [10, 10, 5]))
            #expect(Set(seen).count == seen.count)
        }
        await #expect(throws: InvalidCursor.self) {
            try await store.search(SearchQuery(type: "Account", text: "acme", visibility: .all, cursor: "bogus"))
        }
    }

    public func indexFollowsEveryWriteAndHoldsTextValuesOnly() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme", "employees": 4711]))
        _ = try await store.update(id: account.id, expectedVersion: 1, references: []) {
            var record = $0
            record.fields["name"] = "Globex"
            record.version += 1
            return record
        }
        #expect(try await ids("acme").isEmpty)
        #expect(try await ids("globex") == [account.id])
        // An owner change rewrites the row; the index follows it.
        _ = try await store.update(id: account.id, expectedVersion: 2, references: []) {
            var record = $0
            record.owner = "bob"
            record.version += 1
            return record
        }
        #expect(try await ids("globex") == [account.id])
        #expect(try await ids("globex", .users(["bob"])) == [account.id])

        let contact = try await store.insert(
            Fixture.record("Contact", ["lastName": "Lovelace", "accountId": .string(account.id)]),
            references: [account.id])
        // Numbers, reference ids and JSON keys are not text of the record.
        #expect(try await ids("4711").isEmpty)
        #expect(try await ids(String(account.id.prefix(8)), type: "Contact").isEmpty)
        #expect(try await ids("lastname", type: "Contact").isEmpty)
        #expect(try await ids("lovelace", type: "Contact") == [contact.id])

        _ = try await store.delete(
            id: contact.id, expectedVersion: nil, by: "alice", at: Fixture.time(5), rules: { _ in [] })
        #expect(try await ids("lovelace", type: "Contact").isEmpty)

        let batch = (0..<3).map { Fixture.record("Account", ["name": .string("Initech \($0)")]) }
        try await store.insertBatch(batch)
        #expect(Set(try await ids("initech")) == Set(batch.map(\.id)))
    }
}
