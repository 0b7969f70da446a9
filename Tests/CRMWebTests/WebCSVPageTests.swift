import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// CSV import and export in the browser: the same import as `crm-server import` (rows checked one by one, a
/// report of rejected rows by line, field and reason while good rows load, a dry run) and an export of what the
/// user sees that imports back unchanged.
@Suite struct WebCSVPageTests {
    @Test func anImportLoadsGoodRowsAndListsTheRejectedOnesByLineAndField() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            var rita = try await WebBrowserSession.login(api, "rita")
            let form = try await rita.get("/records/Account/import")
            #expect(form.status == .ok)
            #expect(form.html.contains(#"<label for="import-file">"#))
            #expect(form.html.contains(#"enctype="multipart/form-data""#))

            let csv = "name,city\r\nImported One,Berlin\r\n,Nowhere\r\n\"Imported, Two\",Paris\r\n"
            let dry = try await rita.postMultipart(
                "/records/Account/import", [("duplicates", "skip"), ("dryRun", "on")], files: [("file", "a.csv", csv)])
            #expect(dry.status == .ok)
            #expect(dry.html.contains("Dry run: nothing was written"), "\(dry.html)")
            let token = try await api.login("rita")
            let before = try await api.send(.get, "/api/v1/records/Account?limit=1000", token: token)
                .decode(RecordList.self).records
            #expect(!before.contains { $0.fields["name"] == "Imported One" })

            _ = try await rita.get("/records/Account/import")
            let done = try await rita.postMultipart(
                "/records/Account/import", [("duplicates", "skip")], files: [("file", "a.csv", csv)])
            #expect(done.status == .ok)
            #expect(done.html.contains("3 rows: 2 created"), "\(done.html)")
            #expect(done.html.contains("<td>3</td><td>name</td>"), "the empty name is line 3: \(done.html)")
            let after = try await api.send(.get, "/api/v1/records/Account?limit=1000", token: token)
                .decode(RecordList.self).records.compactMap { $0.fields["name"]?.stringValue }
            #expect(after.contains("Imported One") && after.contains("Imported, Two"))

            _ = try await rita.get("/records/Account/import")
            let unreadable = try await rita.postMultipart(
                "/records/Account/import", [("duplicates", "skip")], files: [("file", "b.csv", "colour\r\nred\r\n")])
            #expect(unreadable.status == .unprocessableContent)
            #expect(unreadable.html.contains("Nothing was imported"))
            #expect(unreadable.html.contains("colour"), "the error names the column: \(unreadable.html)")
        }
    }

    @Test func anExportHoldsWhatTheUserSeesAndImportsBackUnchanged() async throws {
        let server = try await TestServer.make()
        try await server.run(web: true) { api in
            let token = try await api.login("rita")
            _ = try await api.create("Account", ["name": "Exported Alpha", "city": "Lyon"], token: token)
            _ = try await api.create("Account", ["name": "Exported Beta"], token: token)
            var rita = try await WebBrowserSession.login(api, "rita")
            let list = try await rita.get("/records/Account")
            #expect(list.html.contains(#"href="/records/Account/export.csv""#))
            let export = try await rita.get("/records/Account/export.csv")
            #expect(export.status == .ok)
            #expect(export.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(export.html.contains("Exported Alpha") && export.html.contains("Exported Beta"))
            var peter = try await WebBrowserSession.login(api, "peter")
            let others = try await peter.get("/records/Account/export.csv")
            #expect(others.status == .ok)
            #expect(!others.html.contains("Exported Alpha"), "another user's records are never exported")

            _ = try await rita.get("/records/Account/import")
            let again = try await rita.postMultipart(
                "/records/Account/import", [("duplicates", "update")], files: [("file", "Account.csv", export.html)])
            #expect(again.status == .ok)
            #expect(again.html.contains("0 created, 0 updated"), "\(again.html)")

            let refused = try await rita.postRaw("/records/Account/import", [("duplicates", "skip")])
            #expect(refused.status == .forbidden, "no CSRF token")
            let unknown = try await rita.get("/records/Nothing/import")
            #expect(unknown.status == .notFound)
        }
    }
}
