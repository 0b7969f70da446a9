import CRMModel
import CRMServer
import CRMTesting
import Foundation
import Testing

/// `crm-server import` and `export` as an administrator runs them: exit status 0 when every row loaded, 1 when
/// some were rejected (each printed as `line N, field F: reason`), 2 when the file cannot be imported; an export
/// written with `--to` imports back unchanged.
@Suite struct CSVCommandTests {
    /// Runs `crm-server` on a thread of its own (a held thread of the concurrency pool would stall the other
    /// tests' servers).
    static func run(_ arguments: [String], in directory: TemporaryDirectory) async throws -> ProcessRunner.Run {
        try await ProcessRunner.run("crm-server", arguments, in: directory.url)
    }

    @Test func importAndExportCommandsExitAsDocumented() async throws {
        let server = try await TestServer.make()
        let directory = server.directory
        let database = ["--database", server.databaseArgument]
        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.path(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        do {
            let mixed = try write("mixed.csv", "name,city\nAcme,Berlin\n,Nowhere\nGlobex,Springfield\n")
            let dry = try await Self.run(["import", "Account", mixed, "--dry-run", "--user", "rita"] + database, in: directory)
            #expect(dry.status == 1, "\(dry.output) \(dry.error)")
            #expect(dry.output.contains("(dry run: nothing was written)"))
            #expect(try await server.store.liveRecords(type: "Account", visibility: .all, after: "", limit: 10).isEmpty)

            let partial = try await Self.run(["import", "Account", mixed, "--user", "rita"] + database, in: directory)
            #expect(partial.status == 1, "\(partial.output) \(partial.error)")
            #expect(partial.output.contains("line 3, field name: 'name' is required"), "\(partial.output)")
            #expect(partial.output.contains("Account: 3 rows: 2 created"), "\(partial.output)")

            let exported = directory.path("accounts.csv")
            let export = try await Self.run(["export", "Account", "--to", exported, "--user", "rita"] + database, in: directory)
            #expect(export.status == 0, "\(export.error)")
            #expect(export.output.contains("exported 2 Account records"))
            let again = try await Self.run(
                ["import", "Account", exported, "--duplicates", "update", "--user", "rita", "--format", "json"] + database,
                in: directory)
            #expect(again.status == 0, "\(again.output) \(again.error)")
            let report = try CRMJSON.decoder().decode(CSVImportReport.self, from: Data(again.output.utf8))
            #expect(report.unchanged == 2 && report.rows == 2)

            // Without --user the first administrator acts, and an owner column gives the records to their owners.
            let owned = try write("owned.csv", "name,owner\nInitech,peter\n")
            let admin = try await Self.run(["import", "Account", owned] + database, in: directory)
            #expect(admin.status == 0, "\(admin.output) \(admin.error)")
            let initech = try await server.store.liveRecords(type: "Account", visibility: .users(["peter"]), after: "", limit: 10)
            #expect(initech.map(\.owner) == ["peter"] && initech.first?.updatedBy == "ada")
            let stdout = try await Self.run(["export", "Account", "--user", "peter"] + database, in: directory)
            #expect(stdout.status == 0 && stdout.output.contains("Initech") && !stdout.output.contains("Acme"))

            let header = try write("header.csv", "name,planet\nAcme,Mars\n")
            let badHeader = try await Self.run(["import", "Account", header] + database, in: directory)
            #expect(badHeader.status == 2 && badHeader.error.contains("'planet'"), "\(badHeader.error)")
            let latin1 = directory.path("latin1.csv")
            try (Data("name\n".utf8) + Data([0x43, 0x61, 0x66, 0xE9, 0x0A])).write(to: URL(fileURLWithPath: latin1))
            let notUTF8 = try await Self.run(["import", "Account", latin1] + database, in: directory)
            #expect(notUTF8.status == 2 && notUTF8.error.contains("line 2: the file is not UTF-8"), "\(notUTF8.error)")
            let missing = try await Self.run(["import", "Account", directory.path("nothing.csv")] + database, in: directory)
            #expect(missing.status == 2 && missing.error.contains("nothing.csv"))
            let badUser = try await Self.run(["import", "Account", mixed, "--user", "nobody"] + database, in: directory)
            #expect(badUser.status == 2 && badUser.error.contains("nobody"))
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }
}
