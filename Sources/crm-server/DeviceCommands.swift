import ArgumentParser
import CRMModel
import CRMServer
import CRMSyncProtocol
import Foundation

/// `crm-server device ...`: list and revoke desktops while the server runs or not (nothing is cached, so a
/// revoke takes effect on the device's next request).
struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device", abstract: "List and revoke the desktops registered with the server.",
        subcommands: [List.self, Revoke.self])

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List devices, of every user or of one.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this user's devices.") var user: String?
        @Option(help: "text (a table) or json ({\"devices\": [...]}).") var format: Format = .text

        func run() async throws {
            let devices = try await DeviceService(store: store.open()).devices(user: user)
            switch format {
            case .json:
                let data = try CRMJSON.encoder().encode(DeviceList(devices: devices))
                print(String(decoding: data, as: UTF8.self))
            case .text:
                print(
                    "ID".padding(38) + "USER".padding(16) + "CREATED".padding(26) + "LAST SEEN".padding(26)
                        + "REVOKED".padding(26) + "NAME")
                for device in devices {
                    print(
                        device.id.padding(38) + device.user.padding(16)
                            + Timestamp.string(from: device.createdAt).padding(26) + Self.time(device.lastSeenAt)
                            + Self.time(device.revokedAt) + device.name)
                }
            }
        }

        static func time(_ date: Date?) -> String { (date.map { Timestamp.string(from: $0) } ?? "-").padding(26) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a device: its sessions and refresh tokens end at once; it must be set up again.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The device's id (see `crm-server device list`).") var id: String

        func run() async throws {
            let device = try await DeviceService(store: store.open()).revoke(id: id)
            print("revoked \(device.id) (\(device.name)) of \(device.user); its sessions and refresh tokens ended")
        }
    }
}
