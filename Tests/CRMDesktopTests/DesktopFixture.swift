import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation

/// A desktop set up in a temporary home folder against the test server, through the same steps as
/// `crm-desktop setup`: the engine, the editor and the replica of one user's desktop.
struct DesktopFixture: Sendable {
    let home: DesktopHome
    let directory: TemporaryDirectory
    let settings: DesktopSettings
    let replica: Replica
    let engine: SyncEngine

    static func make(
        _ api: TestAPI, user: String, name: String = "laptop", timeZone: String = "UTC", pim: String = "none"
    ) async throws -> DesktopFixture {
        let directory = try TemporaryDirectory(prefix: "crm-desktop-test")
        let home = DesktopHome(path: directory.path("home"))
        let (settings, replica) = try await DesktopSetup(home: home).connect(
            server: api.baseURL.absoluteString, user: user, password: TestServer.password, deviceName: name,
            pim: pim, timeZone: timeZone)
        let connection = try ServerConnection(home: home, settings: settings)
        let desktop = Desktop(home: home, settings: settings, replica: replica, connection: connection)
        return DesktopFixture(
            home: home, directory: directory, settings: settings, replica: replica, engine: desktop.engine())
    }

    /// The fixture's desktop, wired as a command wires it.
    var desktop: Desktop {
        get throws {
            Desktop(
                home: home, settings: settings, replica: replica,
                connection: try ServerConnection(home: home, settings: settings))
        }
    }

    /// Two synced desktops of one user ("laptop" and "tablet"), for tests of edits made on both.
    static func pair(_ api: TestAPI, user: String) async throws -> (laptop: DesktopFixture, tablet: DesktopFixture) {
        let laptop = try await make(api, user: user, name: "laptop")
        let tablet = try await make(api, user: user, name: "tablet")
        try await laptop.sync()
        try await tablet.sync()
        return (laptop, tablet)
    }

    /// The editor for offline changes (needs a synced package).
    func editor() throws -> RecordEditor { try RecordEditor(replica: replica, user: settings.user) }

    @discardableResult
    func sync() async throws -> SyncReceipt { try await engine.run() }

    /// The user's view of the records of `type`.
    func records(_ type: String) throws -> [LocalRecord] { try replica.localRecords(type: type, user: settings.user) }

    func record(_ id: String) throws -> LocalRecord? { try replica.localRecord(id: id, user: settings.user) }
}
