import ArgumentParser
import CRMServer
import CRMStore
import Foundation

/// `crm-server demo-data`: fills the store with deterministic demo users and records.
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data", abstract: "Add demo users and deterministic, realistic demo records.")

    @OptionGroup var store: StoreOptions
    @Option(help: "How many records.") var records = 1000
    @Option(help: "The seed: the same seed gives the same data.") var seed: UInt64 = 1
    @Option(help: "How many demo users: the ten named ones, then sales managers (mgrN) over ten reps (repN) each.")
    var users = DemoDataGenerator.users.count
    @Flag(help: "Read the demo users' password from standard input (else one is generated and printed).")
    var passwordStdin = false
    @Option(help: "The bcrypt cost of the demo users' password.") var bcryptCost: UInt8 = 12

    func validate() throws {
        guard records >= 0 else { throw ValidationError("--records is 0 or more") }
        guard users >= DemoDataGenerator.users.count else {
            throw ValidationError("--users is at least \(DemoDataGenerator.users.count) (the named demo users)")
        }
    }

    func run() async throws {
        let database = try await store.open(cacheKiB: 256 * 1024)
        _ = try await store.ensurePackage(database)
        let package = try await PackageService(store: database).base()
        let generator = DemoDataGenerator(package: package, seed: seed, users: users)
        var password = passwordStdin ? try PasswordInput.read(fromStdin: true) : nil
        let generated = password == nil
        if password == nil { password = Self.makePassword() }
        let hash = try await PasswordHasher(cost: bcryptCost).hash(password!)
        let added = try await generator.addUsers(to: database, passwordHash: hash)
        for user in DemoDataGenerator.users {
            let state = added.contains(user.name) ? "added" : "exists, unchanged"
            print("user \(user.name.padding(8)) \(user.role.padding(14)) reports to \((user.manager ?? "-").padding(7)) \(state)")
        }
        let more = generator.users.dropFirst(DemoDataGenerator.users.count)
        if !more.isEmpty {
            let new = more.filter { added.contains($0.name) }.count
            print("and \(more.count) more users (sales managers mgrN over reps repN), \(new) of them added")
        }
        if generated && !added.isEmpty { print("password of the added demo users: \(password!)") }
        let started = Date()
        try await generator.addRecords(total: records, to: database) { written in
            if records >= 200_000 && written % 200_000 < 50_000 { print("  \(written) records") }
        }
        // The text index learns the new records now, not in the first search a user makes.
        _ = try await database.refreshSearchIndex()
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "added %d records (seed %llu) in %.1f s", records, seed, seconds))
    }

    static func makePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<16).map { _ in alphabet.randomElement()! })
    }
}
