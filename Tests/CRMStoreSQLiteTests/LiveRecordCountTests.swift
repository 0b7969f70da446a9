import CRMModel
import CRMStore
import CRMStoreSQLite
import Foundation
import Testing

/// A preview counts a type's visible records in one query: the count is what walking `liveRecords` finds.
@Suite struct LiveRecordCountTests {
    @Test func theCountIsWhatTheWalkFinds() async throws {
        try await withStore { store in
            for index in 0..<7 {
                let owner = ["alice", "bob", "carol"][index % 3]
                let team = index == 4 ? ["alice"] : []
                try await store.insert(Fixture.record("Contact", owner: owner, team: team, ["n": .number(Decimal(index))]))
            }
            try await store.insert(Fixture.record("Account", owner: "alice", ["n": 1]))
            for visibility in [VisibilityScope.all, .users(["alice"]), .users(["bob", "carol"]), .users(["dora"])] {
                let walked = try await store.liveRecords(type: "Contact", visibility: visibility, after: "", limit: 100)
                #expect(try await store.liveRecordCount(type: "Contact", visibility: visibility) == walked.count)
            }
            #expect(try await store.liveRecordCount(type: "Contact", visibility: .users(["alice"])) == 4)
        }
    }
}
