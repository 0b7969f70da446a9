import Foundation
@testable import PIMFormats
import Testing

/// Address headers as real mail writes them.
@Suite struct MailAddressListTests {
    static func parse(_ raw: String) -> [MailAddress] { AddressList.parse(raw) }

    @Test func displayNamesQuotedOrNotAndBareAddresses() {
        #expect(Self.parse("Ann Lee <ann@example.com>, bob@example.com, <carl@example.com>") == [
            MailAddress(name: "Ann Lee", address: "ann@example.com"), MailAddress(address: "bob@example.com"),
            MailAddress(address: "carl@example.com"),
        ])
    }

    @Test func quotedNamesWithCommasEscapesAndAngleBrackets() {
        #expect(Self.parse(#""Lee, Ann" <ann@x.com>, "Dan \"The Man\" O'Neil" <dan@x.com>, "a <b>" <c@x.com>"#) == [
            MailAddress(name: "Lee, Ann", address: "ann@x.com"),
            MailAddress(name: "Dan \"The Man\" O'Neil", address: "dan@x.com"),
            MailAddress(name: "a <b>", address: "c@x.com"),
        ])
    }

    @Test func commentsNameABareAddressAndAreSkippedElsewhere() {
        #expect(Self.parse("MAILER-DAEMON@mx.example (Mail Delivery System)") == [
            MailAddress(name: "Mail Delivery System", address: "MAILER-DAEMON@mx.example"),
        ])
        #expect(Self.parse("Ann (work) <ann@x.com> (comment, with comma)") == [
            MailAddress(name: "Ann", address: "ann@x.com"),
        ])
        #expect(Self.parse("(only (nested) comment) <z@x.com>") == [
            MailAddress(name: "only (nested) comment", address: "z@x.com"),
        ])
    }

    @Test func groupsAreListedFlatAndEmptyGroupsGiveNothing() {
        #expect(Self.parse("undisclosed-recipients:;").isEmpty)
        #expect(Self.parse("undisclosed recipients: ;").isEmpty)
        #expect(Self.parse("Team: a@x.com, Bea <b@y.com>;, c@z.com") == [
            MailAddress(address: "a@x.com"), MailAddress(name: "Bea", address: "b@y.com"),
            MailAddress(address: "c@z.com"),
        ])
    }

    @Test func encodedWordsInNamesQuotedOrNot() {
        #expect(Self.parse("=?utf-8?q?J=C3=BCrgen?= =?utf-8?q?_M=C3=BCller?= <jm@x.de>") == [
            MailAddress(name: "Jürgen Müller", address: "jm@x.de"),
        ])
        #expect(Self.parse("\"=?utf-8?b?0JDQu9C10LrRgQ==?=\" <a@x.ru>") == [
            MailAddress(name: "Алекс", address: "a@x.ru"),
        ])
        // An encoded comma does not split the list.
        #expect(Self.parse("=?utf-8?q?Lee,_Ann?= <ann@x.com>, b@x.com") == [
            MailAddress(name: "Lee, Ann", address: "ann@x.com"), MailAddress(address: "b@x.com"),
        ])
    }

    @Test func oddAndBrokenListsAreToleratedWithoutThrowing() {
        #expect(Self.parse("a@x.com; b@x.com") == [MailAddress(address: "a@x.com"), MailAddress(address: "b@x.com")])
        #expect(Self.parse("Ann <ann@x.com") == [MailAddress(name: "Ann", address: "ann@x.com")])
        #expect(Self.parse("Ann <ann@x.com> Bob <bob@x.com>") == [
            MailAddress(name: "Ann", address: "ann@x.com"), MailAddress(name: "Bob", address: "bob@x.com"),
        ])
        #expect(Self.parse("John Smith john@x.com") == [MailAddress(name: "John Smith", address: "john@x.com")])
        #expect(Self.parse(",, ,<>, Undisclosed, \"\"") == [])
        #expect(Self.parse("<@relay.example:ann@x.com>, <mailto:bob@x.com>") == [
            MailAddress(address: "ann@x.com"), MailAddress(address: "bob@x.com"),
        ])
        #expect(Self.parse("\"john smith\"@x.com") == [MailAddress(address: "\"john smith\"@x.com")])
        #expect(Self.parse("") == [])
    }

    @Test func addressesKeepTheirCaseAndCompareLowercased() throws {
        let message = try MailReader().read(Data("From: Ann <Ann.Lee@Example.COM>\nTo: x@y\n\n".utf8))
        #expect(message.from.first?.address == "Ann.Lee@Example.COM")
        #expect(message.from.first?.lowercasedAddress == "ann.lee@example.com")
    }

    @Test func severalHeadersOfOneKindAreJoined() throws {
        let text = "From: a@x.com\nTo: b@x.com\nCc: c@x.com\nTo: d@x.com\nSender: s@x.com, t@x.com\n\nbody"
        let message = try MailReader().read(Data(text.utf8))
        #expect(message.to.map(\.address) == ["b@x.com", "d@x.com"])
        #expect(message.cc.map(\.address) == ["c@x.com"])
        #expect(message.sender == MailAddress(address: "s@x.com"))
    }
}
