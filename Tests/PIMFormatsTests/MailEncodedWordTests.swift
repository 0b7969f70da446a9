import Foundation
@testable import PIMFormats
import Testing

/// RFC 2047 encoded words in header text.
@Suite struct MailEncodedWordTests {
    @Test func bAndQWordsInSeveralCharsets() {
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(EncodedWord.decode("=?utf-8?b?w6lsw6h2ZQ==?=") == "élève")
        #expect(EncodedWord.decode("=?koi8-r?B?8NLJ18XU?=") == "Привет")
        #expect(EncodedWord.decode("=?windows-1252?q?=93hi=94_=80?=") == "“hi” €")
        #expect(EncodedWord.decode("=?ISO-2022-JP?B?GyRCJDkkXyReJDskcyEjGyhC?=") == "すみません。")
        #expect(EncodedWord.decode("=?ks_c_5601-1987?B?vbrGvMfY?=") == "스티해")
        #expect(EncodedWord.decode("=?gb2312?B?sai827Wl?=") == "报价单")
        #expect(EncodedWord.decode("=?big5?B?s/i7+bPm?=") == "報價單")
        #expect(EncodedWord.decode("=?shift_jis?B?gqiMqZDPguiCzIKyiMST4A==?=") == "お見積りのご案内")
        #expect(EncodedWord.decode("=?iso-8859-2?q?P=F8=EDli=B9?=") == "Příliš")
        #expect(EncodedWord.decode("=?UTF-8*en?Q?Hello?=") == "Hello")  // RFC 2231 language suffix
    }

    @Test func adjacentWordsAreJoinedWithoutTheWhitespaceBetweenThem() {
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=") == "ab")
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?a?=\r\n\t=?ISO-8859-1?Q?b?=") == "ab")
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?a?= b") == "a b")
        #expect(EncodedWord.decode("a =?ISO-8859-1?Q?b?=") == "a b")
        #expect(EncodedWord.decode("=?utf-8?q?a?= =?iso-8859-1?q?=E9?=") == "aé")
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?a_b?=") == "a b")
    }

    @Test func aCharacterSplitAcrossTwoWordsOfOneCharsetComesOutWhole() {
        // "é" is C3 A9 in UTF-8: the first word ends with C3, the next starts with A9.
        #expect(EncodedWord.decode("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=") == "café")
        #expect(EncodedWord.decode("=?UTF-8?B?5pel?= =?UTF-8?B?5pys?=") == "日本")
    }

    @Test func wordsInsideOtherTextAndQuotesAsRealMailHasThem() {
        #expect(EncodedWord.decode("\"=?utf-8?q?J=C3=BCrgen?=\" <j@x>") == "\"Jürgen\" <j@x>")
        #expect(EncodedWord.decode("Re:=?utf-8?q?=C3=A9t=C3=A9?=") == "Re:été")
    }

    @Test func brokenWordsAreLeftAsWritten() {
        #expect(EncodedWord.decode("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=")
        #expect(EncodedWord.decode("=?utf-8?q?no end") == "=?utf-8?q?no end")
        #expect(EncodedWord.decode("=??q?abc?=") == "=??q?abc?=")
        #expect(EncodedWord.decode("price =? 5") == "price =? 5")
        #expect(EncodedWord.decode("=?utf-8?q?a=ZZ?=") == "a=ZZ")
    }

    @Test func unknownCharsetIsReadAsLatin1AndReported() {
        var unknown: [String] = []
        #expect(EncodedWord.decode("=?x-foo?q?caf=E9?=", unknownCharsets: &unknown) == "café")
        #expect(unknown == ["x-foo"])
    }

    @Test func headerWithUnknownCharsetGivesAWarning() throws {
        let message = try MailReader().read(Data("From: a@example.com\nSubject: =?x-foo?q?caf=E9?=\n\nbody\n".utf8))
        #expect(message.subject == "café")
        #expect(message.warnings == ["unknown charset 'x-foo' in header Subject; read as ISO-8859-1"])
    }
}
