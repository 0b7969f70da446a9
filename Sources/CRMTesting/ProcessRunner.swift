import Foundation

/// Runs one of the project's executables (or any program) as a user would, for tests that check what it prints
/// and how it exits.
public enum ProcessRunner {
    /// What a finished process left: its exit status and what it wrote.
    public struct Run: Sendable {
        public var status: Int32
        public var output: String
        public var error: String
    }

    /// The folder of the built executables: the test bundle's own folder.
    public static var binaries: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

    /// Runs `executable` (a name in `binaries`, or an absolute path) to its end with `stdin` as its input.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil
    ) throws -> Run {
        let process = Process()
        process.executableURL =
            executable.hasPrefix("/") ? URL(fileURLWithPath: executable) : binaries.appendingPathComponent(executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let error = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Both pipes are drained at once, so a process that fills one while the other is read cannot stall.
        let errorData = ErrorDrain(error.fileHandleForReading)
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errorData.wait()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }

    /// Starts `executable` in the background with its output thrown away.
    public static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL =
            executable.hasPrefix("/") ? URL(fileURLWithPath: executable) : binaries.appendingPathComponent(executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorDrain: @unchecked Sendable {
    // Written once by the reading thread before `done` is signalled, read only after it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
