import CRMModel
import CRMStore
import Foundation

/// Deterministic, realistic demo data written straight into a store (not through HTTP): companies, people,
/// opportunities across stages, activities from 90 days ago to 90 days ahead, service requests, owned by demo
/// users in a manager hierarchy (the ten named ones, and more reps under more managers when asked for: benchmarks
/// use a few hundred). The same seed, day and user count give the same records. Benchmarks fill stores
/// with it, so it writes in chunks of one transaction each and holds only one chunk in memory.
public struct DemoDataGenerator: Sendable {
    /// A demo user: name, role and manager.
    public struct DemoUser: Sendable {
        public let name: String
        public let role: String
        public let manager: String?
    }

    /// The named demo hierarchy: a sales director over two sales managers, each with reps; a service team; an
    /// admin.
    public static let users: [DemoUser] = [
        DemoUser(name: "admin", role: "admin", manager: nil),
        DemoUser(name: "diana", role: "sales-manager", manager: nil),
        DemoUser(name: "marco", role: "sales-manager", manager: "diana"),
        DemoUser(name: "sofia", role: "sales-manager", manager: "diana"),
        DemoUser(name: "liam", role: "sales-rep", manager: "marco"),
        DemoUser(name: "emma", role: "sales-rep", manager: "marco"),
        DemoUser(name: "noah", role: "sales-rep", manager: "sofia"),
        DemoUser(name: "olivia", role: "sales-rep", manager: "sofia"),
        DemoUser(name: "sam", role: "service-agent", manager: nil),
        DemoUser(name: "ines", role: "service-agent", manager: nil),
    ]

    /// The named users and, past them, `count - 10` more: groups of a sales manager (`mgrN`, reporting to diana)
    /// over ten sales reps (`repN`).
    public static func users(count: Int) -> [DemoUser] {
        var all = users
        var manager = "diana"
        for index in 0..<max(0, count - users.count) {
            if index % 11 == 0 {
                manager = "mgr\(index / 11 + 1)"
                all.append(DemoUser(name: manager, role: "sales-manager", manager: "diana"))
            } else {
                all.append(DemoUser(name: "rep\(index - index / 11)", role: "sales-rep", manager: manager))
            }
        }
        return all
    }

    /// Every demo user of this generator.
    public let users: [DemoUser]
    let owners: [String]
    let agents: [String]

    public let package: CustomizationPackage
    public let seed: UInt64
    /// The day activities are spread around.
    public let today: Date
    public let chunkSize: Int

    public init(
        package: CustomizationPackage, seed: UInt64, users: Int = Self.users.count, today: Date = Date(),
        chunkSize: Int = 50_000
    ) {
        self.users = Self.users(count: users)
        owners = self.users.filter { $0.role.hasPrefix("sales") }.map(\.name)
        agents = self.users.filter { $0.role == "service-agent" }.map(\.name)
        self.package = package
        self.seed = seed
        self.today = today
        self.chunkSize = chunkSize
    }

    /// How many records of each type `total` records make (10% accounts, 35% contacts, 15% opportunities,
    /// 35% activities, 5% service requests).
    public static func mix(_ total: Int) -> [(type: String, count: Int)] {
        let accounts = max(1, total / 10)
        let contacts = total * 35 / 100
        let opportunities = total * 15 / 100
        let requests = total * 5 / 100
        let activities = max(0, total - accounts - contacts - opportunities - requests)
        return [
            ("Account", accounts), ("Contact", contacts), ("Opportunity", opportunities),
            ("ServiceRequest", requests), ("Activity", activities),
        ]
    }

    /// Adds the demo users that do not exist yet, all with one password hash.
    public func addUsers(to store: any ServerStore, passwordHash: String) async throws -> [String] {
        var added: [String] = []
        for demo in users where try await store.user(named: demo.name) == nil {
            try await store.addUser(
                User(
                    name: demo.name, passwordHash: passwordHash, role: demo.role, manager: demo.manager,
                    emails: ["\(demo.name)@crm-demo.example"]))
            added.append(demo.name)
        }
        return added
    }

    /// Writes `total` records, calling `progress` with the number written so far after each chunk. The next
    /// chunk is generated while the store writes the last, so both cores work.
    public func addRecords(total: Int, to store: any ServerStore, progress: @Sendable (Int) -> Void = { _ in })
        async throws
    {
        let mix = Self.mix(total)
        let accounts = mix[0].count
        let contacts = mix[1].count
        var chunks: [(type: String, count: Int, range: Range<Int>)] = []
        for (type, count) in mix where package.types[type] != nil {
            for start in stride(from: 0, to: count, by: chunkSize) {
                chunks.append((type, count, start..<min(start + chunkSize, count)))
            }
        }
        let generator = self
        func make(_ chunk: (type: String, count: Int, range: Range<Int>)) -> Task<[Record], Never> {
            Task {
                chunk.range.map {
                    generator.record(
                        type: chunk.type, index: $0, count: chunk.count, accounts: accounts, contacts: contacts)
                }
            }
        }
        var written = 0
        var next = chunks.first.map(make)
        for index in chunks.indices {
            guard let current = next else { break }
            next = index + 1 < chunks.count ? make(chunks[index + 1]) : nil
            let batch = await current.value
            try await store.insertBatch(batch)
            written += batch.count
            progress(written)
        }
    }

    // MARK: - Records

    /// A number per type name, so that each type draws from its own random stream.
    static func salt(_ type: String) -> UInt64 {
        UInt64(truncatingIfNeeded: type.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) })
    }

    /// The id of record `index` of `type`: a UUID version 7 whose time field counts up through the types in
    /// load order, so that bulk inserts append to the id index; the random bits come from the seed.
    func id(_ type: String, _ index: Int) -> String {
        let ordinal = UInt64(Self.loadOrder.firstIndex(of: type) ?? Self.loadOrder.count)
        let base: UInt64 = 1_700_000_000_000  // November 2023, in milliseconds
        return RecordID.version7(
            milliseconds: base + (ordinal << 32) + UInt64(index),
            random: SeededGenerator.mix(seed ^ Self.salt(type), UInt64(index) &* 2),
            SeededGenerator.mix(seed ^ Self.salt(type), UInt64(index) &* 2 &+ 1))
    }

    static let loadOrder = ["Account", "Contact", "Opportunity", "ServiceRequest", "Activity"]

    func accountOwner(_ index: Int) -> String {
        owners[Int(SeededGenerator.mix(seed, UInt64(index)) % UInt64(owners.count))]
    }

    /// The account a contact works for: contacts come in blocks per account (about 3.5 each), so every chunk
    /// agrees and references are written in the order of the accounts they point to.
    func accountOfContact(_ index: Int, accounts: Int, contacts: Int) -> Int {
        contacts == 0 ? 0 : min(accounts - 1, index * accounts / contacts)
    }

    /// The contact a record of a type with `count` records is about: spread over the contacts in order, so its
    /// account is that contact's account.
    func contactFor(_ index: Int, count: Int, contacts: Int) -> Int {
        count == 0 ? 0 : min(contacts - 1, index * contacts / count)
    }

    func record(type: String, index: Int, count: Int, accounts: Int, contacts: Int) -> Record {
        var random = SeededGenerator(seed: SeededGenerator.mix(seed ^ Self.salt(type), UInt64(index)))
        var fields: [String: FieldValue] = [:]
        var owner: String
        var team: [String] = []
        switch type {
        case "Account":
            owner = accountOwner(index)
            fields = DemoNames.company(index: index, seed: seed, using: &random, lists: package.lists)
        case "Contact":
            let account = accountOfContact(index, accounts: accounts, contacts: contacts)
            owner = accountOwner(account)
            fields = DemoNames.person(
                index: index, company: DemoNames.companyName(account, seed: seed), using: &random)
            fields["accountId"] = .string(id("Account", account))
        case "Opportunity":
            let contact = contactFor(index, count: count, contacts: contacts)
            let account = contacts > 0 ? accountOfContact(contact, accounts: accounts, contacts: contacts)
                : index * accounts / max(count, 1)
            owner = accountOwner(account)
            fields = DemoOpportunity.fields(
                account: DemoNames.companyName(account, seed: seed), today: today, using: &random,
                lists: package.lists)
            fields["accountId"] = .string(id("Account", account))
            if contacts > 0 { fields["contactIds"] = .array([.string(id("Contact", contact))]) }
        case "ServiceRequest":
            let account = min(accounts - 1, index * accounts / max(count, 1))
            owner = agents.isEmpty ? accountOwner(account) : agents[index % agents.count]
            team = [accountOwner(account)]
            fields = DemoServiceRequest.fields(index: index, using: &random, lists: package.lists)
            fields["accountId"] = .string(id("Account", account))
        default:
            let contact = contactFor(index, count: count, contacts: contacts)
            let account = contacts > 0 ? accountOfContact(contact, accounts: accounts, contacts: contacts)
                : index * accounts / max(count, 1)
            owner = accountOwner(account)
            fields = DemoActivity.fields(index: index, today: today, using: &random, lists: package.lists)
            fields["accountId"] = .string(id("Account", account))
            if contacts > 0 { fields["contactIds"] = .array([.string(id("Contact", contact))]) }
        }
        let known = package.types[type]?.fields ?? [:]
        if fields.keys.contains(where: { known[$0] == nil }) { fields = fields.filter { known[$0.key] != nil } }
        let stamp = FieldStamp(version: 1, at: today)
        return Record(
            id: id(type, index), type: type, owner: owner, team: team, createdAt: today, updatedAt: today,
            updatedBy: owner, fields: fields, fieldVersions: fields.mapValues { _ in stamp })
    }
}
