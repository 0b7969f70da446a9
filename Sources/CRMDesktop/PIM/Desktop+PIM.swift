import CRMModel
import Foundation
import PIMBridge

extension Desktop {
    /// The PIM target chosen at setup (or with `crm-desktop pim set`).
    public func pimTarget() throws -> PIMTarget { try PIMTarget(settings.pim) }

    /// The store of the chosen target, or nil for `none`.
    public func pimStore() throws -> (any PIMStore)? {
        try pimTarget().store(user: settings.pimUser, password: home.pimPassword())
    }

    /// The user's zone (set at setup, else the machine's): floating times in PIM items are read and written in it.
    public var userTimeZone: TimeZone { settings.timeZone.flatMap(TimeZone.init(identifier:)) ?? .current }

    /// The package's PIM mappings applied in the user's zone.
    func pimMapper(_ package: CustomizationPackage) -> PIMMapper {
        PIMMapper(package: package, floatingZone: userTimeZone)
    }

    /// The two-way PIM sync of this desktop, or nil when no PIM is chosen.
    public func pimSync(force: Bool = false) throws -> PIMSync? {
        try pimStore().map { PIMSync(desktop: self, store: $0, target: settings.pim, force: force) }
    }
}
