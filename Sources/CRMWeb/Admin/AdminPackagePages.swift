import CRMModel
import CRMServer
import CRMStore
import Foundation
import Hummingbird

/// `/admin/packages`: the published versions and the roles each serves, a form to publish a new version from
/// its YAML, uploaded as a file or pasted (to every role it defines, or to the roles named), and each version's
/// source. A refused package comes back with its error at the line and key PackageLoader names, the YAML kept in
/// the form.
struct AdminPackagePages: Sendable {
    let pages: PageRenderer
    let services: CRMServices

    func add(to admin: RouterGroup<CRMRequestContext>) {
        admin.get("/packages") { request, context in
            try await list(request, context, yaml: "", roles: "", error: nil, status: .ok)
        }
        admin.post("/packages") { request, context in
            let form = try await FormBody.read(request)
            // A chosen file wins over the text area.
            let file = form["file"] ?? ""
            let yaml = (file.isEmpty ? form["yaml"] ?? "" : file).replacingOccurrences(of: "\r\n", with: "\n")
            let roleText = form["roles"] ?? ""
            let roles = roleText.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            do {
                try await services.packages.publish(yaml: yaml, file: "upload.yaml", roles: roles.isEmpty ? nil : roles)
                return PageRenderer.redirect("/admin/packages")
            } catch let error as PackageLoadError {
                return try await list(
                    request, context, yaml: yaml, roles: roleText, error: error, status: .unprocessableContent)
            }
        }
        admin.get("/packages/:version") { request, context in
            let caller = try context.requireCaller()
            let text = try context.parameters.require("version")
            guard let version = Int(text), let package = try await services.store.package(version: version) else {
                throw CRMError.notFound("package version \(text)")
            }
            return pages.page(
                "admin-package",
                PageContext.make(
                    caller, request, title: "Package version \(version)",
                    [
                        "name": package.name, "version": package.version,
                        "roles": package.roles.joined(separator: ", "),
                        "publishedAt": Timestamp.string(from: package.publishedAt), "source": package.source,
                    ]))
        }
    }

    private func list(
        _ request: Request, _ context: CRMRequestContext, yaml: String, roles: String, error: PackageLoadError?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let packages = try await services.store.publishedPackages().sorted { $0.version > $1.version }
        var values: [String: Any] = [
            "packages": packages.map {
                [
                    "name": $0.name, "version": $0.version, "roles": $0.roles.joined(separator: ", "),
                    "publishedAt": Timestamp.string(from: $0.publishedAt),
                ] as [String: Any]
            },
            "yaml": yaml, "rolesText": roles,
        ]
        if let error {
            values["error"] = [
                "line": error.line.map { "line \($0)" + (error.column.map { ", column \($0)" } ?? "") } ?? "",
                "key": error.key, "message": error.message, "description": error.description,
            ]
        }
        return pages.page(
            "admin-packages", PageContext.make(caller, request, title: "Customization packages", values),
            status: status)
    }
}
