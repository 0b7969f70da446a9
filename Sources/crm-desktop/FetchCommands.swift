import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation

/// `crm-desktop fetch TYPE ID`: brings one record the filter does not select (found with `search --online`) into
/// the replica, then syncs; it stays, following the server's changes, until `drop` or until the user may no
/// longer see it.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Bring one record here by hand (outside your filter) and keep it synced.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type.") var type: String
    @Argument(help: "The record's full id (as `search --online` shows it).") var id: String
    @Flag(help: "Only mark it on the server; it arrives with the next sync.") var noSync = false

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        _ = try editor.type(typeName)
        let record = try await desktop.fetch(type: typeName, id: id)
        let title = RecordPresenter(package: editor.package).title(of: record)
        Console().note("\(typeName) \(record.id) (\(title)) is added by hand: it stays synced until "
            + "`crm-desktop drop \(typeName) \(RecordPresenter.shortID(record.id))`")
        if !noSync { try await SyncNow.run(desktop) }
    }
}

/// `crm-desktop drop TYPE ID`: ends holding a fetched record by hand; it leaves with the sync that follows
/// (unless the filter selects it).
struct DropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop", abstract: "Let a record added by hand (`fetch`) leave this desktop with the next sync.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record type.") var type: String
    @Argument(help: "The record's id, or its first characters (at least 4).") var id: String
    @Flag(help: "Only tell the server; the record leaves with the next sync.") var noSync = false

    func run() async throws {
        let desktop = try global.open()
        let editor = try desktop.editor()
        let typeName = TypeName.resolve(type, in: editor.package)
        let local = try editor.find(typeName, id: id)
        guard try desktop.replica.fetchedIDs().contains(local.id) else {
            throw ValidationError(
                "\(typeName) \(local.id) was not added by hand (`crm-desktop fetch`): your filter brings it")
        }
        try await desktop.drop(type: typeName, id: local.id)
        Console().note("\(typeName) \(local.id) is no longer added by hand; it leaves with the next sync")
        if !noSync { try await SyncNow.run(desktop) }
    }
}

/// One sync after a fetch or drop, printing its receipt line.
enum SyncNow {
    static func run(_ desktop: Desktop) async throws {
        let receipt = try await desktop.engine().run()
        print(receipt.line)
        if receipt.outcome == .partial { throw ExitCode(2) }
    }
}
