import Foundation

/// `systemctl --user`, found on the installer's PATH and run with its environment.
struct Systemctl: Sendable {
    /// The environment the commands run with (PATH, XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS).
    let environment: [String: String]

    /// The executable `systemctl` on PATH, or nil when there is none.
    var executable: String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/systemctl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `systemctl --user arguments...`; nil when it succeeds, else why not in words (the output included).
    func run(_ arguments: [String]) -> String? {
        guard let executable else { return "systemctl is not on PATH" }
        let command = "systemctl --user \(arguments.joined(separator: " "))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--user"] + arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "\(command) could not start: \(error.localizedDescription)"
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus != 0 else { return nil }
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(command) failed" + (text.isEmpty ? " with status \(process.terminationStatus)" : ": \(text)")
    }
}
