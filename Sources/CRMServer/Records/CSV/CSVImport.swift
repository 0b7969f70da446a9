import CRMModel
import CRMStore
import Foundation

/// Loads records of one type from a CSV file for a user, through the same rules as the REST API's creates and
/// updates: the user's role decides which fields exist and may be written, every row is validated against the
/// package, references must name live records the user sees, and the package's global keys and duplicate
/// rules apply (with the caller's choice of what to do with a match). Good rows load while bad ones are
/// reported by line, field and reason. The file is read one row at a time and written in transactions of
/// `batchSize` rows, so a large file never sits in memory as records.
public struct CSVImport: Sendable {
    /// How to read the file and what to do with matches.
    public struct Options: Sendable {
        /// Column name (as the header has it, any case) -> field name; an empty field skips the column.
        public var map: [String: String]
        public var duplicates: CSVDuplicateChoice
        /// Check every row and report, but write nothing.
        public var dryRun: Bool
        /// Rows per write transaction.
        public var batchSize: Int

        public init(
            map: [String: String] = [:], duplicates: CSVDuplicateChoice = .skip, dryRun: Bool = false,
            batchSize: Int = 250
        ) {
            self.map = map
            self.duplicates = duplicates
            self.dryRun = dryRun
            self.batchSize = max(1, batchSize)
        }
    }

    let store: any ServerStore
    /// Wakes sync long-polls after each batch commits.
    let signal: ChangeSignal?

    public init(store: any ServerStore, signal: ChangeSignal? = nil) {
        self.store = store
        self.signal = signal
    }

    /// Imports the CSV text of `stream` as records of `typeName` for `caller`.
    ///
    /// - Throws: `CSVImportError` for a file that cannot be imported at all (not UTF-8, a header naming no
    ///   field); `CRMError` for a type the caller's role does not have.
    public func run(
        _ caller: Caller, typeName: String, stream: InputStream, options: Options = Options(),
        now: Date = Timestamp.now()
    ) async throws -> CSVImportReport {
        guard let type = caller.package.types[typeName], let baseType = caller.base.types[typeName] else {
            throw CRMError(.notFound, "there is no record type '\(typeName)'", field: "type")
        }
        let reader = try CSVRowReader(stream: stream)
        let columns = try CSVColumns.resolve(header: reader.header, typeName: typeName, type: type, map: options.map)
        let users = Dictionary(try await store.users().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let writer = CSVRowWriter(
            caller: caller, typeName: typeName, type: type, baseType: baseType, users: users,
            duplicates: options.duplicates, now: now)
        var report = CSVImportReport(dryRun: options.dryRun)
        var batch: [CSVRow] = []
        while let next = try reader.next() {
            report.rows += 1
            switch CSVRow.read(line: next.line, cells: next.cells, columns: columns, type: type) {
            case .success(let row): batch.append(row)
            case .failure(let rejection): report.add(.rejected(rejection.issues), line: next.line)
            }
            if batch.count >= options.batchSize {
                try await write(batch, writer, dryRun: options.dryRun, into: &report)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await write(batch, writer, dryRun: options.dryRun, into: &report) }
        // Rows refused while reading are counted before the rows of their batch: put the lists in file order.
        report.rejected.sort { $0.line < $1.line }
        report.matched.sort { $0.line < $1.line }
        return report
    }

    /// Applies one batch in one transaction (rolled back for a dry run), each row in a savepoint of its own.
    private func write(_ rows: [CSVRow], _ writer: CSVRowWriter, dryRun: Bool, into report: inout CSVImportReport)
        async throws
    {
        let result: CSVRowWriter.BatchResult
        do {
            result = try await store.push { tx in
                let result = try writer.apply(rows, tx)
                if dryRun { throw DryRunRollback(result: result) }
                return result
            }
        } catch let rollback as DryRunRollback {
            result = rollback.result
        }
        for (row, outcome) in zip(rows, result.outcomes) { report.add(outcome, line: row.line) }
        if !dryRun, let signal, !result.people.isEmpty {
            await ChangeAnnouncer(store: store, signal: signal).announce(result.people)
        }
    }

    /// Thrown at the end of a dry run's batch so the store rolls the transaction back, carrying what it did.
    private struct DryRunRollback: Error {
        var result: CSVRowWriter.BatchResult
    }
}

extension CSVImportReport {
    /// Counts `outcome` of the row on `line`.
    mutating func add(_ outcome: CSVRowWriter.Outcome, line: Int) {
        func note(_ match: KeyedCreate.Match?, _ what: String) {
            guard let match else { return }
            matched.append(CSVMatchedRow(line: line, existing: match.existing, fields: match.fields, outcome: what))
        }
        switch outcome {
        case .created: created += 1
        case .updated(let match):
            updated += 1
            note(match, "updated")
        case .unchanged(let match):
            unchanged += 1
            note(match, "unchanged")
        case .skipped(let match):
            skipped += 1
            note(match, "skipped")
        case .linked(let match):
            linked += 1
            note(match, "linked")
        case .rejected(let issues):
            rejectedRows += 1
            rejected += issues.map { CSVRejectedRow(line: line, field: $0.field, reason: $0.reason) }
        }
    }
}

extension CSVImport {
    /// A `COLUMN=FIELD` mapping as the command and the API take it (split at the last `=`, so a column name
    /// may hold one); nil without an `=` or a column.
    public static func mapping(_ text: String) -> (column: String, field: String)? {
        guard let equals = text.lastIndex(of: "=") else { return nil }
        let column = text[..<equals].trimmingCharacters(in: .whitespaces)
        let field = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        return column.isEmpty ? nil : (column, field)
    }
}
