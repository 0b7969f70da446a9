import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import PropertyBased
import Testing

/// The property of issue 3: random interleavings of several devices' offline edits, lost answers, retries and
/// syncs always converge to one state on every device and the server, every op takes effect exactly once, and
/// no field change is lost without a conflict record naming it.
@Suite("Sync convergence")
struct SyncConvergenceTests {
    /// Each case prints its scenario; a failure also prints the `.fixedSeed(...)` that replays it.
    @Test(.shrinking(false))
    func offlineEditsRetriesAndSyncsInAnyOrderConvergeAndLoseNothingSilently() async {
        await propertyCheck(count: 12, input: ConvergenceScenario.generator) { scenario in
            print("sync convergence case: \(scenario)")
            let server = try await TestServer.make()
            try await server.run { api in
                var run = try await ConvergenceRun.start(api)
                for round in scenario.rounds {
                    for (device, edits) in round.edits.enumerated() {
                        for edit in edits { run.make(edit, on: device) }
                    }
                    for sync in round.syncs { try await run.sync(sync.device, sync.mode) }
                }
                for _ in 0..<2 {
                    for device in run.devices.indices { try await run.sync(device, .normal) }
                }
                try await run.checkConverged(api)
            }
        }
    }
}

/// One random history: rounds in which three devices edit offline, then sync in a random order, each sync
/// going well, retrying a push at once, losing the push's answer (pushing again next time) or not happening.
struct ConvergenceScenario: Sendable, CustomStringConvertible {
    enum EditKind: String, Sendable { case account, contact, delete, link, unlink, create }
    enum SyncMode: String, Sendable { case normal, retry, lost, offline }

    /// `pick` chooses the record(s) among the device's, `fields` (a bit mask) which fields change.
    struct Edit: Sendable, CustomStringConvertible {
        var kind: EditKind
        var pick: Int
        var fields: Int
        var description: String { "\(kind.rawValue)#\(pick).\(fields)" }
    }

    struct Sync: Sendable, CustomStringConvertible {
        var device: Int
        var mode: SyncMode
        var description: String { "\(ConvergenceRun.deviceNames[device]):\(mode.rawValue)" }
    }

    struct Round: Sendable {
        /// The edits of each device, by device index.
        var edits: [[Edit]]
        var syncs: [Sync]
    }

    var rounds: [Round]

    var description: String {
        rounds.enumerated().map { number, round in
            let edits = round.edits.enumerated().map { "\(ConvergenceRun.deviceNames[$0])\($1)" }
            return "round \(number + 1): edits \(edits.joined(separator: " ")); syncs \(round.syncs)"
        }.joined(separator: " | ")
    }

    static var generator: Generator<ConvergenceScenario, Shrink.None<ConvergenceScenario>> {
        Generator { rng in random(using: &rng) }
    }

    static func random(using rng: inout some RandomNumberGenerator) -> ConvergenceScenario {
        let devices = ConvergenceRun.deviceNames.indices
        let rounds = (0..<Int.random(in: 2...4, using: &rng)).map { _ in
            let edits = devices.map { _ in
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                    let roll = Int.random(in: 0..<100, using: &rng)
                    let kind: EditKind =
                        switch roll {
                        case ..<30: .account
                        case ..<55: .contact
                        case ..<65: .delete
                        case ..<80: .link
                        case ..<88: .unlink
                        default: .create
                        }
                    let pick = Int.random(in: 0..<64, using: &rng)
                    return Edit(kind: kind, pick: pick, fields: Int.random(in: 1...7, using: &rng))
                }
            }
            let syncs = Array(devices).shuffled(using: &rng).map { device in
                let roll = Int.random(in: 0..<100, using: &rng)
                let mode: SyncMode = roll < 50 ? .normal : roll < 70 ? .retry : roll < 85 ? .lost : .offline
                return Sync(device: device, mode: mode)
            }
            return Round(edits: edits, syncs: syncs)
        }
        return ConvergenceScenario(rounds: rounds)
    }
}

/// The devices, their outboxes and every op's first answer while a scenario runs; then the checks.
struct ConvergenceRun {
    static let deviceNames = ["laptop", "phone", "maria"]
    static let accounts = (1...3).map(id)
    static let contacts = (11...14).map(id)
    static let deals = (21...22).map(id)
    static let editable = ["Account": ["name", "phone", "city"], "Contact": ["lastName", "mobile", "email"]]

    /// Rita's laptop and phone, and Maria (her manager, who sees her records with `my-team`).
    var devices: [TestDesktop]
    /// Ops made offline and not yet answered, per device.
    var outboxes: [[SyncOp]]
    /// Every op in the order the server first applied it, with that first answer.
    var log: [(op: SyncOp, result: SyncOpResult)] = []
    var answers: [String: SyncOpResult] = [:]
    var counter = 0

    /// A fixed id, so that a replayed scenario picks the same records.
    static func id(_ number: Int) -> String { String(format: "00000000-0000-7000-8000-%012d", number) }

    /// Rita's shared records, and the three devices synced once.
    static func start(_ api: TestAPI) async throws -> ConvergenceRun {
        let token = try await api.login("rita")
        func create(_ type: String, _ id: String, _ fields: [String: FieldValue]) async throws {
            let reply = try await api.send(
                .post, "/api/v1/records/\(type)", token: token, json: RecordWrite(fields: fields, id: id))
            guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
        }
        for (index, id) in accounts.enumerated() {
            try await create(
                "Account", id, ["name": .string("Account \(index)"), "phone": "+1 555 0100", "city": "Lyon"])
        }
        for (index, id) in contacts.enumerated() {
            try await create(
                "Contact", id,
                [
                    "lastName": .string("Contact \(index)"), "mobile": "+44 7700 0100",
                    "email": .string("c\(index)@example.com"), "accountId": .string(accounts[index % accounts.count]),
                ])
        }
        for (index, id) in deals.enumerated() {
            try await create(
                "Opportunity", id,
                [
                    "name": .string("Deal \(index)"), "stage": "Prospecting",
                    "contactIds": .array([.string(contacts[index])]),
                ])
        }
        var devices: [TestDesktop] = []
        for (user, name) in [("rita", "laptop"), ("rita", "phone"), ("maria", "maria")] {
            var desktop = try await TestDesktop.connect(api, user, name: name)
            try await desktop.sync()
            devices.append(desktop)
        }
        return ConvergenceRun(devices: devices, outboxes: devices.map { _ in [] })
    }

    /// Turns one generated edit into an op on the device's replica (records with a pending op left alone).
    mutating func make(_ edit: ConvergenceScenario.Edit, on device: Int) {
        let pending = Set(outboxes[device].map(\.id))
        let replica = devices[device]
        func candidates(_ types: String...) -> [Record] {
            types.flatMap { replica.records($0) }.filter { !pending.contains($0.id) }
        }
        func pick(_ records: [Record], _ salt: Int = 0) -> Record? {
            records.isEmpty ? nil : records[(edit.pick + salt) % records.count]
        }
        counter += 1
        let n = counter
        let time = Date()
        var op: SyncOp?
        switch edit.kind {
        case .account, .contact:
            let type = edit.kind == .account ? "Account" : "Contact"
            guard let record = pick(candidates(type)) else { return }
            var fields: [String: FieldValue] = [:]
            for (bit, name) in Self.editable[type, default: []].enumerated() where edit.fields & (1 << bit) != 0 {
                fields[name] = Self.value(of: name, n)
            }
            op = .update(type, record.id, base: record.version, fields, at: time)
        case .delete:
            guard let record = pick(candidates("Account", "Contact")) else { return }
            op = .delete(record.type, record.id, base: record.version, at: time)
        case .link:
            guard let deal = pick(candidates("Opportunity")),
                let contact = pick(replica.records("Contact"), edit.fields)
            else { return }
            op = .link("Opportunity", deal.id, base: deal.version, "contactIds", contact.id, at: time)
        case .unlink:
            guard let deal = pick(candidates("Opportunity")), let linked = deal.fields["contactIds"]?.stringArray,
                !linked.isEmpty
            else { return }
            let target = linked[edit.fields % linked.count]
            op = .unlink("Opportunity", deal.id, base: deal.version, "contactIds", target, at: time)
        case .create:
            var fields: [String: FieldValue] = [
                "lastName": .string("New \(n)"), "email": .string("new\(n)@example.com"),
            ]
            if edit.fields % 2 == 1, let account = pick(replica.records("Account")) {
                fields["accountId"] = .string(account.id)
            }
            // Maria gives what she creates to Rita, so that every device sees every record.
            let owner = devices[device].user == "rita" ? nil : "rita"
            op = .create("Contact", fields, id: Self.id(1000 + n), owner: owner, at: time)
        }
        if let op { outboxes[device].append(op) }
    }

    static func value(of field: String, _ n: Int) -> FieldValue {
        switch field {
        case "phone": .string("+1 555 \(n)")
        case "mobile": .string("+44 7700 \(n)")
        case "email": .string("e\(n)@example.com")
        default: .string("\(field) \(n)")
        }
    }

    /// One sync session of `device`: push the outbox as `mode` says, then pull everything (unless the answer
    /// was lost: then the session ends and the ops are pushed again next time).
    mutating func sync(_ device: Int, _ mode: ConvergenceScenario.SyncMode) async throws {
        guard mode != .offline else { return }
        try await devices[device].begin()
        let ops = outboxes[device]
        if !ops.isEmpty {
            let results = try await devices[device].push(ops)
            try #require(results.map(\.opId) == ops.map(\.opId))
            for (op, result) in zip(ops, results) {
                if let first = answers[op.opId] {
                    #expect(result == first, "op \(op.opId) pushed again was answered differently")
                } else {
                    answers[op.opId] = result
                    log.append((op, result))
                }
            }
            if mode == .retry {
                let again = try await devices[device].push(ops)
                #expect(again == results, "a retried push was answered differently")
            }
            if mode == .lost {
                try await devices[device].end()
                return
            }
            outboxes[device] = []
        }
        try await devices[device].pullAll()
        try await devices[device].end()
    }

    /// Every device holds what the server shows its user; each op took effect once; no lost value goes unnamed.
    func checkConverged(_ api: TestAPI) async throws {
        #expect(outboxes.allSatisfy { $0.isEmpty })
        var views: [String: [String: Record]] = [:]
        for desktop in devices where views[desktop.user] == nil {
            var view: [String: Record] = [:]
            for type in ["Account", "Contact", "Opportunity"] {
                for record in try await api.list(type, token: desktop.token) { view[record.id] = record }
            }
            for record in try await api.conflicts(token: desktop.token) { view[record.id] = record }
            views[desktop.user] = view
        }
        for desktop in devices {
            let view = views[desktop.user] ?? [:]
            let held = desktop.replica.mapValues(\.record)
            #expect(Set(held.keys) == Set(view.keys), "\(desktop.device.name) holds other records than the server")
            for (id, record) in view where held[id] != nil && held[id] != record {
                Issue.record("\(desktop.device.name) holds \(String(describing: held[id])), the server \(record)")
            }
            #expect(desktop.replica.values.allSatisfy { !$0.incomplete })
        }
        let shared = (views["rita"] ?? [:]).filter { $0.value.type != ConflictRecord.typeName }
        #expect(shared == (views["maria"] ?? [:]).filter { $0.value.type != ConflictRecord.typeName })

        // Each create and delete took effect exactly once: the live records are those the answers promise.
        var alive = Set(Self.accounts + Self.contacts + Self.deals)
        for (op, result) in log {
            if op.kind == .create, result.status == .applied { alive.insert(op.id) }
            if op.kind == .delete, result.status == .applied { alive.remove(op.id) }
            if result.status == .rejected {
                #expect(result.issues?.allSatisfy { $0.code == .reference } == true, "\(op) refused: \(result)")
            }
        }
        #expect(Set(shared.keys) == alive)

        // Links and unlinks merge as sets: each deal holds what its applied links and unlinks add up to.
        for (index, deal) in Self.deals.enumerated() {
            var expected: Set<String> = [Self.contacts[index]]
            for (op, result) in log where op.id == deal && (result.status == .applied || result.status == .merged) {
                if op.kind == .link, let target = op.target { expected.insert(target) }
                if op.kind == .unlink, let target = op.target { expected.remove(target) }
            }
            let linked = Set(shared[deal]?.fields["contactIds"]?.stringArray ?? [])
            #expect(linked == expected.intersection(alive), "contacts of deal \(deal)")
        }

        // A value sent and not kept is named by a conflict, or was overwritten by someone who had seen it.
        let conflicts = views.values.flatMap(\.values).filter { $0.type == ConflictRecord.typeName }
        for (index, (op, result)) in log.enumerated() where op.kind == .update && result.status != .rejected {
            for (field, value) in op.fields ?? [:] where shared[op.id]?.fields[field] != value {
                if Self.names(conflicts, record: op.id, field: field, value: value) { continue }
                let later = log[(index + 1)...].first { entry in
                    entry.op.id == op.id
                        && ((entry.op.kind == .delete && entry.result.status == .applied)
                            || (entry.op.fields?[field] != nil && entry.result.record != nil
                                && entry.result.record?.fields[field] != value))
                }
                // Not named: then it must have been applied, and first overwritten by an op made after seeing it.
                let applied = result.record?.fields[field] == value
                let seen = later.map { ($0.op.baseVersion ?? 0) >= (result.version ?? .max) } ?? false
                let lost = "\(field) = \(value) of \(op.type) \(op.id), sent by op \(op.opId) (\(result.status)), "
                    + "was lost without a conflict record; first overwritten by \(String(describing: later?.op))"
                #expect(applied && seen, "\(lost)")
            }
        }
    }

    /// Whether a conflict record names `value` of `field` on `record` (either side of a field conflict, or the
    /// edit kept by an update-vs-delete conflict).
    static func names(_ conflicts: [Record], record: String, field: String, value: FieldValue) -> Bool {
        conflicts.contains { conflict in
            guard conflict.fields["recordId"] == .string(record) else { return false }
            if conflict.fields["kind"] == "update-deleted",
                case .object(let edit) = conflict.fields["clientValue"] ?? .null
            {
                return edit[field] == value
            }
            return conflict.fields["field"] == .string(field)
                && (conflict.fields["clientValue"] == value || conflict.fields["serverValue"] == value)
        }
    }
}
