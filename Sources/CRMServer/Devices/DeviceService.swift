import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

/// Registers, lists and revokes devices: users their own, administrators anyone's. Shared by the HTTP routes
/// and the `crm-server device` commands (which act as an administrator and name no caller).
public struct DeviceService: Sendable {
    let store: any ServerStore

    public init(store: any ServerStore) {
        self.store = store
    }

    /// Registers a device for the caller; the server mints its id.
    public func register(_ caller: Caller, name: String, now: Date = Timestamp.now()) async throws -> Device {
        let device = Device(
            id: RecordID.make(at: now), user: caller.user.name, name: try Self.checkName(name), createdAt: now)
        try await store.addDevice(device)
        return device
    }

    /// The caller's devices; an administrator may ask for one `user`'s or for `all`.
    public func list(_ caller: Caller, user: String? = nil, all: Bool = false) async throws -> [Device] {
        if all && user != nil {
            throw CRMError(.malformed, "ask for one user's devices or for all, not both", field: "all")
        }
        let own = caller.user.name
        if (all || (user != nil && user != own)) && !caller.isAdmin {
            throw CRMError(
                .forbidden, "only an administrator may list other users' devices", field: all ? "all" : "user")
        }
        return try await devices(user: all ? nil : (user ?? own))
    }

    /// Revokes a device of the caller, or any device for an administrator; someone else's device is 404 to
    /// others, as if it did not exist.
    public func revoke(_ caller: Caller, id: String, now: Date = Timestamp.now()) async throws -> Device {
        guard let device = try await store.device(id: id), device.user == caller.user.name || caller.isAdmin else {
            throw CRMError.notFound("device '\(id)'")
        }
        return try await store.revokeDevice(id: device.id, at: now)
    }

    /// Every device of `user`, or of everyone when nil (administration); 404 for an unknown user.
    public func devices(user: String?) async throws -> [Device] {
        if let user, try await store.user(named: user) == nil { throw CRMError.notFound("user '\(user)'") }
        return try await store.devices(user: user)
    }

    /// Revokes any device (administration): its sessions and refresh tokens end at once.
    public func revoke(id: String, now: Date = Timestamp.now()) async throws -> Device {
        do {
            return try await store.revokeDevice(id: id, at: now)
        } catch StoreError.notFound {
            throw CRMError.notFound("device '\(id)'")
        }
    }

    /// A device name: 1 to 200 characters after trimming, no control characters.
    static func checkName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw CRMError(.malformed, "a device needs a name, such as its host name", field: "name")
        }
        guard trimmed.count <= 200 else {
            throw CRMError(
                .malformed, "a device name has at most 200 characters; this one has \(trimmed.count)", field: "name")
        }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw CRMError(.malformed, "a device name has no control characters such as line breaks", field: "name")
        }
        return trimmed
    }
}
