import CRMTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `deploy/crm-server.service` and `deploy/install.sh`: the unit is one systemd accepts, its `ExecStart` is a
/// command line `crm-server serve` runs (and stops cleanly on the unit's `KillSignal`), and the install script
/// puts the binary, the unit and the documentation where the unit expects them.
@Suite struct ServiceUnitTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    /// The unit's `[Service]` settings, by key (the last one of each).
    static func settings() throws -> [String: String] {
        let text = try String(contentsOf: deploy.appendingPathComponent("crm-server.service"), encoding: .utf8)
        var settings: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            settings[String(parts[0])] = String(parts[1])
        }
        return settings
    }

    @Test func theUnitRunsADedicatedUserHardenedAndStopsWithSIGTERM() throws {
        let unit = try Self.settings()
        #expect(unit["User"] == "crm" && unit["Group"] == "crm")
        #expect(unit["KillSignal"] == "SIGTERM")
        #expect(Int(unit["TimeoutStopSec"] ?? "") ?? 0 >= 10)
        #expect(unit["Restart"] == "on-failure")
        for (key, value) in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
            ("ProtectHome", "yes")]
        {
            #expect(unit[key] == value, "\(key)=\(unit[key] ?? "(missing)")")
        }
        let command = try #require(unit["ExecStart"]).split(separator: " ").map(String.init)
        #expect(command.first == "/usr/local/bin/crm-server" && command.dropFirst().first == "serve")
        // The database lives in the one directory ProtectSystem=strict leaves writable.
        let database = try #require(command.firstIndex(of: "--database")).advanced(by: 1)
        #expect(command[database].hasPrefix("sqlite:/var/lib/" + (unit["StateDirectory"] ?? "?") + "/"))
    }

    @Test func systemdAcceptsTheUnit() async throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else { return }  // not on every machine
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The unit names the installed binary; here the built one stands in for it.
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("crm-server.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/crm-server", with: CommandTests.binary.path)
        let file = directory.path("crm-server.service")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try await ProcessRunner.run(analyze, ["verify", file])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.isEmpty && run.output.isEmpty, "systemd-analyze verify: \(run.error)\(run.output)")
    }

    @Test func theUnitsCommandLineServesAndExitsZeroOnSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let command = try #require(Self.settings()["ExecStart"]).split(separator: " ").map(String.init)
        var arguments = Array(command.dropFirst())
        let port = try LoopbackPort.free()
        // The same flags, on a free port and a database in the test's folder.
        for (flag, value) in [("--port", String(port)), ("--database", "sqlite:" + directory.path("crm.sqlite"))] {
            let index = try #require(arguments.firstIndex(of: flag))
            arguments[index + 1] = value
        }
        let log = directory.path("serve.log")
        let (process, _) = try ChildProcess.spawn(
            CommandTests.binary.path, arguments, directory: directory.url.path, error: .file(log))
        var ready = false
        for _ in 0..<150 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            let reply = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/readyz")!)
            ready = (reply?.1 as? HTTPURLResponse)?.statusCode == 200
        }
        #expect(ready)
        process.terminate()
        try await ProcessRunner.offPool { process.waitUntilExit() }
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        // The unit asks for JSON lines: every line of the log is one object, the request among them.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!lines.isEmpty && objects.count == lines.count, "\(lines.prefix(5))")
        #expect(objects.contains { $0["route"] as? String == "/readyz" && $0["status"] as? String == "200" })
    }

    @Test func installScriptIsShellcheckClean() async throws {
        let shellcheck = "/usr/bin/shellcheck"
        guard FileManager.default.isExecutableFile(atPath: shellcheck) else { return }  // Debian package shellcheck
        let run = try await ProcessRunner.run(shellcheck, [Self.deploy.appendingPathComponent("install.sh").path])
        #expect(run.status == 0, "\(run.output)\(run.error)")
    }

    @Test func installScriptPutsBinaryUnitAndDocsInPlace() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = Self.deploy.appendingPathComponent("install.sh").path
        let root = directory.path("root")
        // A small stand-in for the binary (the real one is 140 MB in a debug build): the script copies either.
        let binary = directory.path("crm-server")
        try "#!/bin/sh\necho stand-in \"$@\"\n".write(toFile: binary, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        let dry = try await ProcessRunner.run(
            "/bin/bash", [script, "--dry-run", "--prefix", "/opt/crm", "--binary", binary])
        #expect(dry.status == 0, "\(dry.error)")
        #expect(dry.output.contains("/opt/crm/bin/crm-server") && dry.output.contains("useradd"), "\(dry.output)")
        #expect(!FileManager.default.fileExists(atPath: "/opt/crm/bin/crm-server"))

        let run = try await ProcessRunner.run(
            "/bin/bash", [script, "--root", root, "--prefix", "/opt/crm", "--binary", binary])
        #expect(run.status == 0, "\(run.error)")
        #expect(FileManager.default.isExecutableFile(atPath: root + "/opt/crm/bin/crm-server"))
        #expect(FileManager.default.fileExists(atPath: root + "/opt/crm/share/doc/crm-server/OPERATIONS.md"))
        let unit = try String(contentsOfFile: root + "/etc/systemd/system/crm-server.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/opt/crm/bin/crm-server serve "), "\(unit)")
        let installed = try await ProcessRunner.run(root + "/opt/crm/bin/crm-server", ["serve"])
        #expect(installed.output == "stand-in serve\n")

        let wrong = try await ProcessRunner.run("/bin/bash", [script, "--frobnicate"])
        #expect(wrong.status == 2 && wrong.error.contains("--frobnicate"))
    }
}
