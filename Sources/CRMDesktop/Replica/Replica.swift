import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB
import Synchronization

/// The desktop's offline replica: one SQLite file holding the server copies, the outbox, the exclusions, the
/// sync log, the cursor and the installed package.
///
/// Every change is one transaction, so a kill at any moment leaves either the state before or the state after.
/// The file is opened in WAL mode with a busy timeout: a sync, `--watch` and interactive commands of other
/// processes share it, and a short wait beats an error.
public final class Replica: Sendable {
    public let path: String
    let pool: DatabasePool
    /// The installed package as last decoded, with the stored text it came from: a sync reads the package
    /// several times (intervals, the filter's attachment mode), and decoding it is the costly part.
    private let decodedPackage = Mutex<(text: String, package: CustomizationPackage)?>(nil)
    /// How much of the file readers map (SQLite maps up to this size, the rest is read as before). Mapped pages
    /// count in the desktop's memory once touched: mapping 1 GiB, the record counts `setup` prints after a 1M
    /// first sync touched the whole file and the desktop peaked at 770 MiB; 64 MiB covers a PIM sync's replica
    /// of tens of thousands of records and bounds what a scan adds.
    static let mappedBytes = 64 << 20

    /// Opens (creating when absent) the replica at `path`.
    ///
    /// A file that is not a replica, or a damaged one, is refused with `.damagedReplica` and left as it is: it
    /// may still hold unsent edits, and only the user decides to rebuild (`crm-desktop rebuild`).
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.label = "replica"
        // Readers map the file instead of copying each page with a read call: a PIM sync reads every record's
        // page, and the copies were most of a no-op PIM sync's system time. The writer does not: every page a
        // first sync inserts into would stay mapped, and mapped pages count in the desktop's memory.
        configuration.prepareDatabase { db in
            if db.configuration.readonly { try db.execute(sql: "PRAGMA mmap_size = \(Self.mappedBytes)") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try ReplicaSchema.migrator().migrate(pool)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Runs `body` in one write transaction, with SQLite's failures in the user's words.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Runs `body` on a consistent snapshot.
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// SQLite's full disk and damaged file as errors that say what to do; others pass unchanged.
    static func translate(_ error: any Error, path: String) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_FULL:
            return DesktopError(
                .diskFull,
                "the disk holding \(path) is full; nothing was changed and nothing is lost. Free some space and run "
                    + "the command again")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return DesktopError(
                .damagedReplica,
                "the replica \(path) is damaged (\(error.message ?? "SQLite \(error.resultCode)")). It was left as it "
                    + "is. `crm-desktop rebuild` moves it aside and rebuilds the replica from the server; edits that "
                    + "were not sent yet stay in the moved file")
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return DesktopError(.invalidInput, "cannot open the replica \(path): \(error.message ?? "\(error.resultCode)")")
        default:
            return error
        }
    }

    // MARK: - Meta

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String?) throws {
        if let value {
            try db.execute(
                sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
        } else {
            try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [key])
        }
    }

    /// The cursor of the last page applied (nil: nothing pulled yet, or a rebuild started).
    public func cursor() throws -> String? {
        try read { try Self.meta($0, "cursor") }
    }

    /// The installed package and its version (nil before the first sync).
    public func package() throws -> CustomizationPackage? {
        guard let text = try read({ db in try Self.meta(db, "package") }) else { return nil }
        if let cached = decodedPackage.withLock({ $0 }), cached.text == text { return cached.package }
        let package = try Self.decodePackage(text)
        decodedPackage.withLock { $0 = (text, package) }
        return package
    }

    static func decodePackage(_ text: String) throws -> CustomizationPackage {
        try CRMJSON.decoder().decode(CustomizationPackage.self, from: Data(text.utf8))
    }

    /// The installed package, or an error saying to sync first.
    public func requirePackage() throws -> CustomizationPackage {
        guard let package = try package() else {
            throw DesktopError(.notSetUp, "no customization package is installed yet; run `crm-desktop sync` first")
        }
        return package
    }

    /// The filter the replica holds and its parameters, and whether a change waits to be sent at the next begin.
    public func filter() throws -> FilterChoice {
        try read { db in
            let parameters = try Self.meta(db, "filter.parameters").flatMap {
                try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
            }
            return FilterChoice(
                name: try Self.meta(db, "filter.name"), parameters: parameters ?? [:],
                pending: try Self.meta(db, "filter.pending") == "1")
        }
    }

    /// Chooses a filter for the next sync; the server then sends the difference.
    public func chooseFilter(_ name: String, parameters: [String: String]) throws {
        let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        try write { db in
            try Self.setMeta(db, "filter.name", name)
            try Self.setMeta(db, "filter.parameters", json)
            try Self.setMeta(db, "filter.pending", "1")
        }
    }

    /// Records the filter the server put in force at a begin.
    func confirmFilter(_ db: Database, name: String, parameters: [String: String]) throws {
        try Self.setMeta(db, "filter.name", name)
        try Self.setMeta(db, "filter.parameters", String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self))
        try Self.setMeta(db, "filter.pending", nil)
    }

    func confirmFilter(name: String, parameters: [String: String]) throws {
        try write { db in try self.confirmFilter(db, name: name, parameters: parameters) }
    }
}

/// The sync filter a replica holds.
public struct FilterChoice: Sendable, Equatable {
    /// nil: the role's default, until the first begin names it.
    public var name: String?
    public var parameters: [String: String]
    /// Chosen on this desktop and not yet sent to the server.
    public var pending: Bool

    public init(name: String?, parameters: [String: String], pending: Bool) {
        self.name = name
        self.parameters = parameters
        self.pending = pending
    }
}
