import CRMModel
import CRMServer
import CRMStore
import CRMStorePostgres
import CRMStoreSQLite
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

/// `crm-server copy`: a SQLite installation moved to a fresh PostgreSQL database (and back), verified record by
/// record and count by count, with a new epoch; a non-empty target refused; the real executable end to end.
@Suite("Installation copy")
struct InstallationCopyTests {
    static let password = "copy me safely"

    /// What the fixture made, for the assertions.
    struct Fixture {
        let store: SQLiteStore
        let path: String
        let account: Record
        let attachment: Data
    }

    /// A SQLite installation with a bit of everything: users with a manager, a package, two devices (one
    /// revoked), a session and a refresh token, edited records, a tombstone, a conflict, an attachment listed
    /// by an activity, an op result and a finished sync session.
    static func makeSource(in directory: TemporaryDirectory) async throws -> Fixture {
        let path = directory.path("source.sqlite")
        let store = try SQLiteStore(path: path)
        try await PackageService(store: store).publish(yaml: DefaultPackage.yaml(), file: "default.yaml")
        let hash = try await PasswordHasher(cost: 4).hash(password)
        try await store.addUser(User(name: "maria", passwordHash: hash, role: "sales-manager", emails: ["m@example.com"]))
        try await store.addUser(User(name: "rita", passwordHash: hash, role: "sales-rep", manager: "maria"))
        let now = Date()
        let laptop = Device(id: RecordID.make(), user: "rita", name: "laptop", createdAt: now, lastSeenAt: now)
        let old = Device(id: RecordID.make(), user: "rita", name: "old desktop", createdAt: now)
        try await store.addDevice(laptop)
        try await store.addDevice(old)
        let later = now.addingTimeInterval(86_400)
        try await store.createRefreshToken(
            RefreshToken(tokenHash: String(repeating: "a", count: 64), device: laptop.id, user: "rita", createdAt: now,
                expiresAt: later))
        try await store.createRefreshToken(
            RefreshToken(tokenHash: String(repeating: "c", count: 64), device: old.id, user: "rita", createdAt: now,
                expiresAt: later))
        try await store.createSession(
            Session(tokenHash: String(repeating: "b", count: 64), user: "rita", createdAt: now, expiresAt: later,
                device: laptop.id))
        _ = try await store.revokeDevice(id: old.id, at: now)

        func make(_ type: String, _ fields: [String: FieldValue], owner: String = "rita") -> Record {
            Record(id: RecordID.make(), type: type, owner: owner, team: owner == "rita" ? ["maria"] : [],
                createdAt: now, updatedAt: now, updatedBy: owner, fields: fields)
        }
        var account = try await store.insert(make("Account", ["name": "Acme", "city": "Lyon"]), references: [])
        for (step, city) in ["Paris", "Nice"].enumerated() {
            account = try await store.update(id: account.id, expectedVersion: nil, references: []) {
                $0.applying(["city": .string(city)], by: "maria", at: now.addingTimeInterval(Double(step + 1)))
            }
        }
        let gone = try await store.insert(make("Account", ["name": "Gone Ltd"], owner: "maria"), references: [])
        _ = try await store.delete(id: gone.id, expectedVersion: nil, by: "maria", at: now, rules: { _ in [] })
        let contact = try await store.insert(
            make("Contact", ["lastName": "Durand", "accountId": .string(account.id)]), references: [account.id])
        _ = try await store.insert(
            ConflictRecord.make(
                kind: .duplicate, record: contact, fields: ["clientValue": "Durand"], serverAuthor: "maria",
                clientAuthor: "rita", now: now),
            references: [])

        // Content of three 256 KiB rows and a bit, uploaded in uneven pieces.
        let content = Data((0..<(3 * StoredAttachment.chunkSize + 1_234)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let sha = SHA256Digest.hex(of: content)
        _ = try await store.startUpload(
            sha256: sha, user: "rita", length: Int64(content.count), mediaType: "application/pdf", at: now)
        var offset = 0
        while offset < content.count {
            let end = min(offset + 300_000, content.count)
            _ = try await store.appendUpload(
                sha256: sha, user: "rita", offset: Int64(offset), bytes: content[offset..<end], at: now)
            offset = end
        }
        let finished = try await store.finishUpload(sha256: sha, user: "rita", digest: SHA256Digest.self, at: now)
        guard case .stored = finished else { throw InstallationCopyError(.mismatch, "upload: \(finished)") }
        let ref = AttachmentRef(sha256: sha, name: "offer.pdf", mediaType: "application/pdf", size: content.count)
        _ = try await store.insert(
            make("Activity", ["subject": "Offer", "display": "email", "attachments": AttachmentRef.value([ref])]),
            references: [])

        try await store.push { transaction in
            try transaction.saveOpResult(device: laptop.id, opId: "op-1", result: Data(#"{"ok":true}"#.utf8), at: now)
        }
        let sync = SyncSessionRow(
            id: RecordID.make(), user: "rita", device: laptop.id, startedAt: now, expiresAt: later,
            filter: Data(#"{"preset":"mine"}"#.utf8), counts: SyncCounts(pulled: 4))
        try await store.createSyncSession(sync)
        try await store.endSyncSession(id: sync.id, at: now, clientCounts: SyncCounts(pulled: 4), errors: ["one"])
        return Fixture(store: store, path: path, account: account, attachment: content)
    }

    /// A fresh, empty PostgreSQL database on the test cluster, opened.
    static func emptyPostgres() async throws -> (store: PostgresStore, url: String) {
        let url = try await PostgresServer.shared().database(prefix: "crm_copy")
        return (try await PostgresStore.open(try PostgresConfiguration.test(url)), url)
    }

    @Test func sqliteInstallationCopiesToPostgresRecordByRecordWithANewEpoch() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.makeSource(in: directory)
        let (target, url) = try await Self.emptyPostgres()

        let report = try await InstallationCopy(from: source.store, to: target, pageSize: 1, recordChunk: 2).run()
        #expect(report.source == report.target)
        let counts = report.target
        #expect(counts[.users] == 2 && counts[.devices] == 2 && counts[.sessions] == 1)
        #expect(counts[.refreshTokens] == 1 && counts[.revokedTokens] == 1)
        #expect(counts[.records] == 5 && counts[.tombstones] == 1 && counts[.conflicts] == 1)
        #expect(counts[.packages] == 1 && counts[.opResults] == 1 && counts[.syncSessions] == 1)
        #expect(counts[.attachments] == 1 && counts[.attachmentBytes] == Int64(source.attachment.count))

        // Record by record, through the store API of each side.
        let records = try await source.store.changes(after: 0, limit: 100)
        for record in records {
            #expect(try await target.record(id: record.id) == record)
        }
        #expect(try await target.changes(after: 0, limit: 100) == records)
        #expect(try await target.lastSequence() == source.store.lastSequence())
        #expect(try await target.record(id: source.account.id)?.version == 3)

        #expect(try await target.users() == source.store.users())
        #expect(try await target.devices(user: nil) == source.store.devices(user: nil))
        #expect(try await target.publishedPackages() == source.store.publishedPackages())
        #expect(try await target.packageVersion(forRole: "sales-rep") == 1)
        let session = try await target.session(tokenHash: String(repeating: "b", count: 64))
        #expect(session == (try await source.store.session(tokenHash: String(repeating: "b", count: 64))))
        #expect(try await target.refreshToken(tokenHash: String(repeating: "a", count: 64)) != nil)
        #expect(try await target.revokedDevice(tokenHash: String(repeating: "c", count: 64)) != nil)
        let laptop = try #require(try await source.store.devices(user: "rita").first { $0.name == "laptop" })
        #expect(try await target.opResults(device: laptop.id, opIds: ["op-1"]).count == 1)
        #expect(try await target.syncSessions(SyncSessionQuery()) == source.store.syncSessions(SyncSessionQuery()))

        let sha = SHA256Digest.hex(of: source.attachment)
        #expect(try await target.storedAttachment(sha256: sha) == source.store.storedAttachment(sha256: sha))
        let middle = try await target.readAttachment(sha256: sha, offset: 250_000, maxLength: 300_000)
        #expect(middle == source.attachment[250_000..<550_000])
        // The reference index came along: the activity is found through the content it lists.
        #expect(try await target.attachmentHolders(sha256: sha).count == 1)

        // A new epoch and cursor key: every desktop's cursor is answered with a reset.
        let sourceMeta = try await source.store.syncMeta()
        let targetMeta = try await target.syncMeta()
        #expect(targetMeta.epoch != sourceMeta.epoch && !targetMeta.epoch.isEmpty)
        #expect(targetMeta.cursorKey != sourceMeta.cursorKey)
        #expect(report.epoch == targetMeta.epoch)

        // A new write on the copy continues the sequence.
        let next = try await target.insert(
            Record(id: RecordID.make(), type: "Account", owner: "rita", createdAt: Date(), updatedAt: Date(),
                updatedBy: "rita", fields: ["name": "After"]), references: [])
        #expect(next.seq == report.lastSequence + 1)

        // And back again, PostgreSQL to SQLite: the same records.
        let back = try SQLiteStore(path: directory.path("back.sqlite"))
        _ = try await InstallationCopy(from: target, to: back).run()
        #expect(try await back.changes(after: 0, limit: 100) == target.changes(after: 0, limit: 100))
        target.close()
        try await PostgresServer.shared().drop(url)
    }

    @Test func aTargetThatHoldsAnythingIsRefusedNamingWhatItHolds() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.makeSource(in: directory)
        let target = try SQLiteStore(path: directory.path("target.sqlite"))
        try await target.addUser(User(name: "someone", passwordHash: "x", role: "admin"))
        await #expect {
            try await InstallationCopy(from: source.store, to: target).run()
        } throws: { error in
            guard let error = error as? InstallationCopyError else { return false }
            return error.code == .targetNotEmpty && error.message.contains("users 1")
        }
        #expect(try await target.installationCounts()[.records] == 0)
    }

    @Test func verificationNamesTheFirstRecordThatDiffers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.makeSource(in: directory)
        let target = try SQLiteStore(path: directory.path("target.sqlite"))
        let copy = InstallationCopy(from: source.store, to: target)
        _ = try await copy.run()
        try await target.pool.write { db in
            try db.execute(
                sql: "UPDATE records SET fields = json_set(fields, '$.city', 'Rome') WHERE id = ?",
                arguments: [source.account.id])
        }
        await #expect {
            try await copy.verify()
        } throws: { error in
            guard let error = error as? InstallationCopyError else { return false }
            return error.code == .mismatch && error.message.contains(source.account.id)
                && error.message.contains("field 'city'")
        }
    }

    @Test func theCopyCommandMovesAnInstallationThatThenServesLogins() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await Self.makeSource(in: directory)
        let url = try await PostgresServer.shared().database(prefix: "crm_copy")

        let run = try await ProcessRunner.run(
            "crm-server", ["copy", "--from", "sqlite:" + source.path, "--to", url], in: directory.url)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("verified"), "\(run.output)")
        #expect(run.output.contains("records"), "\(run.output)")
        let verify = try await ProcessRunner.run(
            "crm-server", ["copy", "--from", "sqlite:" + source.path, "--to", url, "--verify-only"], in: directory.url)
        #expect(verify.status == 0 && verify.output.contains("verified"), "\(verify.error)")
        let again = try await ProcessRunner.run(
            "crm-server", ["copy", "--from", "sqlite:" + source.path, "--to", url], in: directory.url)
        #expect(again.status != 0)
        #expect(again.error.contains("not empty"), "\(again.error)")

        // The copied store serves as it is: no package published, no user added.
        let store = try await PostgresStore.open(try PostgresConfiguration.test(url))
        var logger = Logger(label: "crm-copy-test")
        logger.logLevel = .critical
        let app = try CRMApplication.make(
            store: store, configuration: ServerConfiguration(bcryptCost: 4), logger: logger)
        let accountID = source.account.id
        try await app.test(.live) { client in
            let login = try CRMJSON.encoder().encode(LoginRequest(username: "rita", password: Self.password))
            let session = try await client.executeRequest(
                uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(data: login))
            #expect(session.status == .created, "\(String(buffer: session.body))")
            let token = try CRMJSON.decoder().decode(LoginResponse.self, from: Data(buffer: session.body)).token
            let read = try await client.executeRequest(
                uri: "/api/v1/records/Account/\(accountID)", method: .get, headers: [.authorization: "Bearer \(token)"],
                body: nil)
            #expect(read.status == .ok, "\(String(buffer: read.body))")
            let record = try CRMJSON.decoder().decode(Record.self, from: Data(buffer: read.body))
            #expect(record.version == 3 && record.fields["city"] == "Nice")
            #expect(record.seq == source.account.seq)
        }
        store.close()
        try await PostgresServer.shared().drop(url)
    }

    @Test func aDemoDataSetCopiesToPostgresAndVerifiesRecordByRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("demo.sqlite")
        let demo = try await ProcessRunner.run(
            "crm-server",
            ["demo-data", "--database", "sqlite:" + path, "--records", "12000", "--password-stdin", "--bcrypt-cost", "4"],
            stdin: "demo password\n", in: directory.url)
        #expect(demo.status == 0, "\(demo.error)")
        let url = try await PostgresServer.shared().database(prefix: "crm_copy")
        let run = try await ProcessRunner.run("crm-server", ["copy", "--from", "sqlite:" + path, "--to", url], in: directory.url)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("verified"), "\(run.output)")

        let source = try SQLiteStore(path: path)
        let target = try await PostgresStore.open(try PostgresConfiguration.test(url))
        // Verified again here, through the protocols only, after the command's own verification.
        let (sourceCounts, targetCounts) = try await InstallationCopy(from: source, to: target).verify()
        #expect(sourceCounts == targetCounts && sourceCounts[.records] == 12_000)
        #expect(try await target.countByType() == source.countByType())
        #expect(try await target.lastSequence() == source.lastSequence())
        target.close()
        try await PostgresServer.shared().drop(url)
    }
}
