import Hummingbird

/// Applies `LoadLimits` to authenticated requests (behind `AuthMiddleware`): the caller's rate first (429), then
/// a slot among the requests served at once (503). Long polls (`sync/wait`) take no slot.
struct LoadMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let shedder: LoadShedder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let caller = context.caller { try shedder.admit(user: caller.user.name) }
        let path = request.uri.path
        if path.hasSuffix("/sync/wait") { return try await next(request, context) }
        let sync = ["/sync/begin", "/sync/pull", "/sync/push", "/sync/end"].contains { path.hasSuffix($0) }
        return try await shedder.serve(sync ? .sync : .other) { try await next(request, context) }
    }
}
