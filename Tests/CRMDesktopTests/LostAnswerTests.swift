import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// An answer lost on its way back (the server committed; the connection closed in the middle of the answer):
/// the desktop says the server could not be reached, keeps the edits queued, and the next sync sends them again
/// and has each applied once.
@Suite("Lost answers")
struct LostAnswerTests {
    @Test func anAnswerCutOffByALostConnectionIsReportedAsUnreachableAndTheRetryAppliesOnce() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let proxy = AnswerDroppingProxy(upstream: api.baseURL, seed: 1)
            try await proxy.run { url in
                let directory = try TemporaryDirectory(prefix: "crm-lost-answer")
                defer { directory.remove() }
                let home = DesktopHome(path: directory.path("home"))
                _ = try await DesktopSetup(home: home).connect(
                    server: url, user: "rita", password: TestServer.password, deviceName: "laptop")
                _ = try await Desktop.open(home: home).engine().run()
                try Desktop.open(home: home).editor().create(type: "Account", fields: ["name": "Sent Once Ltd"])

                proxy.drop(percent: 100, routes: ["/api/v1/sync/push"])
                let error = try await #require(throws: DesktopError.self) { try await Desktop.open(home: home).engine().run() }
                #expect(error.code == .unreachable, "\(error.message)")
                #expect(error.message.contains("closed the connection before the whole answer"), "\(error.message)")
                #expect(try Desktop.open(home: home).replica.outbox().count == 1)
                #expect(proxy.pushes.count == 1 && proxy.pushes[0].results.map(\.status) == [.applied])

                proxy.drop(percent: 0)
                let session = try await Desktop.open(home: home).engine().run()
                #expect(session.outcome == .success)
                let rita = try await RESTView.login(url, user: "rita", password: TestServer.password)
                let names = try await rita.records("Account").values.compactMap { $0.fields["name"]?.stringValue }
                #expect(names == ["Sent Once Ltd"])
            }
        }
    }
}
