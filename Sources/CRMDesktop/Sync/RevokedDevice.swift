import CRMModel
import CRMSyncProtocol
import Foundation

/// What the desktop does when the server says this device was revoked: the replica is wiped (the device may
/// be lost or stolen), but not before every unsent edit is listed and saved to a file in the home folder, so
/// the user can enter them again from another device.
struct RevokedDevice {
    let home: DesktopHome
    let replica: Replica

    /// Saves and lists the unsent edits, removes the replica and the refresh token, and returns the error to
    /// report.
    func wipe(after error: DesktopError) throws -> DesktopError {
        let unsent = (try? replica.outbox()) ?? []
        var message = "the server revoked this device (\(error.message)); its replica was wiped"
        if !unsent.isEmpty {
            let file = home.file("unsent-edits-\(Timestamp.milliseconds(Date())).json")
            let encoder = CRMJSON.encoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try home.writePrivate(try encoder.encode(unsent.map(\.op)), to: file)
            message += ". \(unsent.count) unsent edits were saved to \(file):\n"
                + unsent.map { "  " + $0.op.summary }.joined(separator: "\n")
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: replica.path + suffix) }
        try home.saveRefreshToken(nil)
        return DesktopError(.revoked, message, status: error.status, serverCode: error.serverCode)
    }
}
