import CRMModel
import Foundation
import NIOCore
import PostgresNIO

/// A time as the stores keep it: whole milliseconds (`Timestamp.milliseconds`), bound and read as `timestamptz`.
///
/// postgres-nio's own `Date` coding truncates binary fractions (a millisecond can come back one microsecond
/// short) and reads back a `Date` computed from 2000-01-01; this one writes the exact microsecond of the
/// millisecond and reads back the `Date` the SQLite store gives for it, so round trips are exact.
struct StoreTime: PostgresNonThrowingEncodable, PostgresDecodable, Sendable, Comparable {
    var milliseconds: Int64

    init(_ date: Date) {
        milliseconds = Timestamp.milliseconds(date)
    }

    init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    static func < (lhs: StoreTime, rhs: StoreTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

    var date: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// PostgreSQL's epoch, 2000-01-01, in milliseconds since 1970.
    private static let postgresEpoch: Int64 = 946_684_800_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger((milliseconds - Self.postgresEpoch) * 1000)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, buffer.readableBytes == 8,
            let microseconds = buffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        // Rounded down, also before 2000: a time written by SQL (`now()`) keeps its millisecond.
        let floor = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
        milliseconds = floor + Self.postgresEpoch
    }
}
