import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import GRDB
import Testing

/// The replica on a small file system (tmpfs) that fills up during a sync. Needs the right to mount (root in
/// the CI container); elsewhere the test is skipped and says so.
@Suite("Full disk")
struct FullDiskTests {
    static let canMount: Bool = {
        guard getuid() == 0, let directory = try? TemporaryDirectory(prefix: "crm-mount-probe") else { return false }
        defer { directory.remove() }
        guard (try? Self.mount(directory.path("m"), size: "64k")) == true else { return false }
        _ = try? Self.command("/bin/umount", [directory.path("m")])
        return true
    }()

    static func command(_ path: String, _ arguments: [String]) throws -> Int32 {
        try ProcessRunner.run(path, arguments).status
    }

    /// Rita's desktop set up (no first sync) in `path`, on the small disk.
    static func ritasDesktop(in path: String, _ api: TestAPI) async throws -> Desktop {
        let home = DesktopHome(path: path)
        let (settings, replica) = try await DesktopSetup(home: home).connect(
            server: api.baseURL.absoluteString, user: "rita", password: TestServer.password, deviceName: "small")
        return Desktop(
            home: home, settings: settings, replica: replica, connection: try ServerConnection(home: home, settings: settings))
    }

    static func mount(_ path: String, size: String) throws -> Bool {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return try command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]) == 0
    }

    @Test(.enabled(if: canMount, "mounting a small tmpfs needs root"))
    func aFullDiskStopsTheSyncWithAClearErrorAndTheSyncResumesOnceSpaceReturns() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let body = String(repeating: "Long meeting notes. ", count: 1000)
            for index in 0..<60 {
                _ = try await api.create("Note", ["body": .string("\(index) \(body)")], token: rita)
            }
            let directory = try TemporaryDirectory(prefix: "crm-full-disk")
            defer { directory.remove() }
            let mountPoint = directory.path("small")
            // Room to spare once the filler goes: the resumed sync writes the notes into the write-ahead log and
            // then into the database, beside what the failed sync left in the log.
            #expect(try Self.mount(mountPoint, size: "8m"))
            defer { _ = try? Self.command("/bin/umount", [mountPoint]) }

            let desktop = try await Self.ritasDesktop(in: mountPoint + "/home", api)
            let home = desktop.home
            try await Self.syncPackageOnly(desktop)
            try desktop.editor().create(type: "Account", fields: ["name": "Kept Through A Full Disk"])
            // Leave about 300 KB: the notes (about 1.2 MB) do not fit.
            let free = try Self.freeBytes(mountPoint)
            let filler = mountPoint + "/filler"
            _ = FileManager.default.createFile(atPath: filler, contents: Data(count: max(0, free - 300_000)))

            let error = try await #require(throws: DesktopError.self) { try await desktop.engine().run() }
            #expect(error.code == .diskFull)
            #expect(error.message.contains("the disk holding \(home.replicaPath) is full"), "\(error.message)")
            let outbox = try desktop.replica.outbox()
            #expect(outbox.isEmpty || outbox.allSatisfy { $0.op.fields?["name"] == "Kept Through A Full Disk" })
            #expect(try Self.integrity(home.replicaPath) == "ok")

            try FileManager.default.removeItem(atPath: filler)
            let receipt = try await Desktop.open(home: home).engine().run()
            #expect(receipt.outcome == .success)
            #expect(try desktop.replica.localRecords(type: "Note", user: "rita").count == 60)
            #expect(try desktop.replica.localRecords(type: "Account", user: "rita").count == 1)
            #expect(try desktop.replica.outbox().isEmpty)
        }
    }

    /// A disk full before the push: the real `crm-desktop sync` stops with an error naming the replica's disk,
    /// the replica passes SQLite's integrity check and keeps every queued edit; once space returns the sync
    /// sends them, and the server holds each exactly once.
    @Test(.enabled(if: canMount, "mounting a small tmpfs needs root"))
    func aDiskFullBeforeThePushKeepsEveryQueuedEditAndAnIntactReplica() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let directory = try TemporaryDirectory(prefix: "crm-full-disk")
            defer { directory.remove() }
            let mountPoint = directory.path("small")
            #expect(try Self.mount(mountPoint, size: "2m"))
            defer { _ = try? Self.command("/bin/umount", [mountPoint]) }
            let desktop = try await Self.ritasDesktop(in: mountPoint + "/home", api)
            let home = desktop.home
            #expect(try await desktop.engine().run().outcome == .success)
            let names = (0..<20).map { "Queued On A Full Disk \($0)" }
            for name in names { try desktop.editor().create(type: "Account", fields: ["name": .string(name)]) }

            // The write-ahead log emptied, then every free block taken: the next write of the replica fails.
            try await DatabaseQueue(path: home.replicaPath).writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            let filler = mountPoint + "/filler"
            _ = try await ProcessRunner.run("/bin/dd", ["if=/dev/zero", "of=" + filler, "bs=4096"])
            #expect(try Self.freeBytes(mountPoint) < 4096)

            let failed = try await Processes.run("crm-desktop", ["--home", home.path, "sync"])
            #expect(failed.status == 1)
            #expect(failed.error.contains("the disk holding \(home.replicaPath) is full"), "\(failed.error)")
            #expect(try Self.integrity(home.replicaPath) == "ok")
            let queued = try desktop.replica.outbox()
            #expect(queued.compactMap { $0.op.fields?["name"]?.stringValue }.sorted() == names.sorted())
            let rita = try await api.login("rita")
            let before = try await api.send(.get, "/api/v1/records/Account?limit=1000", token: rita)
                .decode(RecordList.self).records.compactMap { $0.fields["name"]?.stringValue }
            #expect(before.count <= names.count, "nothing is sent twice")

            try FileManager.default.removeItem(atPath: filler)
            let resumed = try await Processes.run("crm-desktop", ["--home", home.path, "sync"])
            #expect(resumed.status == 0, "\(resumed.error)")
            #expect(try desktop.replica.outbox().isEmpty)
            let after = try await api.send(.get, "/api/v1/records/Account?limit=1000", token: rita)
                .decode(RecordList.self).records.compactMap { $0.fields["name"]?.stringValue }
            #expect(after.sorted() == names.sorted(), "every queued edit exactly once on the server")
            #expect(try desktop.replica.localRecords(type: "Account", user: "rita").count == names.count)
        }
    }

    /// What SQLite's `PRAGMA integrity_check` says of the file, read only ("ok" when intact).
    static func integrity(_ path: String) throws -> String {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration).read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }

    /// A first sync under a filter that brings no notes, so the package is installed before the disk fills.
    static func syncPackageOnly(_ desktop: Desktop) async throws {
        let settings = desktop.settings
        let answer = try await desktop.connection.call { client, token in
            try await client.begin(
                .init(device: settings.device, packageVersion: nil, timeZone: "UTC"), token: token)
        }
        if let update = answer.package { try desktop.replica.install(update) }
        _ = try await desktop.connection.call { client, token in
            try await client.end(.init(session: answer.session, counts: .init()), token: token)
        }
    }

    static func freeBytes(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: path)
        return (attributes[.systemFreeSize] as? NSNumber)?.intValue ?? 0
    }
}
