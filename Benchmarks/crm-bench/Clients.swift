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

/// One server under many simulated desktops in `sync --watch` on loopback, at once: each holds a long-poll between
/// syncs; every `interval` seconds (spread at random) it makes a whole sync: begin, pull, push one edit, end; a
/// long-poll woken by a change it may see pulls it at once in the long-poll's own session and waits again there,
/// but never sooner than the watcher's minimum gap after its last sync began, as the watching desktop does. The figures are the
/// latencies of each request kind, the long-polls held, and the errors.
enum Clients {
    struct Load {
        var clients: Int
        var records: Int
        /// Seconds between a client's own syncs.
        var interval: Double
        /// Seconds the steady state is measured.
        var duration: Double
    }

    static func run(_ load: Load, report: Report) async throws {
        raiseFileLimit()
        let stage = try Stage(records: load.records)
        try stage.start()
        defer { stage.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: load.clients * 2 + 16)
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(load, stage: stage, http: http, report: report)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func measure(_ load: Load, stage: Stage, http: HTTPClient, report: Report) async throws {
        let client = ServerClient(baseURL: URL(string: stage.url)!, httpClient: http, timeout: .seconds(120))
        let users = DemoDataGenerator.users(count: DemoUsers.defaultCount).filter { $0.role.hasPrefix("sales") }.map(\.name)
        let latencies = Latencies()
        // A busy answer (503, 429) is sent again after its `Retry-After`, as the desktop does; each is counted.
        let retry = BusyRetry(report: { _ in Task { await latencies.shed() } })
        // Devices are registered and make their first sync before the clock starts, a few at a time.
        var fleet: [SimulatedDesktop] = []
        for start in stride(from: 0, to: load.clients, by: 50) {
            fleet += try await withThrowingTaskGroup(of: SimulatedDesktop.self) { group in
                for index in start..<min(start + 50, load.clients) {
                    group.addTask {
                        var desktop = SimulatedDesktop(
                            device: try await BenchDevice.connect(client, user: users[index % users.count], name: "client \(index)"),
                            retry: retry)
                        try await desktop.sync(pushing: false, nil)
                        return desktop
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        await latencies.clearShed()
        let cpuBefore = stage.serverCPUSeconds
        let fleetBefore = Self.ownCPUSeconds()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(load.duration)
        await withTaskGroup(of: Void.self) { group in
            for var desktop in fleet {
                group.addTask {
                    var next = clock.now + .seconds(Double.random(in: 0..<load.interval))
                    // Desktops are not all started in the same instant: their first long-polls begin over 2 s.
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0..<2_000)))
                    var lastStart = clock.now
                    // As `SyncWatcher` does: a woken long-poll's changes are pulled in its own session, which
                    // stays open for the next wait; the whole sync (begin, pull, push, end) comes when scheduled.
                    var woken: String?
                    while clock.now < deadline {
                        do {
                            woken = try await desktop.hold(until: min(next, deadline), session: woken, latencies)
                            guard clock.now < deadline else { break }
                            // Syncs start at least the watcher's `minimumGap` apart.
                            try await Task.sleep(until: lastStart + SyncWatcher.defaultMinimumGap)
                            lastStart = clock.now
                            if let session = woken {
                                let start = clock.now
                                try await desktop.pullAll(session: session, latencies)
                                await latencies.add("woken", (clock.now - start).milliseconds)
                            } else {
                                try await desktop.sync(pushing: true, latencies)
                                next = clock.now + .seconds(load.interval * Double.random(in: 0.5..<1.5))
                            }
                        } catch {
                            await latencies.fail("\(error)")
                            woken = nil
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
            }
        }
        let cpuAfter = stage.serverCPUSeconds
        let fleetAfter = Self.ownCPUSeconds()
        let command = "crm-bench clients --clients \(load.clients) --records \(load.records) --interval \(Int(load.interval)) --duration \(Int(load.duration))"
        let scenario = "\(load.clients.grouped) clients"
        let all = await latencies.all
        for kind in ["begin", "pull", "push", "end"] {
            let values = all[kind] ?? []
            report.add(Figure(scenario, "\(kind) p50 (\(values.count.grouped) requests)", values.median, "ms", command: command))
            report.add(
                Figure(scenario, "\(kind) p99", values.percentile(99), "ms", target: kind == "pull" ? 100 : nil, command: command))
        }
        let whole = (all["end"] ?? []).count
        let woken = (all["woken"] ?? []).count
        report.add(
            Figure(scenario, "whole syncs served (begin, pull, push, end)", Double(whole) / load.duration, "syncs/s",
                better: .higher, command: command))
        report.add(
            Figure(scenario, "woken syncs served (pulls in the long-poll's session)", Double(woken) / load.duration, "syncs/s",
                better: .higher, command: command))
        if let cpuBefore, let cpuAfter, whole + woken > 0 {
            let syncs = Double(whole + woken)
            report.add(
                Figure(scenario, "server CPU per sync, whole or woken (long-polls included)", (cpuAfter - cpuBefore) * 1000 / syncs,
                    "ms", command: command))
            // The fleet runs on the same two cores: what it takes is not the server's to use.
            report.add(
                Figure(scenario, "simulated fleet CPU per sync", (fleetAfter - fleetBefore) * 1000 / syncs, "ms", command: command))
        }
        report.add(Figure(scenario, "long-polls held at the peak", Double(await latencies.peakWaiting), "waits", better: .higher, command: command))
        report.add(
            Figure(scenario, "busy answers (503 or 429), each sent again after its Retry-After", Double(await latencies.shedCount),
                "answers", command: command))
        report.add(Figure(scenario, "errors", Double(await latencies.errors.count), "errors", target: 0, command: command))
        for error in await latencies.errors.prefix(5) { print("  error: \(error)") }
    }

    /// The CPU seconds (user and system) this process has used.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Lets the process (and the server it starts) hold a connection per client.
    static func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// A desktop of the load scenario: its device and cursor, nothing stored.
struct SimulatedDesktop: Sendable {
    let device: BenchDevice
    /// How a busy answer is sent again (the desktop's policy).
    let retry: BusyRetry
    var cursor: String?
    /// The package it installed with its first session, sent with every begin as a desktop does.
    var packageVersion: Int?
    /// A record it pulled, to edit on its scheduled syncs.
    var held: HeldRecord?

    /// One sync: begin, pull every page, push one edit when `pushing`, end; each request's latency noted.
    mutating func sync(pushing: Bool, _ latencies: Latencies?) async throws {
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ kind: String) async {
            let now = clock.now
            await latencies?.add(kind, (now - mark).milliseconds)
            mark = now
        }
        let (device, packageVersion, cursor) = (device, packageVersion, cursor)
        let begun = try await retry.perform { try await device.begin(packageVersion: packageVersion, preview: cursor == nil) }
        if let update = begun.package { self.packageVersion = update.version }
        let session = begun.session
        await lap("begin")
        try await pullAll(session: session, latencies)
        mark = clock.now
        if pushing {
            let op = held.map { Edits.update($0, "client \(UUID())") } ?? Edits.newAccount("Client \(UUID())")
            let answer = try await retry.perform {
                try await device.client.push(SyncPushRequest(session: session, ops: [op]), token: device.token)
            }
            await lap("push")
            if let result = answer.results.first {
                // A conflict is an answer like any other (two desktops of one team edited one field).
                if result.status == .rejected || result.status == .held {
                    await latencies?.fail("push answered \(result.status): \(result.message ?? "")")
                }
                if let version = result.version, held?.id == result.id { held?.version = version }
            }
        }
        try await retry.perform { try await device.end(session) }
        await lap("end")
    }

    /// Pulls every page in the session, each request's latency noted.
    mutating func pullAll(session: String, _ latencies: Latencies?) async throws {
        let (device, clock) = (device, ContinuousClock())
        while true {
            let request = SyncPullRequest(session: session, cursor: self.cursor, limit: 1000)
            let start = clock.now
            let page = try await retry.perform { try await device.client.pull(request, token: device.token) }
            await latencies?.add("pull", (clock.now - start).milliseconds)
            if let upsert = page.upserts.first(where: { Edits.fieldByType[$0.record.type] != nil && !$0.incomplete }) {
                held = HeldRecord(id: upsert.record.id, type: upsert.record.type, version: upsert.record.version)
            }
            self.cursor = page.cursor
            if !page.more { break }
        }
    }

    /// Holds a long-poll, in `session` or one it begins, until a change it may see (returning the session, still
    /// open, as the watcher keeps it for its pull) or `deadline` (ending the session, returning nil).
    func hold(until deadline: ContinuousClock.Instant, session held: String?, _ latencies: Latencies) async throws
        -> String?
    {
        guard let cursor else { return nil }
        let (device, packageVersion) = (device, packageVersion)
        var session = held
        if session == nil {
            session = try await retry.perform { try await device.begin(packageVersion: packageVersion, preview: false) }.session
        }
        guard let session else { return nil }
        await latencies.waiting(+1)
        var changed = false
        do {
            while !changed, ContinuousClock.now < deadline {
                let seconds = max(0.2, (deadline - ContinuousClock.now).seconds)
                let request = SyncWaitRequest(session: session, cursor: cursor, timeout: min(seconds, 25))
                changed = try await retry.perform { try await device.client.wait(request, token: device.token) }.changed
            }
        } catch {
            await latencies.waiting(-1)
            throw error
        }
        await latencies.waiting(-1)
        if changed { return session }
        try await retry.perform { try await device.end(session) }
        return nil
    }
}

/// Latencies by request kind, errors, and how many long-polls are held.
actor Latencies {
    private(set) var all: [String: [Double]] = [:]
    private(set) var errors: [String] = []
    private var holding = 0
    private(set) var peakWaiting = 0
    private(set) var shedCount = 0

    func add(_ kind: String, _ milliseconds: Double) { all[kind, default: []].append(milliseconds) }
    func fail(_ message: String) { errors.append(message) }
    func shed() { shedCount += 1 }
    func clearShed() { shedCount = 0 }

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
    @Option(help: "Seconds between a client's own syncs (spread at random).") var interval = 30.0
    @Option(help: "Seconds the steady state is measured.") var duration = 60.0
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            try await Clients.run(
                Clients.Load(clients: clients, records: records, interval: interval, duration: duration), report: report)
        }
    }
}
