import CRMModel
import CRMServer
import CRMStore
import Foundation
import Hummingbird

/// `/admin/users`: every user, a form to add one, and per user a form to change role and manager, disable or
/// enable, and reset the password; all through UserAdministration, the same checks as `crm-server user`.
struct AdminUserPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices

    func add(to admin: RouterGroup<CRMRequestContext>) {
        admin.get("/users") { request, context in
            try await list(request, context, issues: [:], typed: [:], status: .ok)
        }
        admin.post("/users") { request, context in
            let form = try await FormBody.read(request)
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let manager = form["manager"].flatMap { $0.isEmpty ? nil : $0 }
            do {
                _ = try await services.users.add(
                    name: name, password: form["password"] ?? "", role: form["role"] ?? "", manager: manager,
                    emails: Self.emails(form["emails"]))
                return PageRenderer.redirect("/admin/users")
            } catch let error as CRMError {
                let typed = [
                    "name": name, "role": form["role"] ?? "", "manager": manager ?? "", "emails": form["emails"] ?? "",
                ]
                return try await list(
                    request, context, issues: [error.field ?? "name": error.message], typed: typed,
                    status: CRMError.status(error.kind))
            }
        }
        admin.get("/users/:name") { request, context in
            try await edit(request, context, issues: [:], status: .ok)
        }
        admin.post("/users/:name") { request, context in
            let name = try context.parameters.require("name")
            let form = try await FormBody.read(request)
            let password = form["password"].flatMap { $0.isEmpty ? nil : $0 }
            let change = UserAdministration.Change(
                role: form["role"], manager: .some(form["manager"].flatMap { $0.isEmpty ? nil : $0 }),
                emails: Self.emails(form["emails"]), enabled: form["enabled"] == "true", password: password)
            do {
                _ = try await services.users.change(name, change)
                return PageRenderer.redirect("/admin/users/\(name)?saved=1")
            } catch let error as CRMError {
                if case .notFound = error.kind { throw error }
                return try await edit(
                    request, context, issues: [error.field ?? "role": error.message],
                    status: CRMError.status(error.kind))
            }
        }
    }

    private func list(
        _ request: Request, _ context: CRMRequestContext, issues: [String: String], typed: [String: String],
        status: HTTPResponse.Status
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let users = try await services.store.users().sorted { $0.name < $1.name }
        let roles = try await Self.roles(services)
        let rows = users.map { user -> [String: Any] in
            [
                "name": user.name, "role": user.role, "manager": user.manager ?? "", "enabled": user.enabled,
                "emails": user.emails.joined(separator: ", "),
            ]
        }
        var values: [String: Any] = [
            "users": rows, "typed": typed,
            "roles": roles.map { ["name": $0, "selected": $0 == typed["role"]] as [String: Any] },
            "managers": users.map { ["name": $0.name, "selected": $0.name == typed["manager"]] as [String: Any] },
        ]
        for (field, message) in issues { values["error_" + field] = message }
        values["hasErrors"] = !issues.isEmpty
        return pages.page("admin-users", PageContext.make(caller, request, title: "Users", values), status: status)
    }

    private func edit(
        _ request: Request, _ context: CRMRequestContext, issues: [String: String], status: HTTPResponse.Status
    )
        async throws -> Response
    {
        let caller = try context.requireCaller()
        let name = try context.parameters.require("name")
        guard let user = try await services.store.user(named: name) else { throw CRMError.notFound("user '\(name)'") }
        let users = try await services.store.users().map(\.name).filter { $0 != name }.sorted()
        let roles = try await Self.roles(services)
        var values: [String: Any] = [
            "name": user.name, "enabled": user.enabled, "emails": user.emails.joined(separator: ", "),
            "roles": roles.map { ["name": $0, "selected": $0 == user.role] as [String: Any] },
            "managers": users.map { ["name": $0, "selected": $0 == user.manager] as [String: Any] },
            "saved": request.uri.queryParameters["saved"] != nil && issues.isEmpty,
        ]
        for (field, message) in issues { values["error_" + field] = message }
        values["hasErrors"] = !issues.isEmpty
        return pages.page(
            "admin-user", PageContext.make(caller, request, title: "User \(name)", values), status: status)
    }

    /// The roles of the newest package, for the role selects.
    static func roles(_ services: CRMServices) async throws -> [String] {
        (try await services.packages.base().roles ?? [:]).keys.sorted()
    }

    static func emails(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
    }
}
