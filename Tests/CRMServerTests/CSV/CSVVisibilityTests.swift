import CRMModel
import CRMServer
import CRMStore
import CRMTesting
import Foundation
import Testing

/// A user's export and import see what the user sees, as everywhere: another user's hidden records are never
/// exported, and an import cannot update them (nor learn more than "no record you can see").
@Suite struct CSVVisibilityTests {
    @Test func exportHoldsOnlyTheRecordsTheUserSees() async throws {
        try await CSVTestBench.with { bench in
            let ritas = try await bench.create("Contact", ["lastName": "Rita's contact"], as: "rita")
            let peters = try await bench.create("Contact", ["lastName": "Peter's contact"], as: "peter")
            let shared = try await bench.create("Contact", ["lastName": "Shared with Peter"], as: "rita", team: ["peter"])

            let peter = try await bench.export("Contact", as: "peter")
            #expect(peter.contains(peters.id) && peter.contains(shared.id))
            #expect(!peter.contains(ritas.id) && !peter.contains("Rita's contact"))
            // Maria manages Rita: she sees Rita's records, not Peter's own.
            let maria = try await bench.export("Contact", as: "maria")
            #expect(maria.contains(ritas.id) && maria.contains(shared.id) && !maria.contains(peters.id))
            let admin = try await bench.export("Contact", as: nil)
            #expect([ritas.id, peters.id, shared.id].allSatisfy(admin.contains))
        }
    }

    @Test func importCannotUpdateOrRevealAnotherUsersHiddenRecord() async throws {
        try await CSVTestBench.with { bench in
            let ritas = try await bench.create("Contact", ["lastName": "Curie", "email": "marie@example.com"], as: "rita")
            let file = "id,lastName\n\(ritas.id),Changed by Peter\n"
            for choice in CSVDuplicateChoice.allCases {
                let report = try await bench.importCSV(file, type: "Contact", as: "peter", options: .init(duplicates: choice))
                #expect(report.rejected == [
                    CSVRejectedRow(line: 2, field: "id", reason: "no Contact you can see has the id \(ritas.id)")
                ])
            }
            // A duplicate of a record Peter cannot see is no duplicate for him: his own copy is created.
            let copy = try await bench.importCSV(
                "lastName,email\nCurie,marie@example.com\n", type: "Contact", as: "peter",
                options: .init(duplicates: .update))
            #expect(copy.created == 1 && copy.matched.isEmpty, "\(copy)")
            let stored = try #require(try await bench.records("Contact")[ritas.id])
            #expect(stored.fields["lastName"] == "Curie" && stored.version == 1)
            // Nor may a rep give a record to someone outside their visibility.
            let given = try await bench.importCSV("lastName,owner\nHopper,peter\n", type: "Contact", as: "rita")
            #expect(given.rejected.map(\.field) == ["owner"], "\(given)")
        }
    }

    @Test func aGlobalKeyHeldByAHiddenRecordIsJoinedOnlyWhenLinking() async throws {
        try await CSVTestBench.with { bench in
            let email = try await bench.create(
                "Activity", ["subject": "Offer", "display": "email", "messageId": "<offer-1@example.com>"], as: "rita")
            let file = "subject,display,messageId\nMy copy,email,<OFFER-1@example.com>\n"
            let update = try await bench.importCSV(file, type: "Activity", as: "peter", options: .init(duplicates: .update))
            #expect(update.rejected.map(\.field) == ["messageId"], "\(update)")
            let skip = try await bench.importCSV(file, type: "Activity", as: "peter")
            #expect(skip.skipped == 1 && skip.matched.first?.existing == email.id, "\(skip)")
            #expect(try await bench.records("Activity")[email.id]?.team == [])
            let link = try await bench.importCSV(file, type: "Activity", as: "peter", options: .init(duplicates: .link))
            #expect(link.linked == 1 && link.matched.first?.existing == email.id, "\(link)")
            let joined = try #require(try await bench.records("Activity")[email.id])
            #expect(joined.team == ["peter"] && joined.fields["subject"] == "Offer")
            #expect(try await bench.records("Activity").count == 1)
        }
    }
}
