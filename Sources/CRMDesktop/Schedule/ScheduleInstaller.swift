import Foundation

/// Background sync the way Linux desktop users expect it: a systemd user service running `sync --watch`.
///
/// Where systemd cannot be used (no `systemctl`, no user bus: containers, CI, WSL), the unit file is still written
/// or removed and the outcome says so, with the command to run instead; it never fails silently.
public struct ScheduleInstaller: Sendable {
    /// The systemd user unit's name.
    public static let unitName = "crm-desktop-sync.service"
    /// The shortest and longest sync intervals, in seconds.
    public static let intervalRange = 60...86_400

    /// The absolute path of the `crm-desktop` executable the service runs.
    public let executable: String
    /// The absolute path of the desktop's home folder (`--home`).
    public let home: String
    /// The environment: XDG_CONFIG_HOME and HOME place the unit file; PATH finds `systemctl`.
    public let environment: [String: String]

    /// An installer for `executable` syncing the home folder `home`; relative paths are made absolute here.
    public init(executable: String, home: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.executable = Self.absolutePath(executable)
        self.home = Self.absolutePath(home)
        self.environment = environment
    }

    /// The folder systemd reads user units from: `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`.
    public var unitDirectory: String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return URL(fileURLWithPath: config).appendingPathComponent("systemd/user").path
        }
        let userHome = environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? NSHomeDirectory()
        return URL(fileURLWithPath: userHome).appendingPathComponent(".config/systemd/user").path
    }

    /// The unit file's path.
    public var unitPath: String {
        URL(fileURLWithPath: unitDirectory).appendingPathComponent(Self.unitName).path
    }

    /// Writes the unit, reloads systemd and enables and starts the service (restarting it when the unit changed).
    public func install(everySeconds seconds: Int) throws -> ScheduleOutcome {
        guard Self.intervalRange.contains(seconds) else {
            throw DesktopError(
                .invalidInput, "The interval must be from 60 seconds to 86400 (24 hours), not \(seconds).",
                field: "--every")
        }
        let text = unitText(everySeconds: seconds)
        let previous = try? String(contentsOfFile: unitPath, encoding: .utf8)
        do {
            try FileManager.default.createDirectory(atPath: unitDirectory, withIntermediateDirectories: true)
            try text.write(toFile: unitPath, atomically: true, encoding: .utf8)
        } catch {
            throw DesktopError(.invalidInput, "Cannot write \(unitPath): \(error.localizedDescription)")
        }
        let systemctl = Systemctl(environment: environment)
        var problem = systemctl.run(["daemon-reload"])
        if problem == nil { problem = systemctl.run(["enable", "--now", Self.unitName]) }
        if problem == nil, let previous, previous != text { problem = systemctl.run(["restart", Self.unitName]) }
        return ScheduleOutcome(
            action: .installed, unitPath: unitPath, everySeconds: seconds, systemdProblem: problem,
            fallbackCommand: problem == nil ? nil : fallbackCommand(everySeconds: seconds))
    }

    /// Stops and disables the service and deletes its unit file (also where systemd is not available).
    public func remove() throws -> ScheduleOutcome {
        guard FileManager.default.fileExists(atPath: unitPath) else {
            return ScheduleOutcome(action: .nothingToRemove, unitPath: unitPath)
        }
        let systemctl = Systemctl(environment: environment)
        var problem = systemctl.run(["disable", "--now", Self.unitName])
        do {
            try FileManager.default.removeItem(atPath: unitPath)
        } catch {
            throw DesktopError(.invalidInput, "Cannot delete \(unitPath): \(error.localizedDescription)")
        }
        if problem == nil { problem = systemctl.run(["daemon-reload"]) }
        return ScheduleOutcome(action: .removed, unitPath: unitPath, systemdProblem: problem)
    }

    /// The command that does what the service does, quoted for a POSIX shell, for users without systemd.
    public func fallbackCommand(everySeconds seconds: Int) -> String {
        [executable, "--home", home, "sync", "--watch", String(seconds)].map(Self.shellQuoted).joined(separator: " ")
    }

    /// `argument` as one word for a POSIX shell: as it is when it is plain, else in single quotes.
    static func shellQuoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/._-+:=@%,".unicodeScalars.contains($0))
        }
        return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func absolutePath(_ path: String) -> String {
        URL(fileURLWithPath: NSString(string: path).expandingTildeInPath).standardizedFileURL.path
    }
}
