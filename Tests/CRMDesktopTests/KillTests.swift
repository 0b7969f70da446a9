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
/// `CRM_KILL_ROUNDS` sets the kills per phase (default 12, so 24 in all); the seed is printed for replays and
/// read from `CRM_KILL_SEED`.
@Suite("Kill -9", .serialized)
struct KillTests {
    static let environment = ProcessInfo.processInfo.environment
    static var rounds: Int { Int(environment["CRM_KILL_ROUNDS"] ?? "") ?? 12 }

    @Test func killingTheDesktopAtRandomMomentsLosesNothingAndRepeatsNothing() async throws {
        let seed = UInt64(Self.environment["CRM_KILL_SEED"] ?? "") ?? UInt64.random(in: 1...999_999)
        print("KillTests seed \(seed) (CRM_KILL_SEED=\(seed) replays it)")
        var random = SplitMix(seed: seed)
        let server = try await ServerProcess(records: 4000)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-kill")
        defer { directory.remove() }
        let killed = try setUp(directory.path("killed"), server)
        let other = try setUp(directory.path("other"), server)

        // First sync, killed again and again before it may finish.
        for _ in 0..<Self.rounds {
            try killSync(home: killed, after: random.next(upTo: 1500))
        }
        #expect(try sync(killed).status == 0)
        #expect(try sync(other).status == 0)

        // Incremental syncs with edits here and on another desktop of the same user.
        let editor = try RecordEditor(replica: Replica(path: killed + "/replica.sqlite"), user: "diana")
        let otherEditor = try RecordEditor(replica: Replica(path: other + "/replica.sqlite"), user: "diana")
        let shared = try #require(try editor.replica.localRecords(type: "Account", user: "diana").first?.id)
        var created: [String] = []
        for round in 0..<Self.rounds {
            for index in 0..<2 {
                let name = "kill-\(seed)-\(round)-\(index)"
                try editor.create(type: "Account", fields: ["name": .string(name)])
                created.append(name)
            }
            try editor.update(type: "Account", id: shared, fields: ["city": .string("here-\(round)")])
            try otherEditor.update(type: "Account", id: shared, fields: ["phone": .string("+1 \(round)")])
            #expect(try sync(other).status != 1)
            try killSync(home: killed, after: random.next(upTo: 400))
        }
        #expect(try sync(killed).status != 1)
        #expect(try sync(other).status != 1)
        #expect(try editor.replica.outbox().isEmpty)

        // A fresh desktop of the same user is the server's view.
        let fresh = try setUp(directory.path("fresh"), server)
        #expect(try sync(fresh).status == 0)
        let expected = try snapshot(fresh)
        let actual = try snapshot(killed)
        #expect(actual.count == expected.count)
        #expect(actual == expected, "the killed desktop's replica differs from a fresh one (seed \(seed))")
        let names = expected.values.compactMap { $0.fields["name"]?.stringValue }.filter { $0.hasPrefix("kill-") }
        #expect(names.sorted() == created.sorted(), "every created record exactly once (seed \(seed))")
    }

    private func setUp(_ home: String, _ server: ServerProcess) throws -> String {
        let run = try Processes.run(
            "crm-desktop", ["--home", home, "setup", "--server", server.url, "--user", "diana", "--password-stdin",
                "--yes"], stdin: ServerProcess.password + "\n")
        guard run.status == 0 else { throw ProcessError.failed("setup", run.output + run.error) }
        return home
    }

    private func sync(_ home: String) throws -> Processes.Run {
        try Processes.run("crm-desktop", ["--home", home, "sync"])
    }

    /// Starts a sync and kills it with SIGKILL after `milliseconds` (it may have finished by then).
    private func killSync(home: String, after milliseconds: UInt64) throws {
        let process = try Processes.start("crm-desktop", ["--home", home, "sync"])
        usleep(useconds_t(milliseconds * 1000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
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
