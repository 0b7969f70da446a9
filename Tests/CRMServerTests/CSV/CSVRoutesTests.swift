import CRMModel
import CRMServer
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// The CSV routes over real HTTP: an import answers its report as JSON, an export is a CSV attachment of what
/// the caller sees, and a file that cannot be imported is a 400 naming the problem.
@Suite struct CSVRoutesTests {
    static let csv: HTTPFields = [.contentType: "text/csv"]

    @Test func importAnswersTheReportAndExportAnAttachmentOfVisibleRecords() async throws {
        try await TestServer.make().run { api in
            let rita = try await api.login("rita")
            let peter = try await api.login("peter")
            let hidden = try await api.create("Account", ["name": "Peter's own"], token: peter)
            let file = "Account name,City\r\nAcme,Berlin\r\n,Nowhere\r\n\"Globex, Inc.\",\"Spring\nfield\"\r\n"
            let reply = try await api.send(
                .post, "/api/v1/records/Account/import?dryRun=false&duplicates=skip", token: rita, body: file,
                headers: Self.csv)
            #expect(reply.status == .ok, "\(reply.text)")
            let report = try reply.decode(CSVImportReport.self)
            #expect(report.created == 2 && report.rejected.map(\.line) == [3] && report.rejected.first?.field == "name")

            let export = try await api.send(.get, "/api/v1/records/Account/export", token: rita)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(export.headers[.contentDisposition] == "attachment; filename=\"Account.csv\"")
            #expect(export.text.hasPrefix("id,name,"))
            #expect(export.text.contains("\"Globex, Inc.\"") && export.text.contains("\"Spring\nfield\""))
            #expect(!export.text.contains(hidden.id))

            // The export imports back unchanged.
            let again = try await api.send(
                .post, "/api/v1/records/Account/import?duplicates=update", token: rita, body: export.text,
                headers: Self.csv)
            let unchanged = try again.decode(CSVImportReport.self)
            #expect(unchanged.unchanged == 2 && unchanged.rows == 2, "\(again.text)")
        }
    }

    @Test func badFilesAndQueriesAreRefusedNamingTheProblem() async throws {
        try await TestServer.make().run { api in
            let rita = try await api.login("rita")
            let accounts = "/api/v1/records/Account"
            let unknown = try await api.send(.post, accounts + "/import", token: rita, body: "Planet\nMars\n", headers: Self.csv)
            #expect(unknown.status == .badRequest && unknown.errorField == "Planet", "\(unknown.text)")
            let mapped = try await api.send(
                .post, accounts + "/import?map=Planet%3Dname", token: rita, body: "Planet\nMars\n", headers: Self.csv)
            #expect(try mapped.decode(CSVImportReport.self).created == 1, "\(mapped.text)")
            let choice = try await api.send(
                .post, accounts + "/import?duplicates=merge", token: rita, body: "name\nA\n", headers: Self.csv)
            #expect(choice.status == .badRequest && choice.errorField == "duplicates")
            let empty = try await api.send(.post, accounts + "/import", token: rita, body: "", headers: Self.csv)
            #expect(empty.status == .badRequest)
            let type = try await api.send(.get, "/api/v1/records/Spaceship/export", token: rita)
            #expect(type.status == .notFound)
            let anonymous = try await api.send(.get, accounts + "/export")
            #expect(anonymous.status == .unauthorized)
        }
    }
}
