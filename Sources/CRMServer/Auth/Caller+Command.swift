import CRMModel
import CRMStore

extension Caller {
    /// The caller an administrator's command acts as, without a session: the enabled user `name`, or, when no
    /// name is given, the first enabled user (by name) whose role is an administrator's. Their role decides the
    /// package view and visibility exactly as for a request.
    public static func command(user name: String?, store: any ServerStore) async throws -> Caller {
        let packages = PackageService(store: store)
        let user: User
        if let name {
            guard let found = try await store.user(named: name) else {
                throw CRMError(.notFound, "there is no user '\(name)'", field: "user")
            }
            guard found.enabled else { throw CRMError(.forbidden, "the user '\(name)' is disabled", field: "user") }
            user = found
        } else {
            var admin: User?
            for candidate in try await store.users().sorted(by: { $0.name < $1.name }) where candidate.enabled {
                if (try? await packages.view(forRole: candidate.role))?.role?.admin == true {
                    admin = candidate
                    break
                }
            }
            guard let admin else {
                throw CRMError(
                    .notFound, "there is no enabled administrator to act as; name a user with --user", field: "user")
            }
            user = admin
        }
        let package = try await packages.view(forRole: user.role)
        let scope: VisibilityScope
        switch package.role?.visibility ?? .personal {
        case .all: scope = .all
        case .team: scope = .users(try await store.reports(of: user.name).union([user.name]))
        case .personal: scope = .users([user.name])
        }
        return Caller(user: user, base: try await packages.base(), package: package, scope: scope, tokenHash: "")
    }
}
