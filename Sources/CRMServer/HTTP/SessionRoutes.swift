import CRMSyncProtocol
import Hummingbird

/// `POST /api/v1/sessions` (log in, or refresh with a device's refresh token) and `DELETE /api/v1/sessions`
/// (log out).
struct SessionRoutes {
    let auth: AuthService
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    func addLogin(to group: RouterGroup<CRMRequestContext>) {
        group.post("sessions") { request, context in
            let login = try await JSONResponse.decode(LoginRequest.self, from: request, limit: configuration.maxBodyBytes)
            let grant: LoginGrant
            do { grant = try await logIn(login, address: context.remoteAddress) } catch let error as CRMError {
                switch error.kind {
                case .tooManyAttempts: metrics.loginThrottled()
                case .unauthorized: metrics.loginFailed()
                default: break
                }
                throw error
            }
            context.trace.user = grant.user.name
            let body = LoginResponse(
                token: grant.token, expiresAt: grant.session.expiresAt, user: grant.user.name, role: grant.user.role,
                refreshToken: grant.refreshToken, device: grant.session.device)
            return JSONResponse.make(body, status: .created)
        }
    }

    /// A password login, or a refresh with a device's refresh token.
    private func logIn(_ login: LoginRequest, address: String?) async throws -> LoginGrant {
        if let refreshToken = login.refreshToken {
            return try await auth.refresh(refreshToken: refreshToken, device: login.device, address: address)
        }
        let missing = "log in with 'username' and 'password', or with a device's 'refreshToken'"
        guard let username = login.username else {
            throw CRMError(.malformed, "'username' is missing: " + missing, field: "username")
        }
        guard let password = login.password else {
            throw CRMError(.malformed, "'password' is missing: " + missing, field: "password")
        }
        return try await auth.login(username: username, password: password, device: login.device, address: address)
    }

    func addLogout(to group: RouterGroup<CRMRequestContext>) {
        group.delete("sessions") { request, _ in
            try await auth.logout(token: try AuthMiddleware.bearerToken(request))
            return Response(status: .noContent)
        }
    }
}
