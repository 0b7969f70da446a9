/// What `ScheduleInstaller` did, so the command line can say it, and say what to do where systemd is missing.
public struct ScheduleOutcome: Sendable, Equatable {
    /// What happened to the service file.
    public enum Action: Sendable, Equatable {
        /// The unit file was written (and, with systemd, enabled and started).
        case installed
        /// The unit file was deleted (and, with systemd, the service stopped and disabled).
        case removed
        /// There was no unit file, so nothing was scheduled.
        case nothingToRemove
    }

    /// What happened to the unit file.
    public var action: Action
    /// The unit file's path.
    public var unitPath: String
    /// The interval the installed service syncs at, in seconds (nil for a removal).
    public var everySeconds: Int?
    /// Why systemd could not take the change: `systemctl` missing from PATH, or the command that failed and its
    /// output (no user bus, as in most containers and CI). Nil when systemd did what was asked.
    public var systemdProblem: String?
    /// The command that syncs in the background by hand, for where systemd is not available (set for installs).
    public var fallbackCommand: String?

    /// A value with every part given.
    public init(
        action: Action, unitPath: String, everySeconds: Int? = nil, systemdProblem: String? = nil,
        fallbackCommand: String? = nil
    ) {
        self.action = action
        self.unitPath = unitPath
        self.everySeconds = everySeconds
        self.systemdProblem = systemdProblem
        self.fallbackCommand = fallbackCommand
    }

    /// Whether systemd took the change (the service is running, or stopped and disabled).
    public var systemdAvailable: Bool { systemdProblem == nil }

    /// What happened, in lines for the user, including the command to run where systemd is not available.
    public var summary: String {
        let unit = ScheduleInstaller.unitName
        switch (action, systemdProblem) {
        case (.installed, nil):
            return """
                Background sync is on: systemd runs \(unit) every \(everySeconds ?? 0) seconds \
                (unit file \(unitPath)).
                Check it with: systemctl --user status \(unit)
                """
        case (.installed, let problem?):
            return """
                systemd is not available here (\(problem)).
                The unit file is written to \(unitPath) for when it is. Until then, keep this running to sync in \
                the background:
                  \(fallbackCommand ?? "")
                """
        case (.removed, nil):
            return "Background sync is off: \(unit) is stopped and disabled, and \(unitPath) is deleted."
        case (.removed, let problem?):
            return """
                systemd is not available here (\(problem)); \(unitPath) is deleted.
                Stop any `sync --watch` you started yourself.
                """
        case (.nothingToRemove, _):
            return "No background sync was scheduled (there is no \(unitPath))."
        }
    }
}
