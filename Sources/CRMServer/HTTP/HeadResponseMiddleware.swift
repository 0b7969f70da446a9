import Hummingbird

/// Answers `HEAD` requests without a body, whatever answered them (a route, or the JSON error body of a refusal
/// such as a 401): an answer to HEAD carries the status and headers of the GET only (RFC 9110 section 9.3.2),
/// and NIO refuses a body written for one, which would close the connection.
struct HeadResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let response = try await next(request, context)
        return request.method == .head ? response.createHeadResponse() : response
    }
}
