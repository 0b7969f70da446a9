import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `crm-desktop sync` killed with SIGKILL at random moments, during a first sync of a few thousand records and
/// during incremental syncs with edits on both sides: the next sync must leave the replica equal to a fresh
/// replica of the same user, with every edit on the server exactly once.
///
/// `CRM_KILL_ROUNDS` sets the kills that must land inside a running sync, per phase (default 10, so 20 in all);
/// the seed is printed for replays and read from `CRM_KILL_SEED`.
@Suite("Kill -9", .serialized)
struct KillTests {
    static let environment = ProcessInfo.processInfo.environment
    /// Kills that must land inside a running sync, per phase.
    static var kills: Int { Int(environment["CRM_KILL_ROUNDS"] ?? "") ?? 10 }

    @Test func killingTheDesktopAtRandomMomentsLosesNothingAndRepeatsNothing() async throws {
        let seed = UInt64(Self.environment["CRM_KILL_SEED"] ?? "") ?? UInt64.random(in: 1...999_999)
        print("KillTests seed \(seed) (CRM_KILL_SEED=\(seed) replays it)")
        var random = SplitMix(seed: seed)
        // Small pages: a first sync of many commits, long enough for kills to land between them.
        let server = try await ServerProcess(records: 4000, serve: ["--max-sync-page", "200"])
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-kill")
        defer { directory.remove() }
        let killed = try await setUp(directory.path("killed"), server)
        let other = try await setUp(directory.path("other"), server)

        // First syncs: `rebuild` empties the replica, and a sync from nothing is killed at a random moment of its
        // measured length; one that finished anyway is rebuilt again, until enough kills landed mid-sync.
        let firstSync = try await timed { try await rebuildAndSync(other) }
        var landed = 0
        var attempts = 0
        try await rebuild(killed)
        // The window adapts: a sync that finished before its kill (the machine got faster than when measured)
        // narrows it, so kills keep landing inside syncs on a machine whose load changes.
        var window = max(firstSync * 1000, 60)
        while landed < Self.kills, attempts < Self.kills * 4 {
            attempts += 1
            let moment = 30 + random.next(upTo: UInt64(window))
            if try await killSync(home: killed, after: moment) {
                landed += 1
                _ = try Replica(path: killed + "/replica.sqlite")
            } else {
                window = max(window * 0.7, 60)
                try await rebuild(killed)
            }
        }
        print("KillTests: first syncs: \(landed) of \(attempts) kills landed mid-sync (a clean one takes \(firstSync) s)")
        #expect(landed >= Self.kills, "too few kills landed inside a first sync (seed \(seed))")
        #expect(try await sync(killed).status == 0)

        // Incremental syncs with edits here and on another desktop of the same user, killed at a random moment
        // of the other desktop's sync of the same changes.
        let editor = try RecordEditor(replica: Replica(path: killed + "/replica.sqlite"), user: "diana")
        let otherEditor = try RecordEditor(replica: Replica(path: other + "/replica.sqlite"), user: "diana")
        let shared = try #require(
            try editor.replica.localRecords(type: "Account", user: "diana").first { !$0.incomplete && $0.record.owner == "diana" }?.id)
        var created: [String] = []
        landed = 0
        attempts = 0
        // The other desktop's sync of the same changes sets the window; a kill that came too late narrows it
        // (this desktop may sync faster, or the machine's load changed), one that landed widens it again.
        var share = 1.0
        while landed < Self.kills, attempts < Self.kills * 4 {
            attempts += 1
            for index in 0..<5 {
                let name = "kill-\(seed)-\(attempts)-\(index)"
                try editor.create(type: "Account", fields: ["name": .string(name)])
                try otherEditor.create(type: "Account", fields: ["name": .string(name + "-other")])
                created += [name, name + "-other"]
            }
            try editor.update(type: "Account", id: shared, fields: ["city": .string("here-\(attempts)")])
            try otherEditor.update(type: "Account", id: shared, fields: ["phone": .string("+1 555 \(1000 + attempts)")])
            let incremental = try await timed {
                let run = try await sync(other)
                #expect(run.status != 1, "\(run.error)")
            }
            let moment = random.next(upTo: UInt64(incremental * 1000 * share) + 5)
            if try await killSync(home: killed, after: moment) {
                landed += 1
                share = min(share * 1.2, 1.2)
            } else {
                share = max(share * 0.6, 0.05)
            }
        }
        print("KillTests: incremental syncs: \(landed) of \(attempts) kills landed mid-sync")
        #expect(landed >= Self.kills, "too few kills landed inside an incremental sync (seed \(seed))")
        #expect(try await sync(killed).status != 1)
        #expect(try await sync(other).status != 1)
        #expect(try editor.replica.outbox().isEmpty)

        // A fresh desktop of the same user is the server's view.
        let fresh = try await setUp(directory.path("fresh"), server)
        #expect(try await sync(fresh).status == 0)
        let expected = try snapshot(fresh)
        let actual = try snapshot(killed)
        #expect(actual.count == expected.count)
        #expect(actual == expected, "the killed desktop's replica differs from a fresh one (seed \(seed))")
        let names = expected.values.compactMap { $0.fields["name"]?.stringValue }.filter { $0.hasPrefix("kill-") }
        #expect(names.sorted() == created.sorted(), "every created record exactly once (seed \(seed))")
    }

    private func setUp(_ home: String, _ server: ServerProcess) async throws -> String {
        let run = try await Processes.run(
            "crm-desktop", ["--home", home, "setup", "--server", server.url, "--user", "diana", "--password-stdin",
                "--yes", "--pim", "none"], stdin: ServerProcess.password + "\n")
        guard run.status == 0 else { throw ProcessError.failed("setup", run.output + run.error) }
        return home
    }

    private func rebuild(_ home: String) async throws {
        let run = try await Processes.run("crm-desktop", ["--home", home, "rebuild"])
        guard run.status == 0 else { throw ProcessError.failed("rebuild", run.error) }
    }

    private func rebuildAndSync(_ home: String) async throws {
        try await rebuild(home)
        let run = try await sync(home)
        guard run.status == 0 else { throw ProcessError.failed("sync", run.output + run.error) }
    }

    /// How long `body` took, in seconds.
    private func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = Date()
        try await body()
        return Date().timeIntervalSince(start)
    }

    private func sync(_ home: String) async throws -> Processes.Run {
        try await Processes.run("crm-desktop", ["--home", home, "sync"])
    }

    /// Starts a sync and kills it with SIGKILL after `milliseconds`; returns whether the kill landed (the sync
    /// may have finished by then).
    private func killSync(home: String, after milliseconds: UInt64) async throws -> Bool {
        let process = try Processes.start("crm-desktop", ["--home", home, "sync"])
        // Timed on a thread of its own: a sleep on the concurrency pool, which parallel tests keep busy, may
        // wake long after the sync ended.
        let pid = process.processIdentifier
        try await ProcessRunner.offPool {
            usleep(useconds_t(milliseconds * 1000))
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationReason == .uncaughtSignal
    }

    /// Every record of the replica as the user sees it, by id.
    private func snapshot(_ home: String) throws -> [String: Record] {
        let replica = try Replica(path: home + "/replica.sqlite")
        var result: [String: Record] = [:]
        for type in try replica.requirePackage().types.keys {
            for local in try replica.localRecords(type: type, user: "diana") { result[local.id] = local.record }
        }
        return result
    }
}

/// A small seeded generator, so a failing run can be replayed.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(upTo bound: UInt64) -> UInt64 { next() % bound }
}
