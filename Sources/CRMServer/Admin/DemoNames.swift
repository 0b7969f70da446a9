import CRMModel
import Foundation

/// Plausible names, companies, places, emails and phone numbers for demo data.
enum DemoNames {
    static let firstNames = [
        "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Karin", "Lukas", "Maja",
        "Nils", "Olga", "Paul", "Quentin", "Rosa", "Stefan", "Tara", "Ulrich", "Vera", "Walter", "Xenia", "Yusuf",
        "Zoe", "Amélie", "Björn", "Chloé", "Dmitri", "Eva", "Fatima", "Giulia", "Hiroshi", "Ingrid", "José", "Kenji",
        "Leila", "Mateo", "Nora", "Oscar", "Priya", "Rafael", "Sven", "Timo", "Ute", "Wei", "Yara", "Zeynep",
        "Łukasz", "Søren", "Ahmed", "Mia", "Lucas", "Sophie", "Emil", "Hannah", "Leon", "Lea", "Finn",
    ]
    static let lastNames = [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz",
        "Dubois", "Martin", "Bernard", "Rossi", "Russo", "Bianchi", "García", "Fernández", "López", "Smith",
        "Johnson", "Brown", "Taylor", "Wilson", "Jansen", "de Vries", "Nowak", "Kowalski", "Novák", "Andersson",
        "Johansson", "Nielsen", "Hansen", "Virtanen", "Silva", "Santos", "O'Brien", "Murphy", "Tanaka", "Sato",
        "Kim", "Lee", "Chen", "Wang", "Yılmaz", "Kaya", "Papadopoulos", "Horvat", "Popescu", "Ivanova",
    ]
    static let companyRoots = [
        "Alpen", "Nord", "Rhein", "Delta", "Orion", "Vega", "Atlas", "Helix", "Nova", "Quantum", "Polar", "Summit",
        "Falcon", "Cedar", "Harbor", "Iron", "Silver", "Blue", "Green", "Bright", "Swift", "Prime", "Union",
        "Crown", "Maple", "River", "Stone", "Sun", "Terra", "Vista",
    ]
    static let companyWords = [
        "Logistics", "Systems", "Foods", "Energy", "Medical", "Robotics", "Textiles", "Software", "Motors",
        "Chemicals", "Pharma", "Finance", "Retail", "Media", "Telecom", "Engineering", "Analytics", "Solar",
    ]
    static let companySuffixes = ["GmbH", "AG", "SA", "S.r.l.", "Ltd", "Inc.", "B.V.", "AB", "Oy", "KG"]
    static let places: [(city: String, country: String, dial: String)] = [
        ("Berlin", "Germany", "+49 30"), ("München", "Germany", "+49 89"), ("Hamburg", "Germany", "+49 40"),
        ("Wien", "Austria", "+43 1"), ("Zürich", "Switzerland", "+41 44"), ("Paris", "France", "+33 1"),
        ("Lyon", "France", "+33 4"), ("Milano", "Italy", "+39 02"), ("Madrid", "Spain", "+34 91"),
        ("Amsterdam", "Netherlands", "+31 20"), ("Stockholm", "Sweden", "+46 8"), ("København", "Denmark", "+45"),
        ("Warszawa", "Poland", "+48 22"), ("London", "United Kingdom", "+44 20"), ("Dublin", "Ireland", "+353 1"),
        ("New York", "United States", "+1 212"), ("Toronto", "Canada", "+1 416"), ("Tokyo", "Japan", "+81 3"),
    ]
    static let titles = [
        "CEO", "CFO", "Head of Purchasing", "IT Manager", "Sales Director", "Project Manager", "Buyer",
        "Operations Manager", "Office Manager", "Engineer", "Consultant", "Head of Service",
    ]

    static func pick<T>(_ values: [T], _ random: inout SeededGenerator) -> T {
        values[Int(random.next() % UInt64(values.count))]
    }

    /// The name of account `index`, the same wherever it is asked for (the account itself, its contacts' mail
    /// domain, its opportunities). It carries the index, so the name duplicate rule never fires between demo accounts.
    static func companyName(_ index: Int, seed: UInt64) -> String {
        var random = SeededGenerator(seed: SeededGenerator.mix(seed &+ 99, UInt64(index)))
        return "\(pick(companyRoots, &random)) \(pick(companyWords, &random)) \(index + 1) \(pick(companySuffixes, &random))"
    }

    /// The mail domain of a company name ("Alpen Foods 12 SA" -> "alpenfoods.example"); cached per name root,
    /// since folding text is slow and bulk loads ask for it once per person.
    static func domain(_ company: String) -> String {
        let words = company.split(separator: " ").prefix(2).joined()
        return asciiFolded(words) + ".example"
    }

    /// Lower-case ASCII letters and digits of `text` (accents dropped), through a table built once.
    static func asciiFolded(_ text: String) -> String {
        if let known = foldedTable[text] { return known }
        return String(
            text.lowercased().folding(options: .diacriticInsensitive, locale: nil).unicodeScalars
                .filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == ".") }
                .map(Character.init))
    }

    static let foldedTable: [String: String] = {
        var table: [String: String] = [:]
        for root in companyRoots { for word in companyWords { table[root + word] = fold(root + word) } }
        for name in firstNames + lastNames { table[name] = fold(name) }
        return table
    }()

    private static func fold(_ text: String) -> String {
        String(
            text.lowercased().folding(options: .diacriticInsensitive, locale: nil).unicodeScalars
                .filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    static func phone(_ dial: String, _ random: inout SeededGenerator) -> String {
        "\(dial) \(100 + random.next() % 900) \(1000 + random.next() % 9000)"
    }

    static func company(index: Int, seed: UInt64, using random: inout SeededGenerator, lists: [String: [String]])
        -> [String: FieldValue]
    {
        let name = companyName(index, seed: seed)
        let place = pick(places, &random)
        var fields: [String: FieldValue] = [
            "name": .string(name), "city": .string(place.city), "country": .string(place.country),
            "phone": .string(phone(place.dial, &random)), "website": .string("https://www.\(domain(name))"),
            "employees": .number(Decimal(10 + Int(random.next() % 5000))),
        ]
        if let industries = lists["industries"] { fields["industry"] = .string(pick(industries, &random)) }
        return fields
    }

    static func person(index: Int, company: String, using random: inout SeededGenerator) -> [String: FieldValue] {
        let first = pick(firstNames, &random)
        let last = pick(lastNames, &random)
        let place = pick(places, &random)
        let local = asciiFolded(first) + "." + asciiFolded(last) + "." + String(index)
        return [
            "firstName": .string(first), "lastName": .string(last), "title": .string(pick(titles, &random)),
            "email": .string(local + "@" + domain(company)),
            "phone": .string(phone(place.dial, &random)), "mobile": .string(phone(place.dial, &random)),
            "city": .string(place.city), "country": .string(place.country),
        ]
    }
}
