import CRMSyncProtocol
import Foundation

/// The desktop's signed-in link to the server: the client, the device, and the short-lived access token it
/// opens from the device's refresh token (no password is stored). A request answered 401 refreshes the token
/// once and is sent again, so a `--watch` running for days keeps working.
public actor ServerConnection {
    public nonisolated let client: ServerClient
    public nonisolated let home: DesktopHome
    public nonisolated let settings: DesktopSettings
    /// How a request answered "busy" (503 or 429 with `Retry-After`) is sent again.
    public nonisolated let busyRetry: BusyRetry
    private var token: String?

    public init(
        home: DesktopHome, settings: DesktopSettings, client: ServerClient? = nil, busyRetry: BusyRetry = BusyRetry()
    ) throws {
        guard let url = URL(string: settings.server) else {
            throw DesktopError(.invalidInput, "the server address '\(settings.server)' is not a URL", field: "--server")
        }
        self.home = home
        self.settings = settings
        self.busyRetry = busyRetry
        // A company's own certificate authority needs the desktop's client that trusts it.
        self.client = try client ?? (settings.caFile == nil ? nil : ServerClient.desktop(settings.server, caFile: settings.caFile))
            ?? ServerClient(baseURL: url)
    }

    /// Runs `body` with an access token; on a 401, refreshes the token once and runs it again; on a busy answer
    /// (503 or 429 with `Retry-After`), waits as `busyRetry` says and runs it again.
    public func call<T: Sendable>(_ body: @Sendable (ServerClient, String) async throws -> T) async throws -> T {
        try await busyRetry.perform { try await callOnce(body) }
    }

    private func callOnce<T: Sendable>(_ body: @Sendable (ServerClient, String) async throws -> T) async throws -> T {
        let current = try await accessToken()
        do {
            return try await body(client, current)
        } catch let error as DesktopError where error.status == 401 {
            token = nil
            return try await body(client, try await accessToken())
        }
    }

    /// The current access token, refreshed from the device's refresh token when there is none.
    public func accessToken() async throws -> String {
        if let token { return token }
        guard let refresh = home.refreshToken() else {
            throw DesktopError(
                .loginRequired,
                "this desktop holds no sign-in for \(settings.user) at \(settings.server); run `crm-desktop login` "
                    + "(unsent edits stay in the outbox)")
        }
        do {
            let answer = try await client.login(LoginRequest(device: settings.device, refreshToken: refresh))
            token = answer.token
            return answer.token
        } catch let error as DesktopError where error.status == 401 {
            throw DesktopError(
                .loginRequired,
                "the sign-in of this desktop expired or was ended (\(error.message)); run `crm-desktop login` to sign "
                    + "in again as \(settings.user). Unsent edits stay in the outbox", status: 401,
                serverCode: error.serverCode)
        }
    }
}
