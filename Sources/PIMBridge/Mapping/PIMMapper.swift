import CRMModel
import Foundation
import PIMFormats

/// The package's PIM mappings applied: which collection a record goes to, the item written for it (into the
/// item the PIM already holds, so what the PIM added survives), and what an item says back.
///
/// Every item carries the record's id in `X-CRM-ID` (a second desktop adopts it instead of writing a copy), a
/// `CATEGORIES` value `CRM` (how a user shares an item of their own), and `X-CRM-<FIELD>` properties with the
/// ids of the record's links, which survive a PIM that does not know them.
public struct PIMMapper: Sendable {
    public let package: CustomizationPackage
    /// The zone floating times (no TZID, no `Z`) are read in and written back in: the user's.
    public let floatingZone: TimeZone
    public static let category = "CRM"

    public init(package: CustomizationPackage, floatingZone: TimeZone = .current) {
        self.package = package
        self.floatingZone = floatingZone
    }

    /// The collection and mapping of a record: the first mapping of its type whose condition holds.
    public func target(for record: Record) -> (collection: PIMCollection, mapping: PIMMapping)? {
        guard let type = package.types[record.type] else { return nil }
        for mapping in package.pim?[record.type] ?? [] where holds(mapping.when, record.fields, type) {
            return (collection(of: mapping.component), mapping)
        }
        return nil
    }

    /// The record types that map into a collection, with their mappings.
    public func mappings(into collection: PIMCollection) -> [(type: String, mapping: PIMMapping)] {
        (package.pim ?? [:]).sorted { $0.key < $1.key }.flatMap { type, mappings in
            mappings.filter { self.collection(of: $0.component) == collection }.map { (type, $0) }
        }
    }

    /// The item's bytes for `record`, written into `existing` when the PIM already holds it.
    public func item(for record: Record, existing: Data?, directory: any RecordDirectory) throws -> Data {
        try mappedItem(for: record, existing: existing, directory: directory).data
    }

    /// `item(for:existing:directory:)` with the UID the item carries (what names a new item's file or resource),
    /// so a caller need not read its own bytes back for it.
    public func mappedItem(for record: Record, existing: Data?, directory: any RecordDirectory) throws
        -> (data: Data, uid: String?)
    {
        guard let type = package.types[record.type], let (collection, mapping) = target(for: record) else {
            throw PIMFormatError(line: 0, "\(record.type) records are not mapped to the PIM")
        }
        if collection == .contacts {
            var card = try existing.flatMap { try VCardReader.read(data: $0).first } ?? VCard()
            card = VCardMapping.write(record, type: type, mapping: mapping, into: card, directory: directory)
            if card.uid == nil { card.uid = record.id }
            stamp(&card.properties, record: record, type: type, directory: directory)
            return (Data(VCardWriter.write(card).utf8), card.uid)
        }
        var calendar = try existing.map { try ICalendarReader.read(data: $0) }
            ?? ICalComponent(name: "VCALENDAR", properties: [
                ContentLine(name: "VERSION", value: "2.0"), ContentLine(name: "PRODID", value: "-//CRM Desktop//EN"),
            ])
        let name = mapping.component == .vtodo ? "VTODO" : "VEVENT"
        let index = calendar.components.firstIndex { $0.name == name && $0.first("RECURRENCE-ID") == nil }
        var component = index.map { calendar.components[$0] } ?? ICalComponent(name: name)
        let (written, zones) = ICalMapping.write(
            record, type: type, mapping: mapping, into: component, directory: directory, floatingZone: floatingZone)
        component = written
        if component.first("UID") == nil {
            let uid = mapping.properties.first { $0.value == "UID" }.flatMap { record.fields[$0.key]?.stringValue }
            component.setText("UID", uid ?? record.id)
        }
        component.set(ContentLine(name: "DTSTAMP", value: Self.utcStamp(record.updatedAt)))
        stamp(&component.properties, record: record, type: type, directory: directory)
        if let index { calendar.components[index] = component } else { calendar.components.append(component) }
        // Our zones' definitions are written anew with every write: the times may have moved across a change
        // of offset since the last one, and readers that trust the file's VTIMEZONE (vobject, Radicale) would
        // then be an hour off.
        for (zone, dates) in zones.sorted(by: { $0.key.identifier < $1.key.identifier }) {
            calendar.components.removeAll { $0.name == "VTIMEZONE" && $0.text("TZID") == zone.identifier }
            calendar.components.insert(VTimeZoneBuilder.component(for: zone, covering: dates), at: 0)
        }
        return (Data(ICalendarWriter.write(calendar).utf8), component.text("UID"))
    }

    /// What an item says: the record it stands for (X-CRM-ID), whether the user shared it, its UID, the record
    /// type it maps to, and its mapped fields.
    public func read(
        _ data: Data, in collection: PIMCollection, current: Record?, directory: any RecordDirectory
    ) throws(PIMFormatError) -> PIMReading {
        if collection == .contacts {
            guard let card = try VCardReader.read(data: data).first else {
                throw PIMFormatError(line: 0, "the file holds no vCard")
            }
            let (typeName, mapping) = try mappingFor(collection: collection, current: current)
            guard let type = package.types[typeName] else { throw PIMFormatError(line: 0, "no type \(typeName)") }
            var fields = VCardMapping.read(card, type: type, mapping: mapping, directory: directory)
            keepLinks(&fields, from: card.properties, type: type, mapping: mapping, directory: directory)
            fields.merge(implied(mapping)) { mine, _ in mine }
            return PIMReading(
                crmID: card.text("X-CRM-ID"), uid: card.uid, shared: Self.isShared(card.properties), type: typeName,
                fields: fields)
        }
        let calendar = try ICalendarReader.read(data: data)
        let names = collection == .tasks ? ["VTODO"] : ["VEVENT"]
        guard let component = calendar.components.first(where: { names.contains($0.name) && $0.first("RECURRENCE-ID") == nil })
        else {
            throw PIMFormatError(line: 0, "the file holds no \(names[0])")
        }
        let (typeName, mapping) = try mappingFor(collection: collection, current: current)
        guard let type = package.types[typeName] else { throw PIMFormatError(line: 0, "no type \(typeName)") }
        var fields = try ICalMapping.read(
            component, in: calendar, type: type, mapping: mapping, current: current, directory: directory,
            floatingZone: floatingZone)
        keepLinks(&fields, from: component.properties, type: type, mapping: mapping, directory: directory)
        fields.merge(implied(mapping)) { mine, _ in mine }
        return PIMReading(
            crmID: component.text("X-CRM-ID"), uid: component.text("UID"), shared: Self.isShared(component.properties),
            type: typeName, fields: fields)
    }

    // MARK: - Helpers

    /// The links the desktop wrote in `X-CRM-<FIELD>` win over what ORG or ATTENDEE say, for the mapped reference
    /// fields whose records the desktop holds: a PIM that rewrote a name or an address (or dropped it) does not
    /// break the link. Ids of records the desktop does not hold are left out; with none left, the property says
    /// nothing.
    private func keepLinks(
        _ fields: inout [String: FieldValue], from properties: [ContentLine], type: ObjectType, mapping: PIMMapping,
        directory: any RecordDirectory
    ) {
        for field in mapping.properties.keys {
            guard let definition = type.fields[field], definition.kind.isReference,
                let line = properties.first(where: { $0.name == "X-CRM-" + field.uppercased() })
            else { continue }
            let ids = line.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && directory.contains($0) }
            guard !ids.isEmpty else { continue }
            fields[field] =
                definition.kind == .references ? .array(ids.sorted().map(FieldValue.string)) : .string(ids[0])
        }
    }

    private func mappingFor(collection: PIMCollection, current: Record?) throws(PIMFormatError)
        -> (String, PIMMapping)
    {
        if let current, let target = target(for: current), target.collection == collection {
            return (current.type, target.mapping)
        }
        guard let first = mappings(into: collection).first else {
            throw PIMFormatError(line: 0, "the package maps nothing to \(collection.rawValue)")
        }
        return (first.type, first.mapping)
    }

    /// The field values a mapping's condition implies (an item in the calendar is an Activity with display
    /// "calendar").
    private func implied(_ mapping: PIMMapping) -> [String: FieldValue] {
        guard let when = mapping.when, let value = when.in?.first else { return [:] }
        return [when.field: .string(value)]
    }

    private func collection(of component: PIMMapping.Component) -> PIMCollection {
        switch component {
        case .vcard: .contacts
        case .vevent: .calendar
        case .vtodo: .tasks
        }
    }

    private func holds(_ condition: FieldCondition?, _ fields: [String: FieldValue], _ type: ObjectType) -> Bool {
        guard let condition else { return true }
        let value = fields[condition.field]
        if let present = condition.present { return present != RecordValidator.isEmpty(value) }
        guard let allowed = condition.in else { return true }
        let text = value?.stringValue ?? value?.boolValue.map { $0 ? "true" : "false" }
        return text.map(allowed.contains) ?? false
    }

    /// X-CRM-ID, the CRM category and the link properties.
    private func stamp(
        _ properties: inout [ContentLine], record: Record, type: ObjectType, directory: any RecordDirectory
    ) {
        set(&properties, ContentLine(name: "X-CRM-ID", value: record.id))
        for (field, definition) in type.fields.sorted(by: { $0.key < $1.key }) where definition.kind.isReference {
            let name = "X-CRM-" + field.uppercased()
            let ids = record.fields[field].flatMap { $0.stringValue.map { [$0] } ?? $0.stringArray } ?? []
            if ids.isEmpty { properties.removeAll { $0.name == name } } else {
                set(&properties, ContentLine(name: name, value: ids.joined(separator: ",")))
            }
        }
        if !Self.isShared(properties) {
            if let index = properties.firstIndex(where: { $0.name == "CATEGORIES" }) {
                properties[index].value += "," + Self.category
            } else {
                properties.append(ContentLine(name: "CATEGORIES", value: Self.category))
            }
        }
    }

    private func set(_ properties: inout [ContentLine], _ line: ContentLine) {
        if let index = properties.firstIndex(where: { $0.name == line.name }) {
            properties[index].value = line.value
        } else {
            properties.append(line)
        }
    }

    /// Whether an item carries the CRM category (`CATEGORIES:CRM`, any case, among others).
    public static func isShared(_ properties: [ContentLine]) -> Bool {
        properties.filter { $0.name == "CATEGORIES" }.contains { line in
            TextValue.split(line.value, on: ",").contains { TextValue.unescape($0).trimmingCharacters(in: .whitespaces).uppercased() == category }
        }
    }

    static func utcStamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!)
    }
}

/// What an item says about the record it stands for.
public struct PIMReading: Sendable, Equatable {
    /// The CRM id the desktop wrote into it (`X-CRM-ID`), when it has one.
    public var crmID: String?
    public var uid: String?
    /// The user shared it with the CRM (`CATEGORIES:CRM`).
    public var shared: Bool
    /// The record type it maps to.
    public var type: String
    /// The mapped fields, as the item has them (cleared ones as null).
    public var fields: [String: FieldValue]
}
