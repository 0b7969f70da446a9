import CRMSyncProtocol
import Hummingbird

/// `POST /api/v1/sessions` (log in) and `DELETE /api/v1/sessions` (log out).
struct SessionRoutes {
    let auth: AuthService
    let configuration: ServerConfiguration

    func addLogin(to group: RouterGroup<CRMRequestContext>) {
        group.post("sessions") { request, context in
            let login = try await JSONResponse.decode(LoginRequest.self, from: request, limit: configuration.maxBodyBytes)
            let (token, session, user) = try await auth.login(
                username: login.username, password: login.password, address: context.remoteAddress)
            let body = LoginResponse(token: token, expiresAt: session.expiresAt, user: user.name, role: user.role)
            return JSONResponse.make(body, status: .created)
        }
    }

    func addLogout(to group: RouterGroup<CRMRequestContext>) {
        group.delete("sessions") { request, _ in
            try await auth.logout(token: try AuthMiddleware.bearerToken(request))
            return Response(status: .noContent)
        }
    }
}
