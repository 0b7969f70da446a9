import ArgumentParser
import CRMDesktop
import CRMSyncProtocol
import CRMTesting
import Foundation
import GRDB

/// Live delivery: `crm-desktop sync --watch` runs for one desktop while another device writes; the figure is the
/// time from the write's commit (its push answered) to the record being in the watching desktop's replica.
enum Live {
    static func run(writes: Int, report: Report) async throws {
        let stage = try Stage(records: 1_000)
        try stage.start()
        defer { stage.stop() }
        let home = DesktopHome(path: stage.folder.path("watcher"))
        try stage.setUpDesktop(home: home.path)
        let log = stage.folder.path("watch.log")
        let (watcher, _) = try ChildProcess.spawn(
            Stage.binary("crm-desktop"), ["sync", "--watch", "300", "--home", home.path], output: .file(log),
            error: .file(log))
        defer {
            watcher.terminate()
            watcher.waitUntilExit()
        }
        let writer = try await BenchDevice.connect(ServerClient(baseURL: URL(string: stage.url)!), user: "diana")
        let replica = try DatabaseQueue(path: home.replicaPath)
        // The watcher's first sync and its first long-poll.
        try await Task.sleep(for: .seconds(2))
        var delays: [Double] = []
        let clock = ContinuousClock()
        for index in 0..<writes {
            let op = Edits.newAccount("Live delivery \(index)")
            let session = try await writer.begin().session
            let answer = try await writer.client.push(SyncPushRequest(session: session, ops: [op]), token: writer.token)
            let committed = clock.now
            guard answer.results.first?.status == .applied else { throw BenchError("the live write was refused: \(answer.results)") }
            let deadline = committed + .seconds(30)
            while try await replica.read({ try Bool.fetchOne($0, sql: "SELECT 1 FROM records WHERE id = ?", arguments: [op.id]) }) != true {
                guard clock.now < deadline, watcher.isRunning else {
                    throw BenchError("the watching desktop did not get the write within 30 s: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            delays.append((clock.now - committed).milliseconds)
            try await writer.end(session)
            try await Task.sleep(for: .milliseconds(300))
        }
        let command = "crm-bench live --writes \(writes)"
        report.add(Figure("live delivery", "median of \(writes) writes, commit to the other replica", delays.median, "ms", target: 50, command: command))
        report.add(Figure("live delivery", "slowest of \(writes) writes", delays.max() ?? 0, "ms", command: command))
    }
}

struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live", abstract: "How soon a write reaches a desktop in `sync --watch`.")
    @Option(help: "How many writes.") var writes = 20
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            try await Live.run(writes: writes, report: report)
        }
    }
}
