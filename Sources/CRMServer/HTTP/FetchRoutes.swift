import CRMModel
import Hummingbird

/// `PUT /api/v1/devices/{id}/fetched/{record}` (hold a record by hand on an own device: `crm-desktop fetch`) and
/// `DELETE` of the same (`crm-desktop drop`). The record arrives or leaves with the device's next sync.
struct FetchRoutes {
    let sync: SyncService

    func add(to group: RouterGroup<CRMRequestContext>) {
        group.put("devices/:id/fetched/:record") { _, context in
            let caller = try context.requireCaller()
            let record = try await sync.fetch(
                caller, device: try context.parameters.require("id"), record: try context.parameters.require("record"))
            return JSONResponse.make(record)
        }
        group.delete("devices/:id/fetched/:record") { _, context in
            let caller = try context.requireCaller()
            try await sync.drop(
                caller, device: try context.parameters.require("id"), record: try context.parameters.require("record"))
            return Response(status: .noContent)
        }
    }
}
