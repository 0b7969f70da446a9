import ArgumentParser
import CRMServer
import Foundation

/// `crm-server quiet-hours set|list|clear`: hours in which sync sessions of a filter (or of every filter) wait.
struct QuietHoursCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quiet-hours",
        abstract: "Set, list or clear the hours in which desktops' sync sessions wait, to spread server load.",
        discussion: """
            Inside a window, a desktop beginning a sync of that filter is answered 503 quiet-hours with \
            Retry-After at the window's end; `crm-desktop sync --watch` (and the scheduled service) comes back \
            then. Takes effect at once on every server of the database.
            """,
        subcommands: [SetWindow.self, ListWindows.self, ClearWindows.self])

    struct SetWindow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set the window of a filter (or of every filter), replacing the one it had.")
        @OptionGroup var store: StoreOptions
        @Option(help: ArgumentHelp("The first moment, HH:MM or HH:MM:SS.", valueName: "TIME")) var from: String
        @Option(help: ArgumentHelp("When sync is allowed again (before --from: over midnight).", valueName: "TIME"))
        var to: String
        @Option(help: "The filter preset whose sessions wait (default: every filter).") var filter: String?
        @Option(help: "The IANA time zone of the times (default UTC).") var timeZone = "UTC"

        func run() async throws {
            let window = try QuietWindow(filter: filter, start: from, end: to, timeZone: timeZone)
            let database = try await store.open()
            try await QuietHours(store: database).set(window)
            print("quiet hours \(window.start)-\(window.end) \(window.timeZone) for \(filter.map { "filter \($0)" } ?? "every filter")")
        }
    }

    struct ListWindows: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the windows.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let windows = try await QuietHours(store: try await store.open()).windows()
            if windows.isEmpty { print("no quiet hours") }
            for window in windows {
                print("\(window.filter ?? "*")\t\(window.start)-\(window.end)\t\(window.timeZone)")
            }
        }
    }

    struct ClearWindows: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear", abstract: "Remove the window of a filter, or every window.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The filter whose window goes (default: the window for every filter).") var filter: String?
        @Flag(help: "Remove every window.") var all = false

        func run() async throws {
            let hours = QuietHours(store: try await store.open())
            if all {
                try await hours.clearAll()
                print("no quiet hours")
            } else if try await hours.clear(filter: filter) {
                print("cleared the quiet hours of \(filter.map { "filter \($0)" } ?? "every filter")")
            } else {
                throw ValidationError("no quiet hours are set for \(filter.map { "filter \($0)" } ?? "every filter")")
            }
        }
    }
}
