import Foundation
@testable import PIMFormats
import Testing

/// Date headers, RFC 5322 and the obsolete and broken forms.
@Suite struct MailDateTests {
    static func utc(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test(arguments: [
        ("Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-14T03:02:54Z"),
        ("Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06Z"),
        ("Mon, 6 Jun 2005 22:21:22 +0200", "2005-06-06T20:21:22Z"),
        ("Tue, 23 Feb 2010 22:16:41 -0800 (PST)", "2010-02-24T06:16:41Z"),
        ("Wed, 28 May 2014 17:18:19 +0900 (JST)", "2014-05-28T08:18:19Z"),
        ("Thu,  3 Dec 2009 10:50:22 -0800", "2009-12-03T18:50:22Z"),
        ("Sat, 1 Jan 2000 00:00:00 +0000", "2000-01-01T00:00:00Z"),
    ])
    func rfc5322Dates(text: String, iso: String) {
        #expect(MailDate.parse(text) == Self.utc(iso))
    }

    @Test(arguments: [
        ("13 Feb 69 23:32 EST", "1969-02-14T04:32:00Z"),  // two-digit year, no weekday, no seconds
        ("3 Dec 09 10:50:22 PDT", "2009-12-03T17:50:22Z"),
        ("Fri, 21 Nov 097 09:55:06 GMT", "1997-11-21T09:55:06Z"),  // three-digit year
        ("Fri, 21 Nov 1997 09:55:06 UT", "1997-11-21T09:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 Z", "1997-11-21T09:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 A", "1997-11-21T09:55:06Z"),  // military: read as UTC (RFC 5322 4.3)
        ("Fri, 21 Nov 1997 09:55:06", "1997-11-21T09:55:06Z"),  // no zone
        ("Fri, 21 Nov 1997 09:55:06 +0100 (CEST)", "1997-11-21T08:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 (CEST)", "1997-11-21T09:55:06Z"),  // zone only in a comment: UTC
        ("Fri, 21 Nov 1997 09:55:06 CEST", "1997-11-21T07:55:06Z"),
        ("Friday, 21-Nov-97 09:55:06 GMT", "1997-11-21T09:55:06Z"),
        ("Fri Nov 21 09:55:06 1997", "1997-11-21T09:55:06Z"),  // asctime
        ("Fri Nov 21 09:55:06 +0100 1997", "1997-11-21T08:55:06Z"),
        ("21 November 1997 9:55 PM +00:00", "1997-11-21T21:55:00Z"),
        ("Fri, 21 Nov 1997 09:55:06+0100", "1997-11-21T08:55:06Z"),
        ("1997-11-21 09:55:06 +0000", "1997-11-21T09:55:06Z"),
        ("Fri, 21 Nov 1997 23:59:60 +0000", "1997-11-21T23:59:59Z"),  // leap second
    ])
    func obsoleteAndBrokenDates(text: String, iso: String) {
        #expect(MailDate.parse(text) == Self.utc(iso))
    }

    /// A numeric offset beside a zone name wins: mailers write their real offset and often a wrong name.
    @Test(arguments: [
        ("Fri, 21 Nov 1997 09:55:06 GMT+0200", "1997-11-21T07:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 UTC-05:00", "1997-11-21T14:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 +0100 (GMT)", "1997-11-21T08:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 +0100 GMT", "1997-11-21T08:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 GMT +0100", "1997-11-21T08:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 -0800 PDT", "1997-11-21T17:55:06Z"),
        ("Fri, 21 Nov 1997 09:55:06 CET -0000", "1997-11-21T09:55:06Z"),
    ])
    func numericOffsetWinsOverAZoneName(text: String, iso: String) {
        #expect(MailDate.parse(text) == Self.utc(iso))
    }

    @Test(arguments: ["", "next Tuesday", "Fri, 21 Nov 1997", "Fri, 32 Nov 1997 09:55:06", "21 Nov 1997 25:00:00",
                      "21 Foo 1997 10:00:00", "21 Nov 1997 10:00:00 +99999", "Nov 1997 10:00:00"])
    func unreadableDatesAreNil(text: String) {
        #expect(MailDate.parse(text) == nil)
    }
}
