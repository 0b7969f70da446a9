import CRMModel
import CRMServer
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
import Testing

/// The demo data generator writes realistic, valid, reproducible records straight into a store.
@Suite struct DemoDataTests {
    static let package = try! DefaultPackage.load()
    /// Noon UTC on a fixed day, so that runs on any machine and any day agree.
    static let today = Date(timeIntervalSince1970: 1_773_576_000)

    /// A fresh store on the store `CRM_TEST_STORE` names, removed after `body`.
    static func withStore(_ body: (any ServerStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "crm-demo")
        defer { directory.remove() }
        let database = try await TestDatabase.make(in: directory)
        defer { database.remove() }
        let store = try await database.open(migrate: true)
        defer { database.close(store) }
        try await body(store)
    }

    /// Every live record of every type of the package, by id.
    static func allRecords(_ store: any ServerStore) async throws -> [String: Record] {
        try await store.liveRecords(types: package.types.keys.sorted())
    }

    static func generate(seed: UInt64, total: Int, chunkSize: Int = 10_000, into store: any ServerStore) async throws {
        let generator = DemoDataGenerator(package: package, seed: seed, today: today, chunkSize: chunkSize)
        try await generator.addRecords(total: total, to: store)
    }

    @Test func sameSeedAndDayGiveIdenticalRecords() async throws {
        try await Self.withStore { first in
            try await Self.withStore { second in
                try await Self.generate(seed: 42, total: 300, into: first)
                // Small chunks: records computed chunk by chunk must agree with the ones computed in one go.
                try await Self.generate(seed: 42, total: 300, chunkSize: 64, into: second)
                let one = try await Self.allRecords(first)
                let other = try await Self.allRecords(second)
                #expect(one.count == 300)
                #expect(one == other)
            }
        }
    }

    @Test func differentSeedGivesDifferentData() async throws {
        try await Self.withStore { first in
            try await Self.withStore { second in
                try await Self.generate(seed: 42, total: 300, into: first)
                try await Self.generate(seed: 43, total: 300, into: second)
                let one = try await Self.allRecords(first)
                let other = try await Self.allRecords(second)
                #expect(Set(one.keys).isDisjoint(with: other.keys))
                let names = Set(one.values.filter { $0.type == "Account" }.compactMap { $0.fields["name"] })
                let otherNames = Set(other.values.filter { $0.type == "Account" }.compactMap { $0.fields["name"] })
                #expect(names != otherNames)
            }
        }
    }

    @Test func mixIsTenThirtyFiveFifteenThirtyFiveFivePercent() async throws {
        try await Self.withStore { store in
            try await Self.generate(seed: 7, total: 1_000, into: store)
            let counts = try await store.countByType()
            #expect(counts.values.reduce(0, +) == 1_000)
            let expected = ["Account": 10, "Contact": 35, "Opportunity": 15, "Activity": 35, "ServiceRequest": 5]
            for (type, percent) in expected {
                let share = Double(counts[type] ?? 0) / 10
                #expect(abs(share - Double(percent)) <= 1, "\(type): \(share)% instead of about \(percent)%")
            }
            #expect(Set(counts.keys) == Set(expected.keys))
        }
    }

    @Test func mixAddsUpToTheTotalForAnySize() {
        for total in 1...300 {
            let mix = DemoDataGenerator.mix(total)
            #expect(mix.map(\.count).reduce(0, +) == total, "total \(total)")
            #expect(mix.allSatisfy { $0.count >= 0 })
        }
    }

    @Test func everyGeneratedRecordPassesValidation() async throws {
        let admin = try #require(Self.package.resolved(for: "admin"))
        let validator = RecordValidator(base: Self.package, view: admin)
        try await Self.withStore { store in
            try await Self.generate(seed: 2024, total: 1_000, into: store)
            let records = try await Self.allRecords(store)
            #expect(records.count == 1_000)
            var problems: [String] = []
            var notCanonical: [String] = []
            for record in records.values.sorted(by: { $0.id < $1.id }) {
                switch validator.check(typeName: record.type, changes: record.fields, merged: [:]) {
                case .success(let normalized):
                    if normalized != record.fields { notCanonical.append("\(record.type) \(record.id)") }
                case .failure(let failure):
                    for issue in failure.issues {
                        let value = record.fields[issue.field].map(FieldJSON.text) ?? "nil"
                        problems.append(
                            "\(record.type).\(issue.field) = \(value): \(issue.code.rawValue), \(issue.message)")
                    }
                }
            }
            let examples = Set(problems).sorted().prefix(20).joined(separator: "\n")
            #expect(problems.isEmpty, "\(problems.count) issues, e.g.:\n\(examples)")
            #expect(notCanonical.isEmpty, "not in canonical form: \(notCanonical.prefix(5))")
        }
    }

    @Test func everyReferencePointsToAnExistingRecordOfAnAllowedType() async throws {
        try await Self.withStore { store in
            try await Self.generate(seed: 99, total: 1_000, into: store)
            let records = try await Self.allRecords(store)
            var checked = 0
            var dangling: [String] = []
            for record in records.values {
                let type = try #require(Self.package.types[record.type])
                for (field, target) in record.references(in: type) {
                    checked += 1
                    guard let referenced = records[target] else {
                        dangling.append("\(record.type).\(field) -> \(target) (missing)")
                        continue
                    }
                    if type.fields[field]?.allowsTarget(referenced.type) != true {
                        dangling.append("\(record.type).\(field) -> \(referenced.type) (not an allowed target)")
                    }
                }
                // Every `...Id` field that holds a UUID is a reference the store indexes: none may be left out.
                let referencedFields = Set(record.references(in: type).map(\.field))
                for (name, value) in record.fields
                where name.hasSuffix("Id") && RecordID.canonical(value.stringValue ?? "") != nil {
                    #expect(referencedFields.contains(name), "\(record.type).\(name) holds an id but is no reference")
                }
            }
            #expect(checked > 1_000)
            #expect(dangling.isEmpty, "\(dangling.prefix(10))")
        }
    }

    @Test func recordsBelongToDemoUsers() async throws {
        try await Self.withStore { store in
            try await Self.generate(seed: 5, total: 500, into: store)
            let names = Set(DemoDataGenerator.users.map(\.name))
            for record in try await Self.allRecords(store).values {
                #expect(names.contains(record.owner), "owner \(record.owner)")
                #expect(record.team.allSatisfy(names.contains), "team \(record.team)")
                #expect(record.createdAt == Self.today && record.version == 1 && record.updatedBy == record.owner)
            }
        }
    }

    @Test func demoUsersFormTheManagerHierarchy() async throws {
        try await Self.withStore { store in
            let generator = DemoDataGenerator(package: Self.package, seed: 1, today: Self.today)
            let added = try await generator.addUsers(to: store, passwordHash: "$2b$04$demo")
            #expect(Set(added) == Set(DemoDataGenerator.users.map(\.name)))
            #expect(try await store.reports(of: "diana") == ["marco", "sofia", "liam", "emma", "noah", "olivia"])
            #expect(try await store.reports(of: "marco") == ["liam", "emma"])
            #expect(try await store.reports(of: "sofia") == ["noah", "olivia"])
            #expect(try await store.reports(of: "liam") == [])
            #expect(try await store.user(named: "sam")?.role == "service-agent")
            // Adding again adds nobody.
            #expect(try await generator.addUsers(to: store, passwordHash: "$2b$04$demo").isEmpty)
            // Every demo role is a role of the package.
            let roles = Set((Self.package.roles ?? [:]).keys)
            #expect(DemoDataGenerator.users.allSatisfy { roles.contains($0.role) })
        }
    }

    @Test func aFewHundredUsersFormManagersOverTenRepsAndOwnTheRecords() async throws {
        try await Self.withStore { store in
            let generator = DemoDataGenerator(package: Self.package, seed: 1, users: 300, today: Self.today)
            #expect(generator.users.count == 300)
            #expect(Set(generator.users.map(\.name)).count == 300)
            let added = try await generator.addUsers(to: store, passwordHash: "$2b$04$demo")
            #expect(added.count == 300)
            // 290 more: 27 managers under diana, each over ten reps (the last over three).
            let managers = generator.users.filter { $0.name.hasPrefix("mgr") }
            #expect(managers.count == 27 && managers.allSatisfy { $0.manager == "diana" && $0.role == "sales-manager" })
            #expect(Set(try await store.reports(of: "mgr1")) == Set((1...10).map { "rep\($0)" }))
            #expect(try await store.reports(of: "mgr27").count == 3)
            let reps = try await store.reports(of: "diana")
            #expect(reps.count == 6 + 290)
            try await generator.addRecords(total: 3_000, to: store)
            let owners = Set(try await Self.allRecords(store).values.map(\.owner))
            // Records spread over the generated users, not only over the named ones.
            #expect(owners.count > 100)
            #expect(owners.isSubset(of: Set(generator.users.map(\.name))))
        }
    }

    @Test func demoDataLoadsAlongsideThePublishedDefaultPackage() async throws {
        try await Self.withStore { store in
            try await PackageService(store: store).publish(yaml: DefaultPackage.yaml(), file: "default.yaml")
            let base = try await PackageService(store: store).base()
            let generator = DemoDataGenerator(package: base, seed: 3, today: Self.today)
            try await generator.addRecords(total: 100, to: store)
            #expect(try await store.countByType().values.reduce(0, +) == 100)
        }
    }
}
