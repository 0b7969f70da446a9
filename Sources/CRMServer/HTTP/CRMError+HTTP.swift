import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension CRMError {
    /// The HTTP status of an error of `kind`; the web pages answer with the same statuses as the API.
    public static func status(_ kind: Kind) -> HTTPResponse.Status { ErrorRendering.status(kind) }
}

/// The one place where failures become HTTP statuses and JSON error bodies (DESIGN section 6).
enum ErrorRendering {
    static func response(for error: any Error, logger: Logger, requestID: String? = nil) -> Response {
        let crmError = translate(error)
        if case .internalError = crmError.kind {
            logger.error("request failed", metadata: ["error": .string(String(describing: error))])
        }
        var headers = HTTPFields()
        headers[.crmProtocolVersion] = String(ProtocolVersion.current)
        var current: Record?
        var issues: [FieldIssue]?
        switch crmError.kind {
        case .tooManyAttempts(let seconds): headers[.retryAfter] = String(seconds)
        case .unavailable: headers[.retryAfter] = "1"
        case .overloaded(let seconds), .rateLimited(let seconds): headers[.retryAfter] = String(seconds)
        case .quietHours(let until): headers[.retryAfter] = String(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))
        case .unauthorized: headers[.wwwAuthenticate] = "Bearer"
        case .staleVersion(let record):
            current = record
            headers[.eTag] = "\"\(record.version)\""
        case .validation(let found): issues = found
        case .uploadOffset(let offset): headers[.uploadOffset] = String(offset)
        case .rangeNotSatisfiable(let size): headers[.contentRange] = "bytes */\(size)"
        default: break
        }
        let body = ErrorBody(
            error: .init(code: code(crmError.kind), message: crmError.message, field: crmError.field, issues: issues),
            current: current, requestId: requestID)
        return JSONResponse.make(body, status: status(crmError.kind), headers: headers)
    }

    static func translate(_ error: any Error) -> CRMError {
        switch error {
        case let error as CRMError:
            return error
        case let error as StoreError:
            switch error {
            case .notFound(let what): return .notFound(what)
            case .versionMismatch(let current): return CRMError(.staleVersion(current: current), "stale version")
            case .alreadyExists(let what): return CRMError(.conflict, "\(what) already exists")
            case .missingReference(let id): return CRMError(.validation([]), "no record \(id) to refer to")
            case .keyTaken(_, let field, _): return CRMError(.conflict, error.description, field: field)
            case .restricted: return CRMError(.conflict, error.description)
            case .busy: return CRMError(.unavailable, "the database is busy; try again")
            case .unavailable: return CRMError(.unavailable, "the database cannot be reached; try again in a moment")
            case .database: return CRMError(.internalError, "internal error; the server log has the details")
            }
        case let error as CSVImportError:
            return CRMError(.malformed, error.description, field: error.column)
        case let error as PackageLoadError:
            return CRMError(.validation([]), error.description, field: error.key.isEmpty ? nil : error.key)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return CRMError(.notFound, "no such route")
            case .contentTooLarge: return CRMError(.tooLarge, "the request body is too large")
            case .badRequest: return CRMError(.malformed, error.body ?? "bad request")
            case .unauthorized: return CRMError(.unauthorized, error.body ?? "log in first")
            default: return CRMError(.internalError, error.body ?? "request failed")
            }
        default:
            return CRMError(.internalError, "internal error; the server log has the details")
        }
    }

    static func status(_ kind: CRMError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .malformed: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .revoked: .forbidden
        case .notFound: .notFound
        case .conflict, .reset: .conflict
        case .staleVersion: .preconditionFailed
        case .tooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .uploadOffset: .conflict
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .validation: .unprocessableContent
        case .tooManyAttempts, .rateLimited: .tooManyRequests
        case .upgradeRequired: .upgradeRequired
        case .unavailable, .overloaded, .quietHours: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    static func code(_ kind: CRMError.Kind) -> String {
        switch kind {
        case .malformed: "malformed"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .revoked: "revoked"
        case .notFound: "not-found"
        case .conflict: "conflict"
        case .reset: "reset"
        case .staleVersion: "stale-version"
        case .tooLarge: "too-large"
        case .unsupportedMediaType: "unsupported-media-type"
        case .uploadOffset: "upload-offset"
        case .rangeNotSatisfiable: "range-not-satisfiable"
        case .validation: "validation"
        case .tooManyAttempts: "too-many-attempts"
        case .upgradeRequired: "upgrade-required"
        case .unavailable: "unavailable"
        case .overloaded: "overloaded"
        case .rateLimited: "rate-limited"
        case .quietHours: "quiet-hours"
        case .internalError: "internal"
        }
    }
}

/// Renders every error thrown below it as the JSON error body with its status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            return ErrorRendering.response(for: error, logger: context.logger, requestID: context.requestID)
        }
    }
}
