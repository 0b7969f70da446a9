import ArgumentParser
import AsyncHTTPClient
import CRMDesktop
import CRMServer
import CRMSyncProtocol
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// One server under many simulated sync clients at once on loopback: each begins a session, pulls its records,
/// pushes one edit, ends, and then holds a long-poll while the others work. The figures are the latencies of
/// each request kind and the errors.
enum Clients {
    static func run(clients: Int, records: Int, report: Report) async throws {
        raiseFileLimit()
        let stage = try Stage(records: records)
        try stage.start()
        defer { stage.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: clients * 2 + 16)
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(clients: clients, stage: stage, http: http, report: report)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func measure(clients: Int, stage: Stage, http: HTTPClient, report: Report) async throws {
        let records = stage.records
        let client = ServerClient(baseURL: URL(string: stage.url)!, httpClient: http, timeout: .seconds(120))
        let users = DemoDataGenerator.users(count: DemoUsers.defaultCount).filter { $0.role.hasPrefix("sales") }.map(\.name)
        // Devices are registered before the clock starts, a few at a time.
        var devices: [BenchDevice] = []
        for start in stride(from: 0, to: clients, by: 50) {
            devices += try await withThrowingTaskGroup(of: BenchDevice.self) { group in
                for index in start..<min(start + 50, clients) {
                    group.addTask { try await BenchDevice.connect(client, user: users[index % users.count], name: "client \(index)") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let latencies = Latencies()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for device in devices {
                group.addTask { await session(device, latencies) }
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        let command = "crm-bench clients --clients \(clients) --records \(records)"
        let all = await latencies.all
        for kind in ["begin", "pull", "push", "end"] {
            let values = all[kind] ?? []
            report.add(Figure("\(clients.grouped) clients", "\(kind) p50", values.median, "ms", command: command))
            report.add(
                Figure(
                    "\(clients.grouped) clients", "\(kind) p99", values.percentile(99), "ms",
                    target: kind == "pull" ? 100 : nil, command: command))
        }
        report.add(
            Figure(
                "\(clients.grouped) clients", "long-polls held at the peak", Double(await latencies.peakWaiting), "waits",
                better: .higher, command: command))
        report.add(Figure("\(clients.grouped) clients", "errors", Double(await latencies.errors.count), "errors", target: 0, command: command))
        report.add(
            Figure(
                "\(clients.grouped) clients", "whole run (every client's session)", seconds, "s", command: command))
        for error in await latencies.errors.prefix(5) { print("  error: \(error)") }
    }

    /// One client's sync session, then its long-poll.
    static func session(_ device: BenchDevice, _ latencies: Latencies) async {
        do {
            let clock = ContinuousClock()
            var mark = clock.now
            func lap(_ kind: String) async {
                let now = clock.now
                await latencies.add(kind, (now - mark).milliseconds)
                mark = now
            }
            let session = try await device.begin().session
            await lap("begin")
            var cursor: String?
            var held: [HeldRecord] = []
            while true {
                let page = try await device.client.pull(
                    SyncPullRequest(session: session, cursor: cursor, limit: 1000), token: device.token)
                await lap("pull")
                held += page.upserts.prefix(1).map { HeldRecord(id: $0.record.id, type: $0.record.type, version: $0.record.version) }
                cursor = page.cursor
                if !page.more { break }
            }
            let op = held.first.flatMap { Edits.fieldByType[$0.type] == nil ? nil : Edits.update($0, "client") }
                ?? Edits.newAccount("Client \(device.device)")
            let answer = try await device.client.push(SyncPushRequest(session: session, ops: [op]), token: device.token)
            await lap("push")
            if let status = answer.results.first?.status, status != .applied && status != .merged {
                await latencies.fail("push answered \(status)")
            }
            try await device.end(session)
            await lap("end")
            // The long-poll, on a session of its own, as `sync --watch` holds one.
            let waiting = try await device.begin().session
            await latencies.waiting(+1)
            _ = try await device.client.wait(
                SyncWaitRequest(session: waiting, cursor: cursor ?? "", timeout: 5), token: device.token)
            await latencies.waiting(-1)
            try await device.end(waiting)
        } catch {
            await latencies.fail("\(error)")
        }
    }

    /// Lets the process (and the server it starts) hold a connection per client.
    static func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Latencies by request kind, errors, and how many long-polls are held.
actor Latencies {
    private(set) var all: [String: [Double]] = [:]
    private(set) var errors: [String] = []
    private var holding = 0
    private(set) var peakWaiting = 0

    func add(_ kind: String, _ milliseconds: Double) { all[kind, default: []].append(milliseconds) }
    func fail(_ message: String) { errors.append(message) }

    func waiting(_ change: Int) {
        holding += change
        peakWaiting = max(peakWaiting, holding)
    }
}

struct ClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients", abstract: "One server under many concurrent sync clients.")
    @Option(help: "How many clients at once.") var clients = 1000
    @Option(help: "Records the server holds.") var records = 10_000
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let report = Report()
        try await Clients.run(clients: clients, records: records, report: report)
        try output.finish(report)
    }
}
