import CRMModel
import CRMStore
@testable import CRMStoreSQLite
import CRMTesting
import Foundation
import GRDB
import Testing

/// Duplicate rules and global keys look records up by field value on every create: the look-up seeks an index
/// made for the field instead of reading every record of the type, and finds what the rule means (case-folded
/// text, other values exact, only live records of the type).
@Suite struct MatchIndexTests {
    @Test func aLookUpByTextFieldSeeksItsOwnIndexAndFoldsCase() async throws {
        try await withStore { store in
            for index in 0..<50 {
                _ = try await store.insert(Fixture.record("Account", ["name": .string("Company \(index)")]), references: [])
            }
            _ = try await store.insert(Fixture.record("Contact", ["name": .string("company 7")]), references: [])
            let found = try await store.push { tx in
                try tx.matching(type: "Account", values: ["name": .string("COMPANY 7")], limit: 5)
            }
            #expect(found.map { $0.fields["name"] } == [.string("Company 7")])
            let query = MatchIndex.lookUp(type: "Account", values: ["name": .string("x")], limit: 5)
            let plan = try await store.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments)
                    .map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("USING INDEX records_match_Account_name") }, "\(plan)")
        }
    }

    @Test func aLookUpByTwoFieldsMatchesBothAndSkipsDeletedRecords() async throws {
        try await withStore { store in
            let curie = Fixture.record("Contact", ["firstName": .string("Marie"), "lastName": .string("Curie")])
            _ = try await store.insert(curie, references: [])
            _ = try await store.insert(
                Fixture.record("Contact", ["firstName": .string("Pierre"), "lastName": .string("Curie")]), references: [])
            let byBoth = try await store.push { tx in
                try tx.matching(type: "Contact", values: ["firstName": .string("marie"), "lastName": .string("CURIE")], limit: 5)
            }
            #expect(byBoth.map(\.id) == [curie.id])
            _ = try await store.push { tx in
                try tx.delete(try tx.record(id: curie.id)!, by: "alice", at: Fixture.time(5), rules: { _ in [] })
            }
            let afterDelete = try await store.push { tx in
                try tx.matching(type: "Contact", values: ["firstName": .string("Marie"), "lastName": .string("Curie")], limit: 5)
            }
            #expect(afterDelete.isEmpty)
        }
    }

    @Test func aQuoteInATypeOrFieldNameIsSpelledSafelyInTheIndexAndTheQuery() async throws {
        try await withStore { store in
            let record = Fixture.record("O'Type", ["o'field": .string("Yes")])
            _ = try await store.insert(record, references: [])
            let found = try await store.push { tx in
                try tx.matching(type: "O'Type", values: ["o'field": .string("yes")], limit: 5)
            }
            #expect(found.map(\.id) == [record.id])
            #expect(MatchIndex.identifier("o'field") != MatchIndex.identifier("o_field"))
        }
    }
}
