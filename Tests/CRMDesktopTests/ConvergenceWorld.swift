import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation

/// Three real desktops (Rita's laptop and phone, and Maria, her manager, who holds her records through
/// `my-team`), each with its replica and a vdir PIM folder, syncing with the test server through an
/// `AnswerDroppingProxy`; and the random offline edits they make: record edits, deletes, links and unlinks,
/// creates, and vCard edits made in the PIM folder as a contacts app makes them.
struct ConvergenceWorld {
    struct Device {
        let name: String
        let user: String
        let home: DesktopHome
        let pim: URL

        /// The desktop as a new `crm-desktop` process opens it.
        func open() throws -> Desktop { try Desktop.open(home: home) }
    }

    /// A vCard edit made in a PIM folder: the e-mail the contact's file was given.
    struct PIMEdit {
        let device: String
        let contact: String
        let email: String
        /// The edit's number, to tell which of one device's changes of a contact came later.
        let number: Int
        /// The device's syncs that had run to their end before the edit.
        let syncsBefore: Int
    }

    static let accounts = (1...6).map(id)
    static let contacts = (11...24).map(id)
    static let deals = (31...33).map(id)

    let devices: [Device]
    let directory: TemporaryDirectory
    var random: SplitMix
    var counter = 0
    var edits = 0
    var skipped = 0
    var pimEdits: [PIMEdit] = []
    /// For each device and contact ("device contact"), the edits that set its e-mail or deleted it there (number,
    /// and the device's completed syncs before it): a later one with no completed sync between supersedes an
    /// earlier e-mail (the outbox keeps a record's last value).
    var emailChanges: [String: [(number: Int, syncsBefore: Int)]] = [:]
    /// Syncs of each device that ran to their end (set by the test).
    var completedSyncs: [String: Int] = [:]

    /// A fixed id, so that a replayed seed picks the same records.
    static func id(_ number: Int) -> String { String(format: "00000000-0000-7000-8000-%012d", number) }

    /// Rita's records on the server, and the three desktops set up through the proxy at `url`.
    static func make(_ api: TestAPI, proxy url: String, seed: UInt64) async throws -> ConvergenceWorld {
        let token = try await api.login("rita")
        func create(_ type: String, _ id: String, _ fields: [String: FieldValue]) async throws {
            let reply = try await api.send(
                .post, "/api/v1/records/\(type)", token: token, json: RecordWrite(fields: fields, id: id))
            guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
        }
        for (index, id) in accounts.enumerated() {
            try await create("Account", id, ["name": .string("Account \(index)"), "phone": "+1 555 0100", "city": "Lyon"])
        }
        for (index, id) in contacts.enumerated() {
            try await create(
                "Contact", id,
                ["firstName": "Pat", "lastName": .string("Contact \(index)"), "mobile": "+44 7700 0100",
                 "email": .string("c\(index)@example.com"), "accountId": .string(accounts[index % accounts.count])])
        }
        for (index, id) in deals.enumerated() {
            try await create(
                "Opportunity", id,
                ["name": .string("Deal \(index)"), "stage": "Prospecting", "contactIds": .array([.string(contacts[index])])])
        }
        let directory = try TemporaryDirectory(prefix: "crm-convergence")
        var devices: [Device] = []
        for (user, name) in [("rita", "laptop"), ("rita", "phone"), ("maria", "maria")] {
            let home = DesktopHome(path: directory.path(name))
            let pim = directory.url.appendingPathComponent(name + "-pim")
            _ = try await DesktopSetup(home: home).connect(
                server: url, user: user, password: TestServer.password, deviceName: name, pim: "vdir:" + pim.path,
                timeZone: "UTC")
            devices.append(Device(name: name, user: user, home: home, pim: pim))
        }
        return ConvergenceWorld(devices: devices, directory: directory, random: SplitMix(seed: seed))
    }

    mutating func roll(_ bound: Int) -> Int { Int(random.next(upTo: UInt64(bound))) }

    /// Makes one random offline edit on `device`; an edit the desktop refuses (such as a record deleted by a
    /// pulled change) counts as skipped.
    mutating func edit(on device: Device) throws {
        counter += 1
        let n = counter
        let editor = try device.open().editor()
        let replica = editor.replica
        func records(_ type: String) throws -> [LocalRecord] {
            try replica.localRecords(type: type, user: device.user).filter { !$0.incomplete }.sorted { $0.id < $1.id }
        }
        func pick(_ list: [LocalRecord]) -> LocalRecord? { list.isEmpty ? nil : list[roll(list.count)] }
        let kind = roll(100)
        do {
            switch kind {
            case ..<25:
                guard let account = pick(try records("Account")) else { return }
                try editor.update(type: "Account", id: account.id, fields: fields(["name", "phone", "city"], device, n))
            case ..<42:
                guard let contact = pick(try records("Contact")) else { return }
                let changes = fields(["lastName", "mobile", "email"], device, n)
                try editor.update(type: "Contact", id: contact.id, fields: changes)
                if changes["email"] != nil { emailChanges["\(device.name) \(contact.id)", default: []].append((n, completedSyncs[device.name] ?? 0)) }
            case ..<57:
                guard let contact = pick(try records("Contact")) else { return }
                try editPIM(device, contact: contact.id, n)
            case ..<65:
                guard let record = pick(try records(roll(3) == 0 ? "Account" : "Contact")) else { return }
                try editor.delete(type: record.type, id: record.id)
                emailChanges["\(device.name) \(record.id)", default: []].append((n, completedSyncs[device.name] ?? 0))
            case ..<85:
                guard let deal = pick(try records("Opportunity")), let contact = pick(try records("Contact")) else { return }
                let linked = deal.record.fields["contactIds"]?.stringArray ?? []
                if kind < 77 || linked.isEmpty {
                    try editor.link(type: "Opportunity", id: deal.id, field: "contactIds", target: contact.id)
                } else {
                    try editor.link(
                        type: "Opportunity", id: deal.id, field: "contactIds", target: linked[roll(linked.count)],
                        unlink: true)
                }
            default:
                var fields: [String: FieldValue] = [
                    "lastName": .string("New \(device.name) \(n)"), "email": .string("new-\(device.name)-\(n)@example.com"),
                ]
                if let account = pick(try records("Account")) { fields["accountId"] = .string(account.id) }
                try editor.create(type: "Contact", fields: fields)
            }
            edits += 1
        } catch let error as DesktopError {
            skipped += 1
            print("convergence: \(device.name) edit \(n) skipped: \(error.message)")
        }
    }

    /// New values, unique to this edit, for a random non-empty subset of `names`.
    mutating func fields(_ names: [String], _ device: Device, _ n: Int) -> [String: FieldValue] {
        let mask = 1 + roll((1 << names.count) - 1)
        var result: [String: FieldValue] = [:]
        for (bit, name) in names.enumerated() where mask & (1 << bit) != 0 {
            result[name] =
                switch name {
                case "phone": .string("+1 555 \(1000 + n)")
                case "mobile": .string("+44 7700 \(1000 + n)")
                case "email": .string("e-\(device.name)-\(n)@example.com")
                default: .string("\(name) \(device.name) \(n)")
                }
        }
        return result
    }

    /// Gives the contact's vCard file in the device's PIM folder a new e-mail, as a contacts app does (the
    /// whole file written again); the next sync takes it into the CRM.
    mutating func editPIM(_ device: Device, contact: String, _ n: Int) throws {
        let folder = device.pim.appendingPathComponent("contacts")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".vcf") {
            let file = folder.appendingPathComponent(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            guard text.contains("X-CRM-ID:\(contact)") else { continue }
            let email = "pim-\(device.name)-\(n)@example.com"
            var lines = text.components(separatedBy: "\r\n").filter { !$0.uppercased().hasPrefix("EMAIL") }
            let end = lines.lastIndex { $0.uppercased() == "END:VCARD" } ?? lines.count
            lines.insert("EMAIL;TYPE=work:\(email)", at: end)
            try lines.joined(separator: "\r\n").write(to: file, atomically: true, encoding: .utf8)
            let syncs = completedSyncs[device.name] ?? 0
            pimEdits.append(PIMEdit(device: device.name, contact: contact, email: email, number: n, syncsBefore: syncs))
            emailChanges["\(device.name) \(contact)", default: []].append((n, syncs))
            return
        }
        throw DesktopError(.notFound, "no vCard of contact \(contact) in \(folder.path) yet")
    }
}
