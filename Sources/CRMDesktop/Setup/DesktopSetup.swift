import CRMModel
import CRMSyncProtocol
import Foundation

/// The steps of setting up a home folder that talk to the server: check it is a CRM server, sign in, register
/// this desktop as a device and keep its refresh token (never the password). The first run assistant asks the
/// questions; this does the work, so scripts, tests and the assistant share it.
public struct DesktopSetup: Sendable {
    public let home: DesktopHome

    public init(home: DesktopHome) {
        self.home = home
    }

    /// What is in the way of setting this home up for `server` and `user`: unsent edits of another server or
    /// user, whose replica would be rebuilt. Empty when nothing would be lost.
    public func unsentEditsInTheWay(server: String, user: String) throws -> [OutboxOp] {
        guard home.isSetUp, let settings = try? home.settings(),
            settings.server != server || settings.user != user,
            FileManager.default.fileExists(atPath: home.replicaPath)
        else { return [] }
        return try Replica(path: home.replicaPath).outbox()
    }

    /// Whether setting up for `server` and `user` replaces another server's or user's replica.
    public func replacesReplica(server: String, user: String) -> Bool {
        guard let settings = try? home.settings() else { return false }
        return settings.server != server || settings.user != user
    }

    /// Signs in and registers the device (or keeps the one this home already has for the same server and
    /// user), keeps the refresh token, and opens the replica, rebuilt when server or user changed.
    ///
    /// - Parameter discardUnsent: allow dropping unsent edits of another server or user.
    public func connect(
        server: String, user: String, password: String, deviceName: String, pim: String = "none",
        timeZone: String? = nil, discardUnsent: Bool = false, caFile: String? = nil, client: ServerClient? = nil
    ) async throws -> (settings: DesktopSettings, replica: Replica) {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw DesktopError(
                .invalidInput, "'\(server)' is not a server address; write it like https://crm.example.com",
                field: "--server")
        }
        let client = try client ?? (caFile == nil ? nil : ServerClient.desktop(server, caFile: caFile))
            ?? ServerClient(baseURL: url)
        try await client.checkServer()
        let inTheWay = try unsentEditsInTheWay(server: server, user: user)
        if !inTheWay.isEmpty, !discardUnsent {
            throw DesktopError(
                .unsentEdits,
                "this desktop has \(inTheWay.count) unsent edits for another server or user; sync them first, or set up "
                    + "again with --discard-unsent to drop them:\n"
                    + inTheWay.map { "  " + $0.op.summary }.joined(separator: "\n"),
                field: "--discard-unsent")
        }
        let signIn = try await client.login(LoginRequest(username: user, password: password))
        let previous = try? home.settings()
        let sameAccount = previous.map { $0.server == server && $0.user == user } ?? false
        let deviceID: String
        if sameAccount, let previous {
            deviceID = previous.device
        } else {
            deviceID = try await client.registerDevice(name: deviceName, token: signIn.token).id
        }
        let bound = try await client.login(LoginRequest(username: user, password: password, device: deviceID))
        guard let refreshToken = bound.refreshToken else {
            throw DesktopError(.badAnswer, "the server signed the device in without a refresh token")
        }
        try home.create()
        if !sameAccount {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: home.replicaPath + suffix) }
        }
        var settings = DesktopSettings(
            server: server, user: signIn.user, device: deviceID, deviceName: deviceName, pim: pim, timeZone: timeZone)
        settings.caFile = caFile
        try home.saveRefreshToken(refreshToken)
        try home.save(settings)
        let replica = try Replica(path: home.replicaPath)
        try replica.setOwner(user: signIn.user, server: server)
        return (settings, replica)
    }
}
