/// A small Python program that runs a server as its child and stops it when its own standard input closes, so
/// no server outlives a test process that crashed or was killed.
///
/// It also clears the signal mask (a process started from a Swift test process inherits blocked signals, and the
/// server would ignore the stop signal) and closes the descriptors it inherits beyond the standard three (a pipe
/// to another server's keeper, caught while being set up, would keep that server alive after its test closed it).
enum ChildKeeper {
    /// The program; its arguments are the server's program and arguments. `stopSignal` is the signal name that
    /// stops the server (`SIGTERM`, or `SIGINT` for PostgreSQL's fast shutdown).
    static func script(stopSignal: String) -> String {
        """
        import os, signal, sys, threading
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.closerange(3, 65536)
        child = os.fork()
        if child == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        def end(*_):
            try:
                os.kill(child, signal.\(stopSignal))
            except ProcessLookupError:
                pass
        def watch():
            sys.stdin.buffer.read()
            end()
        threading.Thread(target=watch, daemon=True).start()
        signal.signal(signal.SIGTERM, end)
        os.waitpid(child, 0)
        """
    }

    /// A program that removes `directory` once its standard input closes (the test process ended, however it
    /// ended) and no server runs on it any more: a test cluster's data folder must not outlive its test process
    /// (a day of test runs left a full disk).
    static func janitor(directory: String) -> String {
        """
        import os, shutil, sys, time
        os.closerange(3, 65536)
        sys.stdin.buffer.read()
        pid = os.path.join(\(pythonString(directory)), "data", "postmaster.pid")
        for _ in range(600):
            if not os.path.exists(pid):
                break
            time.sleep(0.1)
        shutil.rmtree(\(pythonString(directory)), ignore_errors=True)
        """
    }

    /// `text` as a Python string literal.
    private static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
