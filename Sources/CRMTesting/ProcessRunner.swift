import Foundation

/// Runs one of the project's executables (or any program) as a user would, for tests that check what it prints
/// and how it exits.
public enum ProcessRunner {
    /// What a finished process left: its exit status and what it wrote.
    public struct Run: Sendable {
        public var status: Int32
        public var output: String
        public var error: String
        /// Its peak resident memory in KiB.
        public var peakMemoryKiB: Int?
    }

    /// The folder of the built executables: the test bundle's own folder.
    public static var binaries: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

    /// Runs `executable` (a name in `binaries`, or an absolute path) to its end with `stdin` as its input.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil
    ) throws -> Run {
        let (process, pipes) = try ChildProcess.spawn(
            path(executable), arguments, directory: directory?.path, input: .pipe, output: .pipe, error: .pipe)
        if let stdin { pipes.input?.write(Data(stdin.utf8)) }
        try pipes.input?.close()
        // Both pipes are drained at once, so a process that fills one while the other is read cannot stall.
        let errorData = ErrorDrain(pipes.error!)
        let out = pipes.output!.readDataToEndOfFile()
        let err = errorData.wait()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self), peakMemoryKiB: process.peakMemoryKiB)
    }

    /// `run` from async code: the program is waited for on a thread of its own, so a test does not hold one of the
    /// concurrency pool's threads (two on these machines) for as long as the program runs. Held threads stalled
    /// every test running beside it, in-process servers included, until their clients timed out.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil
    ) async throws -> Run {
        try await offPool { try run(executable, arguments, stdin: stdin, in: directory) as Run }
    }

    /// Runs `body` on a thread of its own and waits for it without holding a thread of the concurrency pool (two
    /// on these machines): async test code that runs a program synchronously stalls every other test meanwhile.
    public static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Starts `executable` in the background with its output thrown away.
    public static func start(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess.spawn(path(executable), arguments).0
    }

    static func path(_ executable: String) -> String {
        executable.hasPrefix("/") ? executable : binaries.appendingPathComponent(executable).path
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
