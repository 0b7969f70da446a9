import CRMModel
import Foundation

/// Opportunities across every stage, with amounts, probabilities and close dates that fit the stage.
enum DemoOpportunity {
    static let products = ["Platform licence", "Service contract", "Fleet renewal", "Pilot project", "Upgrade"]

    static func fields(account: String, today: Date, using random: inout SeededGenerator, lists: [String: [String]])
        -> [String: FieldValue]
    {
        let stages = lists["opportunityStages"] ?? ["Prospecting"]
        let stageIndex = Int(random.next() % UInt64(stages.count))
        let stage = stages[stageIndex]
        let cents = Decimal(Int(5_000_00 + random.next() % 2_000_000_00)) / 100
        let closed = stage.hasPrefix("Closed")
        let probability = stage == "Closed Won" ? 100 : closed ? 0 : min(90, (stageIndex + 1) * 15)
        let offset = closed ? -Int(random.next() % 90) : Int(random.next() % 180)
        var fields: [String: FieldValue] = [
            "name": .string("\(account.split(separator: " ").first ?? "") – \(DemoNames.pick(products, &random))"),
            "stage": .string(stage), "amount": .number(cents), "currency": .string("EUR"),
            "probability": .number(Decimal(probability)),
            "closeDate": .string(DemoCalendar.day(today, plus: offset)),
        ]
        if let sources = lists["leadSources"] { fields["leadSource"] = .string(DemoNames.pick(sources, &random)) }
        return fields
    }
}

/// Service requests in every status, priority and severity.
enum DemoServiceRequest {
    static let problems = [
        "Login fails after update", "Invoice shows wrong VAT", "Device does not start", "Spare part missing",
        "Slow report export", "Sync error on tablet", "Request for on-site training", "Warranty claim",
    ]

    static func fields(index: Int, using random: inout SeededGenerator, lists: [String: [String]])
        -> [String: FieldValue]
    {
        var fields: [String: FieldValue] = [
            "title": .string(DemoNames.pick(problems, &random)),
            "description": .string("Reported by the customer's \(DemoNames.pick(DemoNames.titles, &random)) (case \(index + 1))."),
        ]
        for (field, list) in [("status", "srStatuses"), ("priority", "priorities"), ("severity", "severities")] {
            if let values = lists[list] { fields[field] = .string(DemoNames.pick(values, &random)) }
        }
        return fields
    }
}

/// Calls, meetings, to-dos and emails from 90 days ago to 90 days ahead.
enum DemoActivity {
    static let subjects = [
        "Quarterly review", "Product demo", "Contract negotiation", "Follow-up call", "Site visit",
        "Send proposal", "Prepare offer", "Kick-off meeting", "Support escalation", "Renewal discussion",
    ]

    static func fields(index: Int, today: Date, using random: inout SeededGenerator, lists: [String: [String]])
        -> [String: FieldValue]
    {
        let dayOffset = Int(random.next() % 181) - 90
        let roll = random.next() % 10
        let display = roll < 5 ? "calendar" : roll < 8 ? "todo" : "email"
        let statuses = lists["activityStatuses"] ?? []
        let past = dayOffset < 0
        var fields: [String: FieldValue] = [
            "subject": .string(DemoNames.pick(subjects, &random)), "display": .string(display),
            "timeZone": .string("Europe/Berlin"),
        ]
        if let status = past ? statuses.first(where: { $0 == "Done" }) : statuses.first {
            fields["status"] = .string(status)
        }
        if let priorities = lists["priorities"] { fields["priority"] = .string(DemoNames.pick(priorities, &random)) }
        switch display {
        case "calendar":
            let startHour = 7 + Int(random.next() % 9)
            let minutes = [30, 60, 90][Int(random.next() % 3)]
            let start = DemoCalendar.instant(today, plusDays: dayOffset, hour: startHour)
            fields["start"] = .string(Timestamp.string(from: start))
            fields["end"] = .string(Timestamp.string(from: start.addingTimeInterval(Double(minutes * 60))))
            fields["allDay"] = .bool(false)
            fields["kind"] = .string(random.next() % 2 == 0 ? "Meeting" : "Call")
            fields["location"] = .string(DemoNames.pick(DemoNames.places, &random).city)
        case "todo":
            fields["due"] = .string(DemoCalendar.day(today, plus: dayOffset))
            fields["kind"] = .string("Task")
        default:
            fields["kind"] = .string("Email")
            fields["direction"] = .string(random.next() % 2 == 0 ? "inbound" : "outbound")
            fields["messageId"] = .string("<demo-\(index)-\(random.next() % 1_000_000)@crm-demo.example>")
            let sent = DemoCalendar.instant(today, plusDays: min(dayOffset, 0), hour: 9)
            fields["start"] = .string(Timestamp.string(from: sent))
        }
        return fields
    }
}

/// Day arithmetic in UTC without `Calendar`, which is slow on the bulk path.
enum DemoCalendar {
    static func day(_ today: Date, plus days: Int) -> String {
        String(Timestamp.string(from: today.addingTimeInterval(Double(days) * 86_400)).prefix(10))
    }

    static func instant(_ today: Date, plusDays days: Int, hour: Int) -> Date {
        let start = (today.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        return Date(timeIntervalSince1970: start + Double(days * 86_400 + hour * 3600))
    }
}
