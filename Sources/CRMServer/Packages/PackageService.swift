import CRMModel
import CRMStore
import Foundation

/// Serves the published customization packages. Published versions never change, so decoded packages are
/// cached by version; which version is current is read from the store on each call, so a package published
/// by an admin command while the server runs is picked up at once.
public actor PackageService {
    let store: any ServerStore
    private var decoded: [Int: CustomizationPackage] = [:]
    private var views: [String: CustomizationPackage] = [:]

    public init(store: any ServerStore) {
        self.store = store
    }

    /// The base package: the newest published version.
    public func base() async throws -> CustomizationPackage {
        try await base(version: try await store.latestPackageVersion())
    }

    /// The base package of `version`, the newest published one as the caller read it (nil: none is published).
    public func base(version: Int?) async throws -> CustomizationPackage {
        guard let version else {
            throw CRMError(.unavailable, "no customization package is published; run `crm-server package publish`")
        }
        if let cached = decoded[version] { return cached }
        guard let latest = try await store.package(version: version) else {
            throw CRMError(.unavailable, "package version \(version) is missing")
        }
        return try decode(latest)
    }

    /// The package of `role`, resolved from the version published for it.
    public func view(forRole role: String) async throws -> CustomizationPackage {
        try await view(forRole: role, current: try await store.packageVersion(forRole: role))
    }

    /// The package of `role` from `version`, the one published for it as the caller read it (nil: none is).
    public func view(forRole role: String, current version: Int?) async throws -> CustomizationPackage {
        guard let version else {
            throw CRMError(.forbidden, "no customization package is published for the role '\(role)'")
        }
        let key = "\(version)/\(role)"
        if let cached = views[key] { return cached }
        guard let published = try await store.package(version: version) else {
            throw CRMError(.unavailable, "package version \(version) is missing")
        }
        guard let view = try decode(published).resolved(for: role) else {
            throw CRMError(.forbidden, "package version \(version) does not define the role '\(role)'")
        }
        views[key] = view
        return view
    }

    /// The view `role` had in an older published `version` (nil when that version is gone or lacks the role).
    public func view(forRole role: String, version: Int) async throws -> CustomizationPackage? {
        let key = "\(version)/\(role)"
        if let cached = views[key] { return cached }
        guard let published = try await store.package(version: version),
            let view = try decode(published).resolved(for: role)
        else { return nil }
        views[key] = view
        return view
    }

    /// Checks and publishes a package from YAML source; roles default to every role the package defines.
    @discardableResult
    public func publish(yaml: String, file: String, roles: [String]? = nil, now: Date = Timestamp.now()) async throws
        -> PublishedPackage
    {
        let package = try PackageLoader.load(yaml: yaml, file: file)
        let defined = Set((package.roles ?? [:]).keys)
        let chosen = roles ?? defined.sorted()
        for role in chosen where !defined.contains(role) {
            throw PackageLoadError(file: file, key: "roles", message: "the package defines no role '\(role)'")
        }
        if let latest = try await store.latestPackageVersion(), latest > package.version {
            throw PackageLoadError(
                file: file, key: "version",
                message: "version \(package.version) is older than the published version \(latest)")
        }
        let published = PublishedPackage(
            name: package.name, version: package.version, source: yaml, json: PackageLoader.json(package),
            roles: chosen, publishedAt: now)
        do {
            try await store.publish(published)
        } catch StoreError.alreadyExists {
            throw PackageLoadError(
                file: file, key: "version",
                message: "version \(package.version) is already published with other content; raise the version")
        }
        return published
    }

    private func decode(_ published: PublishedPackage) throws -> CustomizationPackage {
        if let cached = decoded[published.version] { return cached }
        let package = try PackageLoader.load(json: published.json, file: "package v\(published.version)")
        decoded[published.version] = package
        return package
    }
}
