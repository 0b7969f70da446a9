import CRMDesktop
import CRMTesting
import Foundation
import Testing

/// A temporary user: its own XDG_CONFIG_HOME, HOME and a PATH holding only what the test puts in `bin`.
private struct ScheduleSandbox {
    let directory: TemporaryDirectory
    let environment: [String: String]

    init() throws {
        directory = try TemporaryDirectory(prefix: "crm-schedule")
        try FileManager.default.createDirectory(atPath: directory.path("bin"), withIntermediateDirectories: true)
        environment = [
            "XDG_CONFIG_HOME": directory.path("config"), "HOME": directory.path("home"), "PATH": directory.path("bin"),
        ]
    }

    var installer: ScheduleInstaller {
        ScheduleInstaller(
            executable: "/usr/local/bin/crm-desktop", home: "/home/ann/.crm-desktop", environment: environment)
    }

    /// Puts a fake `systemctl` on PATH that logs its arguments and exits with `status`, saying `message` on failure.
    func fakeSystemctl(status: Int, message: String = "") throws {
        let script = """
            #!/bin/sh
            echo "$@" >> '\(directory.path("systemctl.log"))'
            [ -n '\(message)' ] && echo '\(message)' >&2
            exit \(status)

            """
        let path = directory.path("bin/systemctl")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// The `systemctl` calls so far, one per line.
    var systemctlCalls: [String] {
        ((try? String(contentsOfFile: directory.path("systemctl.log"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }
}

@Suite struct ScheduleTests {
    @Test func unitTextRunsSyncWatchForTheHomeFolderAndRestartsOnFailure() throws {
        let sandbox = try ScheduleSandbox()
        defer { sandbox.directory.remove() }
        let lines = sandbox.installer.unitText(everySeconds: 900).split(separator: "\n").map(String.init)
        let expected = [
            "[Unit]", "Description=CRM Desktop background sync", "After=network-online.target", "[Service]",
            "Type=simple", "ExecStart=/usr/local/bin/crm-desktop --home /home/ann/.crm-desktop sync --watch 900",
            "Restart=on-failure", "RestartSec=30", "[Install]", "WantedBy=default.target",
        ]
        #expect(lines.filter { !$0.hasPrefix("#") } == expected)
        let sections = lines.filter { $0.hasPrefix("[") }
        #expect(sections == ["[Unit]", "[Service]", "[Install]"])
    }

    @Test func unitTextQuotesPathsWithSpacesAndEscapesPercentAndDollar() {
        let installer = ScheduleInstaller(
            executable: "/opt/CRM Desktop/crm-desktop", home: "/home/ann/100% \"$work\"", environment: [:])
        let lines = installer.unitText(everySeconds: 60).split(separator: "\n")
        #expect(
            lines.first { $0.hasPrefix("ExecStart=") }
                == #"ExecStart="/opt/CRM Desktop/crm-desktop" --home "/home/ann/100%% \"$$work\"" sync --watch 60"#)
        #expect(
            installer.fallbackCommand(everySeconds: 60)
                == #"'/opt/CRM Desktop/crm-desktop' --home '/home/ann/100% "$work"' sync --watch 60"#)
    }

    @Test func relativePathsAreMadeAbsolute() {
        let installer = ScheduleInstaller(executable: ".build/debug/crm-desktop", home: "crm-home", environment: [:])
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        #expect(installer.executable == here.appendingPathComponent(".build/debug/crm-desktop").path)
        #expect(installer.home == here.appendingPathComponent("crm-home").path)
    }

    @Test func unitFileGoesUnderXDGConfigHomeElseUnderHomeDotConfig() {
        let xdg = ScheduleInstaller(executable: "/x", home: "/h", environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/u"])
        #expect(xdg.unitPath == "/c/systemd/user/crm-desktop-sync.service")
        let home = ScheduleInstaller(executable: "/x", home: "/h", environment: ["XDG_CONFIG_HOME": "", "HOME": "/u"])
        #expect(home.unitPath == "/u/.config/systemd/user/crm-desktop-sync.service")
    }

    @Test func installWithoutSystemctlWritesTheUnitAndReturnsTheCommandToRunInstead() throws {
        let sandbox = try ScheduleSandbox()
        defer { sandbox.directory.remove() }
        let outcome = try sandbox.installer.install(everySeconds: 900)
        #expect(outcome.action == .installed)
        #expect(!outcome.systemdAvailable)
        #expect(outcome.systemdProblem == "systemctl is not on PATH")
        #expect(outcome.fallbackCommand == "/usr/local/bin/crm-desktop --home /home/ann/.crm-desktop sync --watch 900")
        #expect(outcome.unitPath == sandbox.directory.path("config/systemd/user/crm-desktop-sync.service"))
        let written = try String(contentsOfFile: outcome.unitPath, encoding: .utf8)
        #expect(written == sandbox.installer.unitText(everySeconds: 900))
        #expect(outcome.summary.contains("systemd is not available here"))
        #expect(outcome.summary.contains(outcome.fallbackCommand ?? "?"))
    }

    @Test func installWhereSystemctlHasNoUserBusSaysWhyAndGivesTheCommand() throws {
        let sandbox = try ScheduleSandbox()
        defer { sandbox.directory.remove() }
        try sandbox.fakeSystemctl(status: 1, message: "Failed to connect to bus: No medium found")
        let outcome = try sandbox.installer.install(everySeconds: 3600)
        #expect(
            outcome.systemdProblem
                == "systemctl --user daemon-reload failed: Failed to connect to bus: No medium found")
        #expect(outcome.fallbackCommand?.hasSuffix("sync --watch 3600") == true)
        #expect(FileManager.default.fileExists(atPath: outcome.unitPath))
        #expect(sandbox.systemctlCalls == ["--user daemon-reload"])
    }

    @Test func installWithSystemdReloadsEnablesAndRestartsWhenTheIntervalChanges() throws {
        let sandbox = try ScheduleSandbox()
        defer { sandbox.directory.remove() }
        try sandbox.fakeSystemctl(status: 0)
        let first = try sandbox.installer.install(everySeconds: 900)
        #expect(first.systemdAvailable)
        #expect(first.fallbackCommand == nil)
        #expect(first.summary.contains("systemctl --user status crm-desktop-sync.service"))
        _ = try sandbox.installer.install(everySeconds: 900)
        _ = try sandbox.installer.install(everySeconds: 1800)
        let enable = ["--user daemon-reload", "--user enable --now crm-desktop-sync.service"]
        #expect(sandbox.systemctlCalls == enable + enable + enable + ["--user restart crm-desktop-sync.service"])
        let removed = try sandbox.installer.remove()
        #expect(removed.action == .removed)
        #expect(removed.systemdAvailable)
        let disable = ["--user disable --now crm-desktop-sync.service", "--user daemon-reload"]
        #expect(Array(sandbox.systemctlCalls.suffix(2)) == disable)
    }

    @Test func removeDeletesTheUnitFileEvenWithoutSystemd() throws {
        let sandbox = try ScheduleSandbox()
        defer { sandbox.directory.remove() }
        let installed = try sandbox.installer.install(everySeconds: 900)
        let removed = try sandbox.installer.remove()
        #expect(removed.action == .removed)
        #expect(removed.systemdProblem == "systemctl is not on PATH")
        #expect(!FileManager.default.fileExists(atPath: installed.unitPath))
        #expect(removed.summary.contains("is deleted"))
        #expect(try sandbox.installer.remove().action == .nothingToRemove)
    }

    @Test func installRejectsAnIntervalOutOfRange() throws {
        let sandbox = try ScheduleSandbox()
        defer { sandbox.directory.remove() }
        let error = #expect(throws: DesktopError.self) { try sandbox.installer.install(everySeconds: 5) }
        #expect(error?.field == "--every")
        #expect(!FileManager.default.fileExists(atPath: sandbox.installer.unitPath))
    }

    @Test(arguments: [
        ("900", 900), ("900s", 900), ("15m", 900), ("30m", 1_800), ("1h", 3_600), (" 2H ", 7_200), ("60", 60),
        ("86400", 86_400), ("24h", 86_400), ("1m", 60),
    ])
    func parseIntervalReadsSecondsMinutesAndHours(text: String, seconds: Int) throws {
        #expect(try ScheduleInstaller.parseInterval(text) == seconds)
    }

    @Test(arguments: [
        "", "abc", "15x", "m", "-5m", "+5m", "1.5h", "59", "59s", "25h", "86401", "99999999999999999999h",
    ])
    func parseIntervalRejectsOtherFormsAndValuesOutOfRange(text: String) {
        let error = #expect(throws: DesktopError.self) { try ScheduleInstaller.parseInterval(text) }
        #expect(error?.code == .invalidInput)
        #expect(error?.field == "--every")
        #expect(error?.message.contains("900s") == true && error?.message.contains("15m") == true)
    }
}
