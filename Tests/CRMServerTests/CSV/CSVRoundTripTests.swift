import CRMModel
import CRMServer
import CRMStore
import CRMTesting
import Foundation
import Testing

/// An exported file imports back unchanged: into the same store nothing changes (not even a version), and into
/// an empty store the same records come back with the same ids, values, owners and teams.
@Suite struct CSVRoundTripTests {
    /// Records with every kind of value CSV must carry: commas, quotes and line breaks in text, decimals,
    /// booleans, dates, references and many-to-many sets, and empty fields.
    static func fill(_ bench: CSVTestBench) async throws {
        let acme = try await bench.create(
            "Account", ["name": "Acme, Inc.", "city": "Berlin", "description": "Line one\r\nLine \"two\"\nthree"],
            as: "rita", team: ["maria"])
        let globex = try await bench.create("Account", ["name": "Globex", "employees": 1200], as: "peter")
        _ = try await bench.create("Account", ["name": "Initech", "parentAccountId": .string(acme.id)], as: "rita")
        let ada = try await bench.create(
            "Contact",
            ["firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "accountId": .string(acme.id),
             "birthday": "1815-12-10", "saveCorrespondence": true], as: "rita")
        _ = try await bench.create(
            "Contact", ["lastName": "Hopper", "saveCorrespondence": false, "accountId": .string(globex.id)], as: "peter")
        var readers: [String] = []
        for index in 0..<5 {
            readers.append(
                try await bench.create("Contact", ["lastName": .string("Reader \(index)"), "title": "Ünïcödé ✓"], as: "rita").id)
        }
        _ = try await bench.create(
            "Opportunity",
            ["name": "Big deal", "stage": "Proposal", "amount": .number(Decimal(string: "12345.67")!),
             "probability": 40, "closeDate": "2027-03-31", "accountId": .string(acme.id),
             "contactIds": .array([.string(ada.id), .string(readers[3])])], as: "maria")
    }

    @Test func exportThenImportInUpdateModeChangesNothing() async throws {
        try await CSVTestBench.with { bench in
            try await Self.fill(bench)
            for type in ["Account", "Contact", "Opportunity"] {
                let before = try await bench.records(type)
                let file = try await bench.export(type, as: nil)
                #expect(file.hasPrefix("id,"))
                #expect(file.components(separatedBy: "\r\n").count >= before.count + 1)
                let report = try await bench.importCSV(
                    file, type: type, as: nil, options: CSVImport.Options(duplicates: .update))
                #expect(report.rows == before.count, "\(type): \(report)")
                #expect(report.unchanged == before.count, "\(type): \(report)")
                #expect(report.created + report.updated + report.rejectedRows == 0, "\(type): \(report)")
                let after = try await bench.records(type)
                #expect(after == before, "\(type) changed on a round trip")
            }
        }
    }

    @Test func exportImportedIntoAnEmptyStoreRecreatesTheRecords() async throws {
        var files: [String: String] = [:]
        var originals: [String: [String: Record]] = [:]
        try await CSVTestBench.with { bench in
            try await Self.fill(bench)
            for type in ["Account", "Contact", "Opportunity"] {
                files[type] = try await bench.export(type, as: nil)
                originals[type] = try await bench.records(type)
            }
        }
        try await CSVTestBench.with { bench in
            // Accounts first: contacts and opportunities refer to them (parents within one file load in order).
            for type in ["Account", "Contact", "Opportunity"] {
                let report = try await bench.importCSV(try #require(files[type]), type: type, as: nil)
                #expect(report.rejectedRows == 0, "\(type): \(report.rejected)")
                let recreated = try await bench.records(type)
                let original = try #require(originals[type])
                #expect(Set(recreated.keys) == Set(original.keys))
                for (id, record) in original {
                    let copy = try #require(recreated[id])
                    #expect(copy.fields == record.fields, "\(type) \(id)")
                    #expect(copy.owner == record.owner && copy.team == record.team, "\(type) \(id)")
                }
            }
        }
    }

    @Test func writtenFieldsAreQuotedExactlyWhenRFC4180AsksForIt() {
        #expect(CSVLineWriter.line(["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""])
            == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\r\n")
        #expect(CSVCell.text(.number(Decimal(string: "0.10")!)) == "0.1")
        #expect(CSVCell.text(.bool(false)) == "false")
        #expect(CSVCell.value("yes", kind: .boolean) == .success(.bool(true)))
        #expect(CSVCell.value("1,5", kind: .number) == .failure(CSVCellError("'1,5' is not a number (digits with a '.' for decimals)")))
    }
}
