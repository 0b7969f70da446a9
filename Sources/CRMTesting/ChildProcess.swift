import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program started with `posix_spawn` and reaped with `waitpid` on its own pid, for tests that run several
/// programs at once.
///
/// Foundation's `Process` on Linux reaps every child from one monitor thread, which can block in `waitpid` on a
/// child that is still running (a server a test started) while another child has exited: tests waiting for the
/// exited one then hang until the server stops. Seen here with a few process tests in parallel; this type has
/// no shared monitor.
public final class ChildProcess: @unchecked Sendable {
    // `status` is written once, under `lock`, by whoever reaps the child first.
    public let processIdentifier: Int32
    private let lock = NSLock()
    private var status: Int32?
    private var usage: rusage?

    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        case null
        /// Appended to a file.
        case file(String)
        /// A pipe whose other end the caller gets.
        case pipe
    }

    /// The caller's ends of the pipes asked for.
    public struct Pipes: Sendable {
        public var input: FileHandle?
        public var output: FileHandle?
        public var error: FileHandle?
    }

    private init(pid: Int32) {
        processIdentifier = pid
    }

    /// Starts `path` with `arguments`, in `directory` when given (through `env -C`).
    public static func spawn(
        _ path: String, _ arguments: [String], directory: String? = nil, input: Stream = .null,
        output: Stream = .null, error: Stream = .null
    ) throws -> (ChildProcess, Pipes) {
        var executable = path
        var argv = [path] + arguments
        if let directory {
            executable = "/usr/bin/env"
            argv = ["env", "-C", directory, path] + arguments
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipes = Pipes()
        var childEnds: [Int32] = []
        for (fd, stream) in [(Int32(0), input), (1, output), (2, error)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let file):
                posix_spawn_file_actions_addopen(&actions, fd, file, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            case .pipe:
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw ChildProcessError(what: "pipe", errno: errno) }
                let (childEnd, parentEnd) = fd == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                _ = fcntl(parentEnd, F_SETFD, FD_CLOEXEC)
                posix_spawn_file_actions_adddup2(&actions, childEnd, fd)
                posix_spawn_file_actions_addclose(&actions, childEnd)
                childEnds.append(childEnd)
                let handle = FileHandle(fileDescriptor: parentEnd, closeOnDealloc: true)
                switch fd {
                case 0: pipes.input = handle
                case 1: pipes.output = handle
                default: pipes.error = handle
                }
            }
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: Int32 = 0
        let result = posix_spawn(&pid, executable, &actions, nil, cArguments, environ)
        for end in childEnds { close(end) }
        guard result == 0 else { throw ChildProcessError(what: "posix_spawn \(path)", errno: result) }
        return (ChildProcess(pid: pid), pipes)
    }

    /// Waits for the child to end.
    public func waitUntilExit() {
        if lock.withLock({ status != nil }) { return }
        var raw: Int32 = 0
        var resources = rusage()
        while wait4(processIdentifier, &raw, 0, &resources) == -1 && errno == EINTR {}
        lock.withLock {
            if status == nil {
                status = raw
                usage = resources
            }
        }
    }

    /// The child's peak resident memory in KiB (after `waitUntilExit`; nil when another wait reaped it).
    public var peakMemoryKiB: Int? {
        lock.withLock { usage.map { Int($0.ru_maxrss) } }
    }

    public var isRunning: Bool {
        lock.withLock {
            guard status == nil else { return false }
            var raw: Int32 = 0
            if waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier {
                status = raw
                return false
            }
            return true
        }
    }

    /// Sends SIGTERM.
    public func terminate() { kill(processIdentifier, SIGTERM) }

    public func signal(_ signal: Int32) { kill(processIdentifier, signal) }

    /// Whether it exited or was killed by a signal (after `waitUntilExit`).
    public var terminationReason: Process.TerminationReason {
        let raw = lock.withLock { status ?? 0 }
        return raw & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    /// The exit status, or the signal's number when killed.
    public var terminationStatus: Int32 {
        let raw = lock.withLock { status ?? 0 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var what: String
    public var errno: Int32

    public var description: String { "\(what) failed: \(String(cString: strerror(errno)))" }
}
