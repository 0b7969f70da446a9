import CRMModel
import CRMStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Health, the caller's package, and the OpenAPI document.
struct SystemRoutes {
    let store: any ServerStore
    let packages: PackageService

    func addOpen(to router: Router<CRMRequestContext>, api: RouterGroup<CRMRequestContext>) {
        router.get("healthz") { _, _ in
            _ = try await store.lastSequence()
            return JSONResponse.make(["status": "ok"])
        }
        api.get("openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
                let data = try? Data(contentsOf: url)
            else { throw CRMError(.internalError, "the OpenAPI document is missing from this build") }
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    func addAuthenticated(to group: RouterGroup<CRMRequestContext>) {
        group.get("package") { _, context in
            let caller = try context.requireCaller()
            var headers = HTTPFields()
            headers[.eTag] = "\"\(caller.package.version)\""
            return JSONResponse.make(caller.package, headers: headers)
        }
    }
}
