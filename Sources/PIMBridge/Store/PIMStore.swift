import Foundation

/// The three collections the CRM writes into a PIM: contacts (vCard), calendar (VEVENT) and tasks (VTODO).
public enum PIMCollection: String, Sendable, CaseIterable, Codable {
    case contacts, calendar, tasks

    /// The file extension of its items in a vdir folder.
    public var fileExtension: String { self == .contacts ? "vcf" : "ics" }
}
