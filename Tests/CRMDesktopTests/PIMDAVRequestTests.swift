import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What a PIM sync asks a DAV server, read from Radicale's own log: the collections found once are kept, so a
/// sync with nothing to do is one sync-collection report per collection; a kept collection that is gone is
/// looked for (and made) again.
@Suite("PIM bridge: DAV requests", .serialized)
struct PIMDAVRequestTests {
    /// The methods and paths Radicale logged (`METHOD request for 'PATH' ...` at level info).
    static func requests(_ radicale: RadicaleServer) throws -> [(method: String, path: String)] {
        try String(contentsOfFile: radicale.directory.path("log"), encoding: .utf8).split(separator: "\n")
            .compactMap { line in
                guard let range = line.range(of: " request for '") else { return nil }
                let method = line[..<range.lowerBound].split(separator: " ").last.map(String.init) ?? ""
                let path = line[range.upperBound...].prefix { $0 != "'" }
                return (method, String(path))
            }
    }

    @Test func aSyncWithNothingToDoIsOneSyncCollectionReportPerCollection() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            _ = try await api.create("Contact", ["firstName": "Ada", "lastName": "Lovelace"], token: rita)
            let laptop = try await PIMDAVSyncTests.desktop(api, radicale, user: "rita", name: "laptop")
            let first = try await laptop.sync()
            #expect(first.pim?.written == 1, "\(first.line)")
            #expect(try await laptop.desktop.pimOnlySync().written == 0)

            // Each `crm-desktop pim sync` opens a new store: this one, too, knows the collections already.
            let before = try Self.requests(radicale).count
            let report = try await Desktop.open(home: laptop.home).pimOnlySync()
            #expect(report.written == 0, "\(report.line)")
            let asked = try Self.requests(radicale).dropFirst(before)
            #expect(asked.map(\.method) == ["REPORT", "REPORT", "REPORT"], "\(asked)")
            #expect(Set(asked.map(\.path)).count == 3)
        }
    }

    @Test func aKeptCollectionThatIsGoneIsMadeAgain() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            _ = try await api.create("Contact", ["firstName": "Ada", "lastName": "Lovelace"], token: rita)
            let laptop = try await PIMDAVSyncTests.desktop(api, radicale, user: "rita", name: "laptop")
            let first = try await laptop.sync()
            #expect(first.pim?.written == 1, "\(first.line)")
            let contacts = try #require(try laptop.replica.pimLocations()[.contacts])

            // Another client removes the address book (what the user's phone may do).
            let phone = PIMDAVSyncTests.phone(radicale)
            try await phone.prepare()
            var request = URLRequest(url: try #require(URL(string: contacts)))
            request.httpMethod = "DELETE"
            let credentials = Data("\(RadicaleServer.user):\(RadicaleServer.password)".utf8).base64EncodedString()
            request.setValue("Basic \(credentials)", forHTTPHeaderField: "Authorization")
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)

            // The next sync finds the address book missing, makes it again and goes on: the item is gone from
            // the PIM, so its record is unshared, as when the user deletes it.
            let report = try await Desktop.open(home: laptop.home).pimOnlySync()
            #expect(report.stopped.isEmpty, "\(report.line)")
            #expect(report.unshared == 1, "\(report.line)")
            let found = try await phone.changes(in: .contacts, since: nil)
            #expect(found.changed.isEmpty)
            #expect(try laptop.replica.pimLocations()[.contacts] == contacts)
        }
    }
}
