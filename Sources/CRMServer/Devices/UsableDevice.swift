import CRMStore
import CRMSyncProtocol

extension ServerStore {
    /// The device `id` when it belongs to `user` and is not revoked: 404 when it is unknown or someone else's
    /// (the same answer, so ids of other users' devices cannot be probed), 403 `revoked` when revoked. Logins
    /// naming a device and sync sessions both ask this.
    func usableDevice(_ id: String, of user: String) async throws -> Device {
        guard let device = try await device(id: id), device.user == user else {
            throw CRMError(
                .notFound, "device '\(id)' not found; register the desktop with POST /api/v1/devices", field: "device")
        }
        guard !device.isRevoked else { throw CRMError.deviceRevoked(id) }
        return device
    }
}
