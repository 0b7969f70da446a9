import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// A device pulling while several users write never misses a committed change and never gets one twice.
@Suite("Sync feed under concurrent writers")
struct SyncFeedConcurrencyTests {
    @Test func aDevicePullingDuringConcurrentWritesEndsWithEveryChangeExactlyOnce() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var desktop = try await TestDesktop.connect(api, "maria")
            try await desktop.begin(filter: "my-team")
            try await desktop.pullAll()
            let writers = ["rita", "tess", "tom"]
            let tokens = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for name in writers { group.addTask { (name, try await api.login(name)) } }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let perWriter = 25

            async let written: [Record] = withThrowingTaskGroup(of: [Record].self) { group in
                for name in writers {
                    let token = tokens[name]!
                    group.addTask {
                        var latest: [Record] = []
                        for serial in 0..<perWriter {
                            let record = try await api.create("Account", ["name": .string("\(name) \(serial)")], token: token)
                            latest.append(record)
                            if serial % 5 == 4 {
                                // An update: the record travels again, with a new version.
                                let reply = try await api.send(
                                    .patch, "/api/v1/records/Account/\(record.id)", token: token,
                                    json: RecordWrite(fields: ["city": .string("City \(serial)")]))
                                latest[latest.count - 1] = try reply.decode(Record.self)
                            }
                        }
                        return latest
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            // Pull small pages while the writers run.
            var rounds = 0
            while rounds < 40 {
                try await desktop.pullAll(limit: 7)
                rounds += 1
                try await Task.sleep(nanoseconds: 5_000_000)
            }
            let final = try await written
            try await desktop.pullAll(limit: 7)

            #expect(final.count == writers.count * perWriter)
            let expected = Dictionary(uniqueKeysWithValues: final.map { ($0.id, $0.version) })
            let held = Dictionary(uniqueKeysWithValues: desktop.records("Account").map { ($0.id, $0.version) })
            #expect(held == expected)
            var seen: [String: Int] = [:]
            for upsert in desktop.pages.flatMap(\.upserts) {
                seen["\(upsert.record.id)@\(upsert.record.version)", default: 0] += 1
            }
            #expect(seen.values.allSatisfy { $0 == 1 }, "a record version came down twice")
            for record in final {
                #expect(seen["\(record.id)@\(record.version)"] == 1, "\(record.id) v\(record.version) never came down")
            }
        }
    }
}
