import CRMSyncProtocol
import Hummingbird

/// `/api/v1/devices` (register, list) and `/api/v1/devices/{id}` (revoke).
struct DeviceRoutes {
    let devices: DeviceService
    let configuration: ServerConfiguration

    func add(to group: RouterGroup<CRMRequestContext>) {
        group.post("devices") { request, context in
            let caller = try context.requireCaller()
            let registration = try await JSONResponse.decode(
                DeviceRegistration.self, from: request, limit: configuration.maxBodyBytes)
            let device = try await devices.register(caller, name: registration.name)
            return JSONResponse.make(device, status: .created)
        }
        group.get("devices") { request, context in
            let caller = try context.requireCaller()
            let query = request.uri.queryParameters
            let all: Bool
            switch query["all"].map(String.init) {
            case nil, "false": all = false
            case "true": all = true
            case let other?: throw CRMError(.malformed, "'all' is true or false, not '\(other)'", field: "all")
            }
            let list = try await devices.list(caller, user: query["user"].map(String.init), all: all)
            return JSONResponse.make(DeviceList(devices: list))
        }
        group.delete("devices/:id") { _, context in
            let caller = try context.requireCaller()
            let device = try await devices.revoke(caller, id: try context.parameters.require("id"))
            return JSONResponse.make(device)
        }
    }
}
