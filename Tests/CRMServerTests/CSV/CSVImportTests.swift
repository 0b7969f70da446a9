import CRMModel
import CRMServer
import CRMStore
import CRMTesting
import Foundation
import Testing

/// Importing rows through the API's rules: bad rows are reported by line, field and reason while good rows
/// load; duplicate rules skip, link or update; a dry run writes nothing; UTF-8 with or without a BOM; quoted
/// commas and line breaks; headers by name, label or `--map`, and clear errors for what cannot be imported.
@Suite struct CSVImportTests {
    @Test func badRowsAreReportedByLineFieldAndReasonWhileGoodRowsLoad() async throws {
        try await CSVTestBench.with { bench in
            let file = """
                Last name,First name,Email,Save correspondence,Birthday,Account
                Curie,Marie,marie@example.com,true,1867-11-07,
                ,Nobody,nobody@example.com,,,
                Noether,Emmy,not-an-email,maybe,1882-03-23,
                Meitner,Lise,lise@example.com,,1878-11-07,\(RecordID.make())
                Franklin,Rosalind,,true,,

                Hodgkin,Dorothy,,,,,extra
                Germain,Sophie,,,1776-04-01,
                """
            let report = try await bench.importCSV(file, type: "Contact", as: "rita")
            #expect(report.rows == 7, "the blank line is no row")
            #expect(report.created == 2, "\(report)")
            #expect(report.rejectedRows == 5, "\(report.rejected)")
            let reasons = Dictionary(grouping: report.rejected, by: \.line)
            #expect(reasons[3]?.map(\.field) == ["lastName"])
            #expect(Set(reasons[4]?.compactMap(\.field) ?? []) == ["email", "saveCorrespondence"])
            #expect(reasons[4]?.contains { $0.reason.contains("not-an-email") } == true)
            #expect(reasons[5]?.map(\.field) == ["accountId"])
            #expect(reasons[6]?.map(\.field) == ["email"], "a rule of the package: \(reasons[6] ?? [])")
            #expect(reasons[8]?.first?.field == nil && reasons[8]?.first?.reason.contains("7 cells") == true)
            #expect(report.rejected.first?.description == "line 3, field lastName: 'lastName' is required")
            let names = Set(try await bench.records("Contact").values.compactMap { $0.fields["lastName"]?.stringValue })
            #expect(names == ["Curie", "Germain"])
        }
    }

    @Test func duplicatesAreSkippedLinkedOrUpdatedAsChosen() async throws {
        try await CSVTestBench.with { bench in
            let ada = try await bench.create(
                "Contact", ["firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"], as: "rita")
            // The same email in other case (duplicate rule [email]), and a new contact.
            let file = "lastName,email,phone\r\nKing,ADA@example.com,+44 20 7946 0000\r\nBabbage,charles@example.com,\r\n"

            let skip = try await bench.importCSV(file, type: "Contact", as: "rita")
            #expect(skip.skipped == 1 && skip.created == 1, "\(skip)")
            #expect(skip.matched == [CSVMatchedRow(line: 2, existing: ada.id, fields: ["email"], outcome: "skipped")])
            #expect(try await bench.records("Contact")[ada.id]?.fields == ada.fields)

            let link = try await bench.importCSV(file, type: "Contact", as: "rita", options: .init(duplicates: .link))
            #expect(link.linked == 2 && link.created == 0, "\(link)")
            #expect(link.matched.first == CSVMatchedRow(line: 2, existing: ada.id, fields: ["email"], outcome: "linked"))
            #expect(try await bench.records("Contact")[ada.id]?.version == 1)

            let update = try await bench.importCSV(file, type: "Contact", as: "rita", options: .init(duplicates: .update))
            #expect(update.updated == 1 && update.unchanged == 1, "\(update)")
            let changed = try #require(try await bench.records("Contact")[ada.id])
            #expect(changed.fields["lastName"] == "King" && changed.fields["phone"] == "+44 20 7946 0000")
            #expect(changed.fields["firstName"] == "Ada", "a column the file lacks is left alone")
            #expect(changed.version == 2)
            #expect(try await bench.records("Contact").count == 2)
        }
    }

    @Test func aDryRunReportsWhatWouldHappenAndWritesNothing() async throws {
        try await CSVTestBench.with { bench in
            let existing = try await bench.create("Account", ["name": "Acme"], as: "rita")
            let file = "id,name,city\n\(existing.id),Acme,Paris\n,Globex,\n,,Nowhere\n"
            let report = try await bench.importCSV(file, type: "Account", as: "rita", options: .init(dryRun: true))
            #expect(report.dryRun && report.updated == 1 && report.created == 1 && report.rejectedRows == 1, "\(report)")
            let records = try await bench.records("Account")
            #expect(records.count == 1)
            #expect(records[existing.id]?.fields["city"] == nil && records[existing.id]?.version == 1)
            let real = try await bench.importCSV(file, type: "Account", as: "rita")
            #expect(real.updated == 1 && real.created == 1 && real.rejectedRows == 1, "\(real)")
            #expect(try await bench.records("Account").count == 2)
        }
    }

    @Test func utf8WithOrWithoutAByteOrderMarkQuotedCommasAndLineBreaksImportAlike() async throws {
        try await CSVTestBench.with { bench in
            let text = "\"Name\",City,Description\r\n\"Müller, Söhne & Co\",Zürich,\"Two\r\nlines, and \"\"quotes\"\"\"\r\n"
                + ",Nowhere,\r\nÉcole,Lyon,\r\n"
            let plain = try await bench.importCSV(text, type: "Account", as: "rita")
            let bom = try await bench.importBytes(
                Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8), type: "Account", as: "rita",
                options: .init(duplicates: .link))
            #expect(plain.created == 2 && bom.linked == 2, "\(plain) \(bom)")
            // The row after the two-line cell starts on line 4 of the file.
            #expect(plain.rejected.map(\.line) == [4] && bom.rejected.map(\.line) == [4])
            let records = try await bench.records("Account").values
            #expect(records.count == 2)
            let muller = try #require(records.first { $0.fields["city"] == "Zürich" })
            #expect(muller.fields["name"] == "Müller, Söhne & Co")
            #expect(muller.fields["description"] == "Two\r\nlines, and \"quotes\"")
            #expect(records.contains { $0.fields["name"] == "École" })
        }
    }

    @Test func headersNamingNoFieldAreRefusedClearlyUnlessMapped() async throws {
        try await CSVTestBench.with { bench in
            let file = "Company,Town,Notes\nAcme,Berlin,keep out\n"
            let refused = await #expect(throws: CSVImportError.self) {
                try await bench.importCSV(file, type: "Account", as: "rita")
            }
            #expect(refused?.code == .unknownColumn && refused?.column == "Company" && refused?.line == 1)
            #expect(refused?.message.contains("--map 'Company=FIELD'") == true, "\(refused?.message ?? "")")
            let typo = await #expect(throws: CSVImportError.self) {
                try await bench.importCSV(file, type: "Account", as: "rita", options: .init(map: ["Compny": "name"]))
            }
            #expect(typo?.code == .badMapping && typo?.column == "Compny")
            let mapped = try await bench.importCSV(
                file, type: "Account", as: "rita", options: .init(map: ["company": "name", "Town": "city", "Notes": ""]))
            #expect(mapped.created == 1, "\(mapped)")
            let twice = await #expect(throws: CSVImportError.self) {
                try await bench.importCSV("name,Account name\nA,B\n", type: "Account", as: "rita")
            }
            #expect(twice?.code == .duplicateColumn)
            let unknownType = await #expect(throws: CRMError.self) {
                try await bench.importCSV("name\nA\n", type: "Spaceship", as: "rita")
            }
            #expect(unknownType?.message.contains("Spaceship") == true)
        }
    }

    @Test func aFileThatIsNotUTF8IsRefusedNamingTheLine() async throws {
        try await CSVTestBench.with { bench in
            var latin1 = Data("name,city\nAcme,Berlin\n".utf8)
            latin1 += Data([0x43, 0x61, 0x66, 0xE9, 0x2C, 0x50, 0x61, 0x72, 0x69, 0x73, 0x0A])  // "Café,Paris" in Latin-1
            let error = await #expect(throws: CSVImportError.self) {
                try await bench.importBytes(latin1, type: "Account", as: "rita")
            }
            #expect(error?.code == .notUTF8 && error?.line == 3, "\(String(describing: error))")
            #expect(error?.description.hasPrefix("line 3: the file is not UTF-8") == true)
            let utf16 = Data([0xFF, 0xFE]) + "name\nAcme\n".data(using: .utf16LittleEndian)!
            let wide = await #expect(throws: CSVImportError.self) {
                try await bench.importBytes(utf16, type: "Account", as: "rita")
            }
            #expect(wide?.code == .notUTF8)
            let empty = await #expect(throws: CSVImportError.self) {
                try await bench.importBytes(Data(), type: "Account", as: "rita")
            }
            #expect(empty?.code == .empty)
        }
    }
}
