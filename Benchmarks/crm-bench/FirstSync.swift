import CRMDesktop
import Foundation
import GRDB

/// First sync: `crm-desktop setup` (login, device, first sync) against a server holding `records` records,
/// end to end over loopback HTTP, with the desktop's peak memory; beside it, in the same run, the limit: the same
/// rows inserted into a fresh replica's own tables and indexes by one prepared statement in one transaction.
enum FirstSync {
    struct Outcome {
        var seconds: Double
        var limit: Double
        var peakMiB: Double
    }

    static func run(records: Int, report: Report) throws -> Outcome {
        let stage = try Stage(records: records)
        report.add(
            Figure(
                "generate", "demo data, \(records.grouped) records into SQLite", Double(records) / stage.generated,
                "records/s", better: .higher, target: records >= 1_000_000 ? 1_000_000 / 60 : nil,
                command: "crm-bench generate --records \(records)"))
        try stage.start()
        defer { stage.stop() }
        let home = stage.folder.path("desktop")
        let clock = ContinuousClock()
        let started = clock.now
        let run = try stage.setUpDesktop(home: home)
        let seconds = (clock.now - started).seconds
        let replica = DesktopHome(path: home).replicaPath
        let held = try Self.count(replica)
        guard held == records else {
            throw BenchError("the replica holds \(held) records after the first sync, not \(records)")
        }
        let limit = try Self.rawInsert(from: replica, into: stage.folder.path("limit.sqlite"))
        let peak = Double(run.peakMemoryKiB ?? 0) / 1024
        let command = "crm-bench first-sync --records \(records)"
        report.add(
            Figure(
                "first sync", "\(records.grouped) records, server to a fresh replica", seconds, "s",
                target: Self.target(records), reference: ("raw insert limit", limit),
                ratioTarget: records >= 100_000 ? 5 : nil, command: command))
        report.add(
            Figure(
                "first sync", "\(records.grouped) records, throughput", Double(records) / seconds, "records/s",
                better: .higher, target: Self.target(records).map { Double(records) / $0 }, command: command))
        report.add(
            Figure(
                "first sync", "\(records.grouped) records, desktop peak RSS", peak, "MiB",
                target: records >= 1_000_000 ? 300 : nil, command: command))
        return Outcome(seconds: seconds, limit: limit, peakMiB: peak)
    }

    /// 2 s for 100k, 30 s for 1M; in between and beyond, the same records per second. Smaller runs keep the
    /// scenario working and have no target: starting the programs outweighs the sync.
    static func target(_ records: Int) -> Double? {
        if records < 100_000 { return nil }
        return records >= 1_000_000 ? 30 * Double(records) / 1_000_000 : 2 * Double(records) / 100_000
    }

    static func count(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM records") ?? 0 }
    }

    /// Seconds to insert the replica's rows into a new replica (same schema, same indexes, same WAL mode) by one
    /// prepared statement in one transaction: what no sync can beat.
    static func rawInsert(from source: String, into target: String) throws -> Double {
        let rows = try DatabaseQueue(path: source).read { db in
            try Row.fetchAll(db, sql: "SELECT id, type, version, incomplete, provisional, json FROM records")
                .map { row -> (String, String, Int64, Int64, Int64, String) in
                    (row[0], row[1], row[2], row[3], row[4], row[5])
                }
        }
        _ = try Replica(path: target)
        let pool = try DatabasePool(path: target)
        let clock = ContinuousClock()
        let started = clock.now
        try pool.write { db in
            let statement = try db.makeStatement(
                sql: "INSERT INTO records(id, type, version, incomplete, provisional, json) VALUES (?, ?, ?, ?, ?, ?)")
            for row in rows {
                try statement.execute(arguments: [row.0, row.1, row.2, row.3, row.4, row.5])
            }
        }
        return (clock.now - started).seconds
    }
}

extension Int {
    /// 100000 as "100,000".
    var grouped: String {
        let digits = Array(String(self))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }
}
