import CRMModel
import CRMServer
import Hummingbird

/// What every signed-in page shows around its own content: who is logged in, the navigation to the types of
/// their package, the admin pages for an admin, and the CSRF token of the logout form.
enum PageContext {
    static func make(_ caller: Caller, _ request: Request, title: String) -> [String: Any] {
        let package = caller.package
        let types = package.types.keys.sorted().map { name -> [String: Any] in
            ["name": name, "label": package.types[name]?.plural ?? package.types[name]?.label ?? name]
        }
        return [
            "title": title, "user": caller.user.name, "isAdmin": caller.isAdmin, "navTypes": types,
            "csrf": WebSession.token(request).map(WebSession.csrfToken(for:)) ?? "", "signedIn": true,
        ]
    }

    /// `values` laid over the common context.
    static func make(_ caller: Caller, _ request: Request, title: String, _ values: [String: Any]) -> [String: Any] {
        make(caller, request, title: title).merging(values) { _, new in new }
    }

    /// A record's title from the form's title fields, else its id.
    static func title(of record: Record, in package: CustomizationPackage) -> String {
        let fields = package.forms?[record.type]?.title ?? []
        let parts = fields.compactMap { record.fields[$0].map(FieldText.display) }.filter { !$0.isEmpty }
        return parts.isEmpty ? record.id : parts.joined(separator: " ")
    }

    /// The label of field `name` of `type`.
    static func label(_ name: String, _ type: ObjectType) -> String {
        type.fields[name]?.label ?? name
    }
}
