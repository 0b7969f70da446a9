import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop schedule --every 15m` / `--off`: background sync as a systemd user service.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Sync in the background (a systemd user service running `sync --watch`).")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("How often: 900, 900s, 15m or 1h (1 minute to 24 hours).", valueName: "INTERVAL"))
    var every: String?
    @Flag(help: "Stop and remove the background sync.") var off = false

    func validate() throws {
        guard (every == nil) != !off else { throw ValidationError("give --every INTERVAL or --off") }
    }

    func run() async throws {
        let home = global.desktopHome
        let installer = ScheduleInstaller(executable: Self.executablePath(), home: home.path)
        let outcome: ScheduleOutcome
        if let every {
            _ = try home.settings()  // a service for a home that is not set up would only fail
            outcome = try installer.install(everySeconds: try ScheduleInstaller.parseInterval(every))
        } else {
            outcome = try installer.remove()
        }
        print(outcome.summary)
    }

    /// This executable's absolute path: the running binary, else argv[0] made absolute.
    static func executablePath() -> String {
        if let path = Bundle.main.executablePath, path.hasPrefix("/") { return path }
        let argument = CommandLine.arguments[0]
        if argument.hasPrefix("/") { return argument }
        if argument.contains("/") {
            return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(argument).path
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(folder)/\(argument)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return argument
    }
}
