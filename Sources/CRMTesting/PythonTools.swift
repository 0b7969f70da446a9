import Foundation

/// Third-party PIM programs and libraries from the virtual environment `.venv-radicale` (khard, khal, vobject,
/// icalendar), for tests that check our vCard and iCalendar files with clients other than our own.
///
/// Children run through `ChildProcess` (posix_spawn) with a fixed zone and locale (`TZ=UTC`, `LANG=C.UTF-8`
/// unless the caller says otherwise), so what they print does not depend on the machine, and under `timeout`
/// (status 124 after `timeLimit` seconds): khard asks again and again when its question finds no answer.
/// `scripts/test.sh` installs the tools; a missing one is an error saying so, never a skipped test.
public enum PythonTools {
    /// The environment's programs: the folder of `RadicaleServer.program` (`.venv-radicale/bin`, or the folder of
    /// `RADICALE_BIN`).
    public static var folder: URL { URL(fileURLWithPath: RadicaleServer.program).deletingLastPathComponent() }

    /// The environment's Python.
    public static var python: String { folder.appendingPathComponent("python3").path }

    /// What every child gets, whatever the test machine's zone and locale.
    public static let baseEnvironment = ["TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]

    /// Seconds a child may run before it is stopped.
    public static let timeLimit = 120

    /// A program or module the tests need is not installed.
    public struct MissingTool: Error, CustomStringConvertible {
        /// The program's path or the module's name.
        public var name: String

        public var description: String {
            "\(name) is missing: run scripts/test.sh once (it installs vobject, icalendar, khard and khal into "
                + ".venv-radicale), or set RADICALE_BIN to the radicale of an environment that has them"
        }
    }

    /// Runs the environment's program `tool` (`khard`, `khal`) with `arguments` to its end.
    ///
    /// - Parameter environment: added to `baseEnvironment` (and replacing what it names), such as `TZ` or `EDITOR`.
    public static func run(
        _ tool: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        in directory: URL? = nil
    ) throws -> ProcessRunner.Run {
        let program = folder.appendingPathComponent(tool).path
        guard FileManager.default.isExecutableFile(atPath: program) else { throw MissingTool(name: program) }
        return try ProcessRunner.run(
            "/usr/bin/env", prefix(environment) + [program] + arguments, stdin: stdin, in: directory)
    }

    /// Runs `script` with the environment's Python (`python3 -c script arguments...`); `sys.argv[1...]` are
    /// `arguments`. A module the script imports that is not installed throws `MissingTool`.
    public static func python(
        _ script: String, _ arguments: [String] = [], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> ProcessRunner.Run {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw MissingTool(name: python) }
        let run = try ProcessRunner.run(
            "/usr/bin/env", prefix(environment) + [python, "-c", script] + arguments, stdin: stdin)
        if run.status != 0, let module = missingModule(in: run.error) {
            throw MissingTool(name: "the Python module \(module)")
        }
        return run
    }

    /// `env`'s arguments before the program: the environment, then `timeout`.
    private static func prefix(_ environment: [String: String]) -> [String] {
        baseEnvironment.merging(environment) { $1 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + ["timeout", "--kill-after=5", String(timeLimit)]
    }

    /// The module named by a `ModuleNotFoundError: No module named 'x'` line.
    private static func missingModule(in error: String) -> String? {
        guard let line = error.split(separator: "\n").last(where: { $0.hasPrefix("ModuleNotFoundError") }) else {
            return nil
        }
        let parts = line.split(separator: "'")
        return parts.count >= 2 ? String(parts[1]) : String(line)
    }
}
