import Foundation

/// A published customization package: immutable, with its YAML source and the roles it serves.
public struct PublishedPackage: Sendable, Equatable {
    public var name: String
    public var version: Int
    /// The source as the administrator wrote it.
    public var source: String
    /// The checked package as JSON (the wire form), so servers need not parse YAML per request.
    public var json: Data
    public var roles: [String]
    public var publishedAt: Date

    public init(name: String, version: Int, source: String, json: Data, roles: [String], publishedAt: Date) {
        self.name = name
        self.version = version
        self.source = source
        self.json = json
        self.roles = roles
        self.publishedAt = publishedAt
    }
}

/// Published packages and which version each role uses.
public protocol PackageStore: Sendable {
    /// Publishes a package for its roles; the same version published twice with other content is refused.
    func publish(_ package: PublishedPackage) async throws
    /// Every published version, newest first.
    func publishedPackages() async throws -> [PublishedPackage]
    /// The newest published version: the base package the server stores and validates against.
    func latestPackage() async throws -> PublishedPackage?
    /// The newest published version number (cheap: servers ask on every request).
    func latestPackageVersion() async throws -> Int?
    /// The version `role` uses.
    func packageVersion(forRole role: String) async throws -> Int?
    func package(version: Int) async throws -> PublishedPackage?
}

/// Everything the server keeps, behind one value: SQLite and PostgreSQL each implement all of it.
public protocol ServerStore:
    RecordStore, UserStore, SessionStore, LoginThrottleStore, PackageStore, DeviceStore, SyncStore, AttachmentStore,
    AdminSettingStore
{
    /// What authenticating a request with the session `tokenHash` reads (`RequestFacts`), read together where
    /// the store can.
    func requestFacts(tokenHash: String) async throws -> RequestFacts
}
