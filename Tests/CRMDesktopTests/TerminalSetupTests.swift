import CRMDesktop
import CRMTesting
import Foundation
import Testing

/// `crm-desktop setup` driven through a pseudo-terminal, as a person at a terminal answers it: the questions
/// come one by one, the password is not echoed, and the first sync runs with a progress line.
@Suite("Setup on a terminal", .serialized)
struct TerminalSetupTests {
    /// Answers prompts on a pseudo-terminal: a prompt containing a key gets its answer, any other question
    /// (ending in ": " or "? ") gets Enter (the default). Prints the whole transcript; exits with the child's status.
    static let driver = #"""
        import os, pty, sys, time, select, json
        answers = json.loads(sys.argv[1]); argv = sys.argv[2:]
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(argv[0], argv)
        out = b""; answered = 0; last = time.time()
        while True:
            ready, _, _ = select.select([fd], [], [], 0.3)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                out += data; last = time.time()
                continue
            pending = out[answered:].decode("utf-8", "replace")
            stripped = pending.rstrip(" ")
            if pending and (stripped.endswith(":") or stripped.endswith("?") or stripped.endswith("]")) \
                    and time.time() - last > 0.3:
                reply = ""
                for key, value in answers:
                    if key in pending:
                        reply = value; break
                os.write(fd, (reply + "\n").encode())
                answered = len(out)
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(out.decode("utf-8", "replace"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """#

    @Test func theAssistantAsksStepByStepAndNeverEchoesThePassword() async throws {
        let server = try await ServerProcess(records: 300)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pty")
        defer { directory.remove() }
        let home = directory.path("home")
        let answers = [
            ["server address", server.url], ["User name", "liam"], ["Password", ServerProcess.password],
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: answers), as: UTF8.self)
        let run = try await Processes.run(
            "/usr/bin/env",
            ["python3", "-c", Self.driver, json, Processes.binaries.appendingPathComponent("crm-desktop").path, "--home",
                home, "setup"])
        #expect(run.status == 0, "\(run.output)\n\(run.error)")
        #expect(run.output.contains("liam"))
        #expect(run.output.contains("Password"))
        #expect(!run.output.contains(ServerProcess.password), "the password was echoed")
        let desktop = try Desktop.open(home: DesktopHome(path: home))
        #expect(desktop.settings.user == "liam")
        #expect(try !desktop.replica.counts().isEmpty)
        #expect(try desktop.replica.receipts().first?.outcome == .success)
    }
}
