import CRMModel
import Foundation
import PIMFormats

/// A record's mapped fields written into a VEVENT or VTODO, and read back. Start, end, all-day and time zone
/// travel together in DTSTART/DTEND (or DURATION, when the item gives its end that way); status and priority are
/// translated through the mapping's value tables (a to-do marked done gets its COMPLETED time); contacts become
/// attendees (with SCHEDULE-AGENT=CLIENT, so no calendar server mails invitations to customers). Everything the
/// mapping does not name stays as the PIM wrote it.
enum ICalMapping {
    static func write(
        _ record: Record, type: ObjectType, mapping: PIMMapping, into original: ICalComponent,
        directory: any RecordDirectory, floatingZone: TimeZone
    ) -> (item: ICalComponent, zones: [TimeZone: [Date]]) {
        var item = original
        let specs = PropertySpec.specs(of: mapping.properties)
        let field = { (name: String, parameter: String?) in
            specs.first { $0.value.name == name && $0.value.parameter == parameter }?.key
        }
        let zone = field("DTSTART", "TZID").flatMap { record.fields[$0]?.stringValue }.flatMap(TimeZone.init(identifier:))
        let allDay = field("DTSTART", "VALUE").flatMap { record.fields[$0]?.boolValue } ?? false
        // An item the PIM holds with a floating start (no TZID, no Z) stays floating: its times are written as
        // the wall clock in the zone they were read in.
        let floating = !allDay
            && item.first("DTSTART").flatMap { try? ICalDateTime.parse($0, in: ICalComponent(name: "VCALENDAR")) }?.kind
                == .floating
        let startInstant = field("DTSTART", nil).flatMap { record.fields[$0]?.stringValue }
            .flatMap(Timestamp.date(from:))
        let endName = item.name == "VTODO" ? "DUE" : "DTEND"
        var usedZones: [TimeZone: [Date]] = [:]
        for (fieldName, spec) in specs.sorted(by: { $0.key < $1.key }) where spec.parameter == nil {
            guard let definition = type.fields[fieldName] else { continue }
            let value = record.fields[fieldName]
            // The end is DTEND (DUE) or DURATION, never both (RFC 5545 sections 3.6.1, 3.6.2): the item's form is kept.
            let byDuration = spec.name == endName && item.first(endName) == nil && item.first("DURATION") != nil
            switch (spec.name, definition.kind) {
            case (_, .datetime):
                guard let instant = value?.stringValue.flatMap(Timestamp.date(from:)) else {
                    item.remove(spec.name)
                    if spec.name == endName { item.remove("DURATION") }
                    continue
                }
                if byDuration, let startInstant, instant >= startInstant {
                    let length = duration(from: startInstant, to: instant, allDay: allDay, zone: zone)
                    item.set(ContentLine(name: "DURATION", value: length.value))
                    continue
                }
                if spec.name == endName { item.remove("DURATION") }
                if allDay {
                    let parts = calendar(zone ?? .gmt).dateComponents([.year, .month, .day], from: instant)
                    item.set(ICalDateTime.dateLine(spec.name, year: parts.year!, month: parts.month!, day: parts.day!))
                } else if floating {
                    item.set(ICalDateTime.floatingLine(spec.name, instant: instant, in: floatingZone))
                } else {
                    item.set(ICalDateTime.line(spec.name, instant: instant, timeZone: zone))
                    if let zone { usedZones[zone, default: []].append(instant) }
                }
            case (_, .date):
                guard let iso = value?.stringValue, let date = FieldCoding.isoDate(iso) else {
                    item.remove(spec.name)
                    if spec.name == endName { item.remove("DURATION") }
                    continue
                }
                if spec.name == endName { item.remove("DURATION") }
                let parts = date.split(separator: "-").compactMap { Int($0) }
                item.set(ICalDateTime.dateLine(spec.name, year: parts[0], month: parts[1], day: parts[2]))
            case ("ATTENDEE", _):
                writeAttendees(&item, ids: value?.stringArray ?? [], directory: directory)
            case ("STATUS", _), ("PRIORITY", _):
                let table = PIMValueTable(mapping, field: fieldName)
                writeTranslated(&item, spec.name, value, table: table, kind: definition.kind)
                if spec.name == "STATUS", item.name == "VTODO", specs.values.allSatisfy({ $0.name != "COMPLETED" }) {
                    markCompletion(&item, at: record.updatedAt)
                }
            case ("UID", _):
                continue  // the item's UID is set by the mapper
            default:
                item.setText(spec.name, FieldCoding.text(value, kind: definition.kind))
            }
        }
        return (item, usedZones)
    }

    /// The DURATION from `start` to `end`: whole days for an all-day item (days move the date, RFC 5545 section
    /// 3.3.6), else exact seconds (which keep the instant across a change of offset).
    static func duration(from start: Date, to end: Date, allDay: Bool, zone: TimeZone?) -> ICalDuration {
        if allDay {
            let days = calendar(zone ?? .gmt).dateComponents([.day], from: start, to: end).day ?? 0
            return ICalDuration(days: days)
        }
        let seconds = Int(end.timeIntervalSince(start).rounded())
        return ICalDuration(hours: seconds / 3600, minutes: seconds % 3600 / 60, seconds: seconds % 60)
    }

    /// The mapped fields of a VEVENT or VTODO. A date or time that cannot be read is an error naming its line:
    /// the item is reported malformed and left alone, rather than clearing the CRM's field. A floating time (no
    /// TZID, no `Z`) is read in `floatingZone`, the user's zone; a TZID that resolves to nothing in the record's.
    static func read(
        _ item: ICalComponent, in calendarObject: ICalComponent, type: ObjectType, mapping: PIMMapping,
        current: Record?, directory: any RecordDirectory, floatingZone: TimeZone
    ) throws(PIMFormatError) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        let specs = PropertySpec.specs(of: mapping.properties)
        let start = try ICalDateTime.start(of: item, in: calendarObject)
        let zoneField = specs.first { $0.value.name == "DTSTART" && $0.value.parameter == "TZID" }?.key
        let recordZone = zoneField.flatMap { current?.fields[$0]?.stringValue }.flatMap(TimeZone.init(identifier:))
        let endName = item.name == "VTODO" ? "DUE" : "DTEND"
        /// The value of a date or time property; the end through DURATION when the item gives it that way.
        func dateValue(_ name: String) throws(PIMFormatError) -> ICalDateTime? {
            if let line = item.first(name) { return try ICalDateTime.parse(line, in: calendarObject) }
            guard name == endName, item.first("DURATION") != nil else { return nil }
            return try ICalDateTime.end(of: item, in: calendarObject)
        }
        for (fieldName, spec) in specs {
            guard let definition = type.fields[fieldName] else { continue }
            switch (spec.name, spec.parameter, definition.kind) {
            case ("DTSTART", "VALUE", _):
                fields[fieldName] = .bool(start?.kind == .date)
            case ("DTSTART", "TZID", _):
                if let start, case .zoned = start.kind, let zone = start.timeZone {
                    fields[fieldName] = .string(zone.identifier)
                } else if start != nil {
                    fields[fieldName] = current?.fields[fieldName] ?? .null
                }
            case (_, nil, .datetime):
                guard let value = try dateValue(spec.name) else {
                    fields[fieldName] = .null
                    continue
                }
                let instant: Date?
                switch value.kind {
                case .date:
                    instant = value.instant(floatingZone: recordZone ?? .gmt)
                case .floating:
                    instant = value.instant(floatingZone: floatingZone)
                case .utc, .zoned:
                    instant = value.instant(floatingZone: recordZone ?? floatingZone)
                }
                fields[fieldName] = instant.map { .string(Timestamp.string(from: $0)) } ?? .null
            case (_, nil, .date):
                guard let value = try dateValue(spec.name), let year = value.components.year,
                    let month = value.components.month, let day = value.components.day
                else {
                    fields[fieldName] = .null
                    continue
                }
                fields[fieldName] = .string(String(format: "%04d-%02d-%02d", year, month, day))
            case ("ATTENDEE", nil, _):
                let known = item.all("ATTENDEE").compactMap { line -> String? in
                    let address = line.value.lowercased().hasPrefix("mailto:") ? String(line.value.dropFirst(7)) : line.value
                    return directory.id(withEmail: address)
                }
                fields[fieldName] = .array(Set(known).sorted().map(FieldValue.string))
            case ("STATUS", nil, _):
                let text = item.name == "VTODO" && specs.values.allSatisfy({ $0.name != "COMPLETED" })
                    ? completionStatus(item) : item.text("STATUS")
                fields[fieldName] = readTranslated(
                    text, table: PIMValueTable(mapping, field: fieldName), current: current?.fields[fieldName],
                    kind: definition.kind)
            case ("PRIORITY", nil, _):
                // 0 is "undefined" (RFC 5545 section 3.8.1.9).
                let text = item.text("PRIORITY").flatMap { $0.trimmingCharacters(in: .whitespaces) == "0" ? nil : $0 }
                fields[fieldName] = readTranslated(
                    text, table: PIMValueTable(mapping, field: fieldName), current: current?.fields[fieldName],
                    kind: definition.kind)
            case ("UID", nil, _):
                fields[fieldName] = item.text("UID").map(FieldValue.string) ?? .null
            case (_, nil, _):
                fields[fieldName] = FieldCoding.value(item.text(spec.name), kind: definition.kind)
            default:
                continue
            }
        }
        return fields
    }

    // MARK: - Attendees

    /// Attendees of the CRM's contacts replace those the CRM wrote before; attendees the PIM added stay.
    static func writeAttendees(_ item: inout ICalComponent, ids: [String], directory: any RecordDirectory) {
        let wanted = ids.compactMap { id in directory.email(of: id).map { (id, $0) } }
        let addresses = Set(wanted.map { $0.1.lowercased() })
        var kept: [ContentLine] = []
        for line in item.all("ATTENDEE") {
            let address = line.value.lowercased().replacingOccurrences(of: "mailto:", with: "")
            let fromCRM = line.parameterValue("X-CRM-CONTACT") != nil
            if addresses.contains(address) || !fromCRM { kept.append(line) }
        }
        let present = Set(kept.map { $0.value.lowercased().replacingOccurrences(of: "mailto:", with: "") })
        item.remove("ATTENDEE")
        for line in kept { item.properties.append(line) }
        for (id, email) in wanted where !present.contains(email.lowercased()) {
            var parameters: [ContentLine.Parameter] = [
                .init(name: "ROLE", values: ["REQ-PARTICIPANT"]), .init(name: "SCHEDULE-AGENT", values: ["CLIENT"]),
                .init(name: "X-CRM-CONTACT", values: [id]),
            ]
            if let name = directory.title(of: id) { parameters.insert(.init(name: "CN", values: [name]), at: 0) }
            item.properties.append(ContentLine(name: "ATTENDEE", parameters: parameters, value: "mailto:" + email))
        }
    }

    // MARK: - Translations

    /// STATUS or PRIORITY written through the mapping's value table: a value the item already gives in one of the
    /// CRM value's forms stays as the PIM wrote it (TENTATIVE for a planned meeting), a CRM value the table does
    /// not name leaves the item's property alone, and no value removes it.
    static func writeTranslated(
        _ item: inout ICalComponent, _ name: String, _ value: FieldValue?, table: PIMValueTable?, kind: FieldKind
    ) {
        guard let crm = value?.stringValue ?? FieldCoding.text(value, kind: kind) else {
            item.remove(name)
            return
        }
        guard let table else {
            item.setText(name, crm)
            return
        }
        if let current = item.text(name), table.reads(current, as: crm) { return }
        if let written = table.pim(for: crm) { item.setText(name, written) }
    }

    /// STATUS or PRIORITY read through the mapping's value table: the record's value while the item still gives
    /// one of its forms, else the CRM value the table reads it as; a PIM value the table does not know leaves the
    /// field as it is.
    static func readTranslated(_ text: String?, table: PIMValueTable?, current: FieldValue?, kind: FieldKind)
        -> FieldValue
    {
        guard let table else { return FieldCoding.value(text, kind: kind) }
        guard let text, !text.isEmpty else { return .null }
        if let mine = current?.stringValue, table.reads(text, as: mine) { return .string(mine) }
        return table.crm(for: text).map(FieldValue.string) ?? current ?? .null
    }

    /// A VTODO's STATUS as a to-do list means it: COMPLETED when it has none but a COMPLETED time or 100 per
    /// cent done (programs that mark completion without STATUS).
    static func completionStatus(_ item: ICalComponent) -> String? {
        if let status = item.text("STATUS") { return status }
        let percent = item.text("PERCENT-COMPLETE").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return item.first("COMPLETED") != nil || percent == 100 ? "COMPLETED" : nil
    }

    /// A VTODO marked done gets its COMPLETED time (and 100 per cent, when it gives a share) unless it has one;
    /// one that is not done loses them (RFC 5545 sections 3.8.2.1, 3.8.1.8).
    static func markCompletion(_ item: inout ICalComponent, at time: Date) {
        if item.text("STATUS")?.uppercased() == "COMPLETED" {
            if item.first("COMPLETED") == nil {
                item.set(ContentLine(name: "COMPLETED", value: PIMMapper.utcStamp(time)))
            }
            if item.first("PERCENT-COMPLETE") != nil { item.setText("PERCENT-COMPLETE", "100") }
        } else {
            item.remove("COMPLETED")
            if item.text("PERCENT-COMPLETE") == "100" { item.remove("PERCENT-COMPLETE") }
        }
    }

    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }
}
