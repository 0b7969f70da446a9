import CRMSyncProtocol
import Hummingbird

/// `GET /api/v1/me`: the caller's profile, so the desktop knows the user's own email addresses (to tell mail
/// they sent from mail they received) without an administrator's view of users.
struct ProfileRoutes {
    func add(to group: RouterGroup<CRMRequestContext>) {
        group.get("me") { _, context in
            let user = try context.requireCaller().user
            return JSONResponse.make(
                UserProfile(name: user.name, role: user.role, emails: user.emails, manager: user.manager))
        }
    }
}
