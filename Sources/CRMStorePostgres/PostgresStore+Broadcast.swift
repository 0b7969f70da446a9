import CRMStore
import Foundation
import Logging
import NIOSSL
import PostgresNIO

extension PostgresStore: ChangeBroadcast {
    /// The channel server processes tell each other about changes on.
    static let changeChannel = "crm_changes"
    /// The listening connection's `application_name`, so an administrator can tell it in `pg_stat_activity`.
    public static let listenerApplicationName = "crm-server listener"

    /// Sends the users whose records changed (nil: everyone) as a JSON list; every process that listens,
    /// this one included, hears it once the statement commits. A list too long for one notification (8,000
    /// bytes) goes as "everyone".
    public func broadcast(users: Set<String>?) async throws {
        try await execute(Self.notification(users: users))
    }

    /// The statement that broadcasts a change to `users`' records (nil: everyone). Run inside a write
    /// transaction, it goes out exactly when that commits.
    static func notification(users: Set<String>?) -> PostgresQuery {
        var payload = "*"
        if let users, let data = try? JSONEncoder().encode(users.sorted()), data.count < 7_900 {
            payload = String(decoding: data, as: UTF8.self)
        }
        return "SELECT pg_notify(\(changeChannel), \(payload))"
    }

    /// Listens on a connection of its own (a pooled one would be handed to requests). When it is lost, it
    /// reconnects with a growing pause and then yields nil: notifications sent meanwhile are lost, so every
    /// waiter looks again.
    public func broadcasts() -> AsyncStream<Set<String>?> {
        let configuration = self.configuration
        let logger = self.logger
        return AsyncStream { continuation in
            let task = Task {
                var pause: Duration = .milliseconds(100)
                var first = true
                while !Task.isCancelled {
                    do {
                        let connection = try await PostgresConnection.connect(
                            configuration: Self.listenerConfiguration(configuration), id: 0, logger: logger)
                        defer { Task { try? await connection.close() } }
                        let notifications = try await connection.listen(Self.changeChannel)
                        if !first { continuation.yield(nil) }
                        first = false
                        pause = .milliseconds(100)
                        for try await notification in notifications {
                            continuation.yield(Self.users(in: notification.payload))
                        }
                    } catch is CancellationError {
                        break
                    } catch {
                        logger.warning("listening for changes failed, retrying in \(pause): \(error)")
                    }
                    first = false
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(5))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func users(in payload: String) -> Set<String>? {
        guard payload != "*", let names = try? JSONDecoder().decode([String].self, from: Data(payload.utf8)) else {
            return nil
        }
        return Set(names)
    }

    static func listenerConfiguration(_ configuration: PostgresConfiguration) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch configuration.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration(configuration)))
            case .require, .verifyCA, .verifyFull:
                .require(try NIOSSLContext(configuration: tlsConfiguration(configuration)))
            }
        var listener = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: tls)
        listener.options.additionalStartupParameters = [("application_name", listenerApplicationName)]
        return listener
    }
}
