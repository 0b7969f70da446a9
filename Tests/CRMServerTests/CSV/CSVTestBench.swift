import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation

/// A test server's store with the CSV import and export and the record service, driven as a given user.
struct CSVTestBench {
    let server: TestServer
    var store: any ServerStore { server.store }

    /// Runs `body` on a fresh test server's store (the default package and the test users), then removes it.
    static func with<T>(_ body: (CSVTestBench) async throws -> T) async throws -> T {
        let server = try await TestServer.make()
        do {
            let value = try await body(CSVTestBench(server: server))
            await server.remove()
            return value
        } catch {
            await server.remove()
            throw error
        }
    }

    func caller(_ user: String?) async throws -> Caller { try await Caller.command(user: user, store: store) }

    func create(_ type: String, _ fields: [String: FieldValue], as user: String, team: [String]? = nil) async throws
        -> Record
    {
        let service = RecordService(store: store, configuration: server.configuration)
        return try await service.create(try await caller(user), typeName: type, write: RecordWrite(fields: fields, team: team))
    }

    func importCSV(
        _ text: String, type: String, as user: String?, options: CSVImport.Options = CSVImport.Options()
    ) async throws -> CSVImportReport {
        try await importBytes(Data(text.utf8), type: type, as: user, options: options)
    }

    func importBytes(
        _ data: Data, type: String, as user: String?, options: CSVImport.Options = CSVImport.Options()
    ) async throws -> CSVImportReport {
        try await CSVImport(store: store).run(
            try await caller(user), typeName: type, stream: InputStream(data: data), options: options)
    }

    func export(_ type: String, as user: String?) async throws -> String {
        let caller = try await caller(user)
        let collected = Collected()
        try await CSVExport(store: store, pageSize: 3).run(caller, typeName: type) { await collected.append($0) }
        return await collected.text
    }

    /// Every live record of `type`, by id.
    func records(_ type: String) async throws -> [String: Record] {
        let all = try await store.liveRecords(type: type, visibility: .all, after: "", limit: 10_000)
        return Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    }
}

private actor Collected {
    var text = ""
    func append(_ piece: String) { text += piece }
}
