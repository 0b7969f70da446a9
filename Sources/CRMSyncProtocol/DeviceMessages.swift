import Foundation

/// `POST /api/v1/devices`: register the calling desktop under a name of its choosing.
public struct DeviceRegistration: Codable, Sendable {
    /// What the desktop calls itself, such as its host name: 1 to 200 characters.
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

/// `GET /api/v1/devices`: the caller's devices, or (for an administrator) one user's or everyone's.
public struct DeviceList: Codable, Sendable {
    /// Ordered by user, then by registration time.
    public var devices: [Device]

    public init(devices: [Device]) {
        self.devices = devices
    }
}
