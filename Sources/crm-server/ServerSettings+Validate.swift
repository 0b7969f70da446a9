import ArgumentParser
import CRMServer
import Foundation
import Logging

/// The checks every value passes before `serve` starts, and the plain configuration values built from them.
extension ServerSettings {
    /// Checks types, then ranges and pairs; the first fault is thrown, naming its key and source.
    func validate() throws {
        for value in values {
            guard let text = value.text else { continue }
            switch value.setting.kind {
            case .int where Int(text) == nil: throw error(value.setting.key, "'\(text)' is not a whole number")
            case .double where Double(text) == nil || !(Double(text)?.isFinite ?? false):
                throw error(value.setting.key, "'\(text)' is not a number")
            default: break
            }
        }
        try check("server.port", (1...65535).contains(int("server.port")), "is between 1 and 65535")
        try check("server.host", !(self["server.host"] ?? "").isEmpty, "names an address to listen on")
        try check("server.max-body-bytes", int("server.max-body-bytes") >= 1, "is at least 1")
        try check("auth.bcrypt-cost", (4...31).contains(int("auth.bcrypt-cost")), "is between 4 and 31")
        try check("auth.session-hours", double("auth.session-hours") > 0, "is above 0")
        try check("log.level", Logger.Level(rawValue: self["log.level"] ?? "") != nil,
            "is one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        try check("log.format", LogFormat(rawValue: self["log.format"] ?? "") != nil, "is text or json")
        try check("server.web", ["true", "false"].contains(self["server.web"] ?? ""), "is true or false")
        do {
            _ = try metricsNetworks()
        } catch {
            throw self.error("metrics.allow", "\(error)")
        }
        try check("sync.retention-days", double("sync.retention-days") >= 1, "is at least 1")
        try check("sync.max-page", int("sync.max-page") >= 1, "is at least 1")
        try check("sync.max-page-bytes", int("sync.max-page-bytes") >= 1, "is at least 1")
        try check("sync.max-push-ops", int("sync.max-push-ops") >= 1, "is at least 1")
        try check("sync.wait-recheck", double("sync.wait-recheck") > 0, "is above 0")
        try check("database.pool", int("database.pool") >= 1, "is at least 1")
        try check("load.max-sync-requests", int("load.max-sync-requests") >= 0, "is 0 (no bound) or more")
        try check("load.max-requests", int("load.max-requests") >= 0, "is 0 (no bound) or more")
        try check("load.retry-after", int("load.retry-after") >= 1, "is at least 1 second")
        try check("load.user-requests-per-second", double("load.user-requests-per-second") >= 0, "is 0 (no limit) or more")
        try check("load.user-burst", int("load.user-burst") >= 1, "is at least 1")
        if (self["server.tls-cert"] == nil) != (self["server.tls-key"] == nil) {
            let given = self["server.tls-cert"] == nil ? "server.tls-key" : "server.tls-cert"
            throw error(given, "server.tls-cert and server.tls-key go together: give both for HTTPS, or neither")
        }
        if case .file = value("database.password").source {
            throw error(
                "database.password",
                "a password does not go in a configuration file: set CRM_DATABASE_PASSWORD, or database.password-file")
        }
        let url = self["database.url"] ?? ""
        guard url.hasPrefix("sqlite:") || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw error("database.url", "must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE (got '\(url)')")
        }
        do {
            _ = try storeOptions().location()
        } catch {
            let raw = StoreOptions.message(for: error)
            let key = raw.hasPrefix("--database-password-file") ? "database.password-file" : "database.url"
            let message = raw.replacingOccurrences(of: "--database: ", with: "")
                .replacingOccurrences(of: "--database-password-file ", with: "")
            throw self.error(key, message)
        }
    }

    private func check(_ key: String, _ holds: Bool, _ rule: String) throws {
        guard !holds else { return }
        throw error(key, "'\(self[key] ?? "")' is not allowed: it \(rule)")
    }

    /// `--database` and its password settings, as every other command takes them.
    func storeOptions() throws -> StoreOptions {
        var arguments = ["--database", self["database.url"] ?? "", "--database-pool", String(int("database.pool"))]
        if let file = self["database.password-file"] { arguments += ["--database-password-file", file] }
        return try StoreOptions.parse(arguments)
    }

    var logLevel: Logger.Level { Logger.Level(rawValue: self["log.level"] ?? "") ?? .info }

    var logFormat: LogFormat { LogFormat(rawValue: self["log.format"] ?? "") ?? .text }

    /// Whether `serve` adds the web UI's pages (`server.web`).
    var servesWeb: Bool { self["server.web"] != "false" }

    /// The networks `metrics.allow` names (comma-separated).
    func metricsNetworks() throws -> [NetworkRange] {
        try (self["metrics.allow"] ?? "").split(separator: ",").map {
            try NetworkRange(String($0).trimmingCharacters(in: .whitespaces))
        }
    }

    /// The server's plain configuration value.
    func serverConfiguration() throws -> ServerConfiguration {
        var configuration = ServerConfiguration(
            host: self["server.host"] ?? "127.0.0.1", port: int("server.port"),
            sessionLifetime: double("auth.session-hours") * 3600, bcryptCost: UInt8(int("auth.bcrypt-cost")),
            maxBodyBytes: int("server.max-body-bytes"))
        configuration.sync.retention = double("sync.retention-days") * 86_400
        configuration.sync.maxPageSize = int("sync.max-page")
        configuration.sync.maxPageBytes = int("sync.max-page-bytes")
        configuration.sync.defaultPageSize = min(configuration.sync.defaultPageSize, int("sync.max-page"))
        configuration.sync.maxOpsPerPush = int("sync.max-push-ops")
        configuration.sync.waitRecheck = double("sync.wait-recheck")
        configuration.load = LoadLimits(
            maxSyncRequests: int("load.max-sync-requests"), maxRequests: int("load.max-requests"),
            retryAfter: int("load.retry-after"), userRequestsPerSecond: double("load.user-requests-per-second"),
            userBurst: int("load.user-burst"))
        configuration.metricsNetworks = try metricsNetworks()
        if let cert = self["server.tls-cert"], let key = self["server.tls-key"] {
            configuration.tls = ServerTLS(certificateFile: cert, keyFile: key)
        }
        return configuration
    }
}
