import Foundation
import PIMBridge

extension Desktop {
    /// The PIM target chosen at setup (or with `crm-desktop pim set`).
    public func pimTarget() throws -> PIMTarget { try PIMTarget(settings.pim) }

    /// The store of the chosen target, or nil for `none`.
    public func pimStore() throws -> (any PIMStore)? {
        try pimTarget().store(user: settings.pimUser, password: home.pimPassword())
    }

    /// The two-way PIM sync of this desktop, or nil when no PIM is chosen.
    public func pimSync(force: Bool = false) throws -> PIMSync? {
        try pimStore().map { PIMSync(desktop: self, store: $0, target: settings.pim, force: force) }
    }
}
