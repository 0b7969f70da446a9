import CRMModel
import CRMStore
import Foundation
import Testing

/// Lists: visibility, filters on text, numbers, booleans and references, and sorting with nulls and ties.
public struct ListQueryConformance: Sendable {
    public let store: any RecordStore

    public init(store: any RecordStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    public func usersVisibilityReturnsOwnedAndTeamedRecordsOnly() async throws {
        let mine = try await store.insert(Fixture.record("Account", owner: "alice", ["name": "Mine"]))
        let shared = try await store.insert(
            Fixture.record("Account", owner: "carol", team: ["alice", "dave"], ["name": "Shared"]))
        let bobs = try await store.insert(Fixture.record("Account", owner: "bob", ["name": "Bob's"]))
        try await store.insert(Fixture.record("Account", owner: "carol", team: ["dave"], ["name": "Not mine"]))
        try await store.insert(Fixture.record("Contact", owner: "alice", ["lastName": "Other type"]))

        let alice = try await store.list(RecordQuery(type: "Account", visibility: .users(["alice"])))
        #expect(Set(alice.records.map(\.id)) == [mine.id, shared.id])
        let aliceAndBob = try await store.list(RecordQuery(type: "Account", visibility: .users(["alice", "bob"])))
        #expect(Set(aliceAndBob.records.map(\.id)) == [mine.id, shared.id, bobs.id])
        let nobody = try await store.list(RecordQuery(type: "Account", visibility: .users(["zoe"])))
        #expect(nobody.records.isEmpty)
        #expect(try await store.list(RecordQuery(type: "Account", visibility: .all)).records.count == 4)
    }

    public func teamChangeMovesRecordIntoAndOutOfVisibility() async throws {
        let account = try await store.insert(Fixture.record("Account", owner: "carol", ["name": "Acme"]))
        let query = RecordQuery(type: "Account", visibility: .users(["alice"]))
        #expect(try await store.list(query).records.isEmpty)
        _ = try await store.update(id: account.id, expectedVersion: 1, references: []) {
            var record = $0
            record.team = ["alice"]
            record.version += 1
            return record
        }
        #expect(try await store.list(query).records.map(\.id) == [account.id])
        _ = try await store.update(id: account.id, expectedVersion: 2, references: []) {
            var record = $0
            record.team = []
            record.version += 1
            return record
        }
        #expect(try await store.list(query).records.isEmpty)
    }

    public func filtersOnTextNumberBooleanAndReferenceFields() async throws {
        let acme = try await store.insert(
            Fixture.record("Account", ["name": "Acme", "city": "Berlin", "employees": 50]))
        let globex = try await store.insert(
            Fixture.record("Account", ["name": "Globex", "city": "Paris", "employees": 50]))
        try await store.insert(Fixture.record("Account", ["name": "Initech", "city": "Berlin", "employees": 7]))
        try await store.insert(
            Fixture.record("Account", ["name": "Hooli", "annualRevenue": .number(Decimal(string: "12.5")!)]))
        _ = try await store.insert(
            Fixture.record(
                "Contact", ["lastName": "Keeps", "saveCorrespondence": true, "accountId": .string(acme.id)]),
            references: [acme.id])
        _ = try await store.insert(
            Fixture.record(
                "Contact", ["lastName": "Skips", "saveCorrespondence": false, "accountId": .string(acme.id)]),
            references: [acme.id])
        _ = try await store.insert(
            Fixture.record("Contact", ["lastName": "Elsewhere", "accountId": .string(globex.id)]),
            references: [globex.id])

        func names(_ type: String, _ filters: [FieldFilter]) async throws -> Set<String> {
            let page = try await store.list(RecordQuery(type: type, visibility: .all, filters: filters))
            return Set(page.records.compactMap { $0.fields[type == "Account" ? "name" : "lastName"]?.stringValue })
        }
        #expect(try await names("Account", [FieldFilter(field: "city", value: "Berlin", isReference: false)])
            == ["Acme", "Initech"])
        #expect(try await names("Account", [FieldFilter(field: "employees", value: 50, isReference: false)])
            == ["Acme", "Globex"])
        #expect(try await names("Account", [
            FieldFilter(field: "annualRevenue", value: .number(Decimal(string: "12.5")!), isReference: false)
        ]) == ["Hooli"])
        #expect(try await names("Account", [
            FieldFilter(field: "city", value: "Berlin", isReference: false),
            FieldFilter(field: "employees", value: 50, isReference: false),
        ]) == ["Acme"])
        #expect(try await names("Account", [FieldFilter(field: "city", value: nil, isReference: false)])
            == ["Hooli"])
        let saves = { (flag: Bool) in
            FieldFilter(field: "saveCorrespondence", value: .bool(flag), isReference: false)
        }
        #expect(try await names("Contact", [saves(true)]) == ["Keeps"])
        #expect(try await names("Contact", [saves(false)]) == ["Skips"])
        #expect(try await names("Contact", [
            FieldFilter(field: "accountId", value: .string(acme.id), isReference: true)
        ]) == ["Keeps", "Skips"])
        #expect(try await names("Contact", [
            FieldFilter(field: "accountId", value: .string(globex.id), isReference: true)
        ]) == ["Elsewhere"])
    }

    public func referenceFilterMatchesManyToManyMembers() async throws {
        let lee = try await store.insert(Fixture.record("Contact", ["lastName": "Lee"]))
        let kim = try await store.insert(Fixture.record("Contact", ["lastName": "Kim"]))
        let both = try await store.insert(
            Fixture.record(
                "Opportunity", ["name": "Both", "contactIds": .array([.string(lee.id), .string(kim.id)])]),
            references: [lee.id, kim.id])
        _ = try await store.insert(
            Fixture.record("Opportunity", ["name": "Kim only", "contactIds": .array([.string(kim.id)])]),
            references: [kim.id])
        let query = RecordQuery(
            type: "Opportunity", visibility: .all,
            filters: [FieldFilter(field: "contactIds", value: .string(lee.id), isReference: true)])
        #expect(try await store.list(query).records.map(\.id) == [both.id])
    }

    /// Accounts whose `employees` has nulls and duplicates, inserted out of id order.
    static func accountsWithNulls(_ store: any RecordStore) async throws -> [Record] {
        let values: [Int?] = [30, nil, 10, 20, nil, 10, 30, nil]
        var stored: [Record] = []
        for (index, value) in values.enumerated() {
            var fields: [String: FieldValue] = ["name": .string("A\(index)")]
            if let value { fields["employees"] = .number(Decimal(value)) }
            let id = Fixture.id(UInt8(200 - index * 20))
            stored.append(try await store.insert(
                Fixture.record("Account", id: id, createdAt: Fixture.time(index), fields)))
        }
        return stored
    }

    public func sortAscendingPutsNullsFirstThenValuesWithTiesById() async throws {
        let accounts = try await Self.accountsWithNulls(store)
        let page = try await store.list(
            RecordQuery(type: "Account", visibility: .all, sort: RecordSort(field: "employees")))
        #expect(page.records.map(\.id) == ExpectedOrder.ids(accounts, field: "employees", descending: false))
        #expect(page.records.prefix(3).allSatisfy { $0.fields["employees"] == nil })
        #expect(page.nextCursor == nil)
    }

    public func sortDescendingIsTheExactReverse() async throws {
        let accounts = try await Self.accountsWithNulls(store)
        let ascending = try await store.list(
            RecordQuery(type: "Account", visibility: .all, sort: RecordSort(field: "employees")))
        let descending = try await store.list(
            RecordQuery(type: "Account", visibility: .all, sort: RecordSort(field: "employees", descending: true)))
        #expect(descending.records.map(\.id) == ascending.records.map(\.id).reversed())
        #expect(descending.records.map(\.id) == ExpectedOrder.ids(accounts, field: "employees", descending: true))
        #expect(descending.records.first?.fields["employees"] == 30)
    }

    public func sortByCreatedAtFollowsCreationTimeNotInsertOrder() async throws {
        var byTime: [Int: String] = [:]
        for offset in [5, 1, 4, 2, 3] {
            let record = try await store.insert(
                Fixture.record("Account", createdAt: Fixture.time(offset * 60), ["name": .string("T\(offset)")]))
            byTime[offset] = record.id
        }
        let ascending = try await store.list(
            RecordQuery(type: "Account", visibility: .all, sort: RecordSort(field: "createdAt")))
        #expect(ascending.records.map(\.id) == (1...5).map { byTime[$0]! })
        let descending = try await store.list(
            RecordQuery(type: "Account", visibility: .all, sort: RecordSort(field: "createdAt", descending: true)))
        #expect(descending.records.map(\.id) == (1...5).reversed().map { byTime[$0]! })
    }

    public func sortByTextField() async throws {
        for name in ["Delta", "alpha", "Charlie", "Bravo"] {
            try await store.insert(Fixture.record("Account", ["name": .string(name)]))
        }
        let page = try await store.list(
            RecordQuery(type: "Account", visibility: .all, sort: RecordSort(field: "name")))
        // Text compares by bytes, upper case before lower case: SQLite does, and so does PostgreSQL in a database
        // of the C locale (the test cluster's; another locale sorts text its own way).
        let names = page.records.compactMap { $0.fields["name"]?.stringValue }
        #expect(names == ["Bravo", "Charlie", "Delta", "alpha"])
    }
}

/// The order the store promises, computed independently: nulls first when ascending, ties broken by id, and
/// descending the exact reverse.
public enum ExpectedOrder {
    public static func ids(_ records: [Record], field: String, descending: Bool) -> [String] {
        let ascending = records.sorted { lhs, rhs in
            let left = key(lhs, field)
            let right = key(rhs, field)
            switch (left, right) {
            case (nil, nil): return lhs.id < rhs.id
            case (nil, _): return true
            case (_, nil): return false
            case (let left?, let right?): return left == right ? lhs.id < rhs.id : left < right
            }
        }.map(\.id)
        return descending ? ascending.reversed() : ascending
    }

    static func key(_ record: Record, _ field: String) -> Decimal? {
        switch field {
        case "createdAt": Decimal(record.createdAt.timeIntervalSince1970)
        default: record.fields[field]?.decimalValue
        }
    }
}
