import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop`: the CRM on this computer, offline first. Every subcommand takes `--home DIR`.
///
/// Errors are reported in one place: a `DesktopError` prints its description to standard error and exits 1;
/// a sync that ran but left conflicts or refused changes exits 2 (`ExitCode(2)` from the command).
@main
struct CRMDesktopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-desktop",
        abstract: "The CRM on this computer: an offline replica of your records that syncs with the CRM server.",
        discussion: "Start with `crm-desktop setup`. Records are read and edited offline; `crm-desktop sync` sends and "
            + "brings changes.",
        subcommands: [
            SetupCommand.self, LoginCommand.self, SyncCommand.self, StatusCommand.self, ListCommand.self,
            ShowCommand.self, NewCommand.self, EditCommand.self, DeleteCommand.self, LinkCommand.self,
            UnlinkCommand.self, ConflictsCommand.self, FiltersCommand.self, LogCommand.self, ScheduleCommand.self,
            RetryCommand.self, DiscardCommand.self, RebuildCommand.self, PIMCommand.self, ShareCommand.self, MailCommand.self,
            AttachCommand.self, OpenAttachmentCommand.self, SearchCommand.self, FetchCommand.self, DropCommand.self,
        ])

    @OptionGroup var global: GlobalOptions

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as DesktopError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
