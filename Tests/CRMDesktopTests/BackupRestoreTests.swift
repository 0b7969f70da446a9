import CRMDesktop
import CRMModel
import CRMServer
import CRMStore
import CRMTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// `crm-server backup` and `restore` (SQLite's online backup, or pg_dump/pg_restore with `CRM_TEST_STORE=postgres`):
/// a backup taken while the server writes is one consistent snapshot, and a desktop that synced past it is told to
/// reset by the restored server, rebuilds its replica from it and still sends its unsent edit.
@Suite("crm-server backup and restore")
struct BackupRestoreTests {
    /// Returns once `condition` holds; fails after three minutes (a loaded machine is slow).
    static func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func aBackupUnderWriteLoadRestoresConsistentlyAndADesktopAheadOfItResetsKeepingItsEdit() async throws {
        let server = try await TestServer.make()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let backup = folder.path("crm.backup")
        let target = try await TestDatabase.make(in: folder)
        defer { target.remove() }
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()

            // A writer keeps creating accounts while the backup runs in another process.
            let written = Mutex(0)
            let writer = Task {
                while !Task.isCancelled {
                    let name = FieldValue.string("Load \(UUID().uuidString)")
                    let created = try? await api.create("Account", ["name": name], token: rita)
                    if created != nil { written.withLock { $0 += 1 } }
                    // A steady load, not a flood: the suite's other servers share this process's two threads.
                    try? await Task.sleep(for: .milliseconds(25))
                }
            }
            try await Self.waitUntil { written.withLock { $0 } >= 3 }
            let run = try await ProcessRunner.run(
                "crm-server", ["backup", "--database", server.databaseArgument, "--to", backup])
            let atEnd = written.withLock { $0 }
            try await Self.waitUntil { written.withLock { $0 } >= atEnd + 3 }
            writer.cancel()
            await writer.value
            #expect(run.status == 0, "\(run.error)")
            #expect(run.output.contains("backed up"), "\(run.output)")
            let again = try await ProcessRunner.run(
                "crm-server", ["backup", "--database", server.databaseArgument, "--to", backup])
            #expect(again.status != 0 && again.error.contains("exists already"), "\(again.error)")

            // The desktop syncs past the backup, then edits offline.
            try await desktop.sync()
            let accounts = try await server.store.changes(after: 0, limit: 1_000_000)
                .filter { $0.type == "Account" && !$0.deleted }.count
            #expect(accounts >= written.withLock { $0 } + 1)
            #expect(try desktop.records("Account").count == accounts)
            try desktop.editor().update(type: "Account", id: acme.id, fields: ["city": "Oslo"])

            let restore = try await ProcessRunner.run(
                "crm-server", ["restore", "--from", backup, "--database", target.argument])
            #expect(restore.status == 0, "\(restore.error)")
            #expect(restore.output.contains("new epoch"), "\(restore.output)")
            let refused = try await ProcessRunner.run(
                "crm-server", ["restore", "--from", backup, "--database", target.argument])
            #expect(refused.status != 0 && refused.error.contains("not empty"), "\(refused.error)")

            let restored = try await target.open()
            defer { target.close(restored) }
            // One snapshot: the restored change feed is the source's, record for record, up to a point, with no gap.
            let source = try await server.store.changes(after: 0, limit: 1_000_000)
            let copy = try await restored.changes(after: 0, limit: 1_000_000)
            let last = try #require(copy.last?.seq)
            let before = source.filter { $0.seq <= last }
            #expect(copy.map(\.id) == before.map(\.id))
            #expect(copy.map(\.version) == before.map(\.version))
            #expect(copy.count > 3 && copy.count < source.count, "\(copy.count) of \(source.count) records")
            #expect(try await restored.syncMeta().epoch != (try await server.store.syncMeta().epoch))
            let restoredAccounts = copy.filter { $0.type == "Account" && !$0.deleted }.count

            // The restored server answers the desktop's cursor with a reset; the desktop rebuilds and keeps its edit.
            var quiet = Logger(label: "crm-test-restored")
            quiet.logLevel = .critical
            let app = try CRMApplication.make(store: restored, configuration: server.configuration, logger: quiet)
            try await app.test(.live) { client in
                var settings = desktop.settings
                settings.server = "http://127.0.0.1:\(client.port ?? 0)"
                let moved = Desktop(
                    home: desktop.home, settings: settings, replica: desktop.replica,
                    connection: try ServerConnection(home: desktop.home, settings: settings))
                let receipt = try await moved.engine().run()
                #expect(receipt.counts.applied == 1)
                #expect(try desktop.replica.outbox().isEmpty)
                #expect(try desktop.record(acme.id)?.fields["city"] == "Oslo")
                #expect(try desktop.records("Account").count == restoredAccounts)
                let stored = try #require(try await restored.record(id: acme.id))
                #expect(stored.fields["city"] == "Oslo")
            }
        }
    }
}
