import CRMModel
import CRMSyncProtocol
import Hummingbird

/// `GET /api/v1/search/{type}?q=TEXT&limit=&cursor=`: the online lookup, records of a type that match a text,
/// best match first, as the caller may see them (`RecordService.search`).
struct SearchRoutes {
    let records: RecordService

    func add(to group: RouterGroup<CRMRequestContext>) {
        group.get("search/:type") { request, context in
            let caller = try context.requireCaller()
            let type = try context.parameters.require("type")
            let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            return JSONResponse.make(try await records.search(caller, typeName: type, parameters: parameters))
        }
    }
}
