import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The home folder's sync lock: only one sync runs at a time, whether started by hand, by `--watch` or by the
/// scheduled service. An advisory `flock` on a file, so the kernel releases it when the holder dies, even by
/// SIGKILL: a crashed sync never leaves a stale lock behind.
public final class SyncLock: Sendable {
    private let fd: Int32

    /// Takes the lock, or throws `.syncRunning` at once when another process holds it.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DesktopError(.invalidInput, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DesktopError(
                .syncRunning,
                "another sync is running for this home folder (\((path as NSString).deletingLastPathComponent)); "
                    + "it keeps the replica up to date, and edits made meanwhile go with the next sync")
        }
        self.fd = fd
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
