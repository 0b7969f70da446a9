import Foundation
@testable import PIMFormats
import Testing

/// HTML bodies as readable text.
@Suite struct MailHTMLTextTests {
    @Test func paragraphsBreaksAndWhitespace() {
        #expect(HTMLText.plainText("<p>One\n   two</p><p>Three<br>four<br/><br>five</p>")
            == "One two\n\nThree\nfour\n\nfive")
        #expect(HTMLText.plainText("<div>a</div><div>b</div>") == "a\nb")
        #expect(HTMLText.plainText("<h1>Title</h1>Text") == "Title\n\nText")
    }

    @Test func listsTablesAndPre() {
        #expect(HTMLText.plainText("<ul><li>one</li><li>two</ul>after") == "- one\n- two\n\nafter")
        #expect(HTMLText.plainText("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
            == "a b\nc")
        #expect(HTMLText.plainText("<pre>  x  =  1\n  y</pre>") == "  x  =  1\n  y")
    }

    @Test func linksAsTextAndURL() {
        #expect(HTMLText.plainText("<a href=\"https://x.example/a?b=1&amp;c=2\">the site</a>")
            == "the site (https://x.example/a?b=1&c=2)")
        #expect(HTMLText.plainText("<a href='https://x.example'>https://x.example</a>") == "https://x.example")
        #expect(HTMLText.plainText("<a href=\"mailto:ann@x.example\">ann@x.example</a>") == "ann@x.example")
        #expect(HTMLText.plainText("<a href=\"#top\">top</a> <a name=x>anchor</a>") == "top anchor")
        #expect(HTMLText.plainText("<a href=\"https://x.example/\"><img src=cid:1></a>") == "https://x.example/")
    }

    @Test func entitiesDecoded() {
        let html = "&lt;b&gt; &amp; &quot;q&quot; &#233;&#xE9; &eacute;&Uuml;&szlig;&yuml; &euro;&hellip;"
        #expect(HTMLText.plainText(html) == "<b> & \"q\" éé éÜßÿ €…")
        #expect(HTMLText.plainText("AT&T &copy2020 &#150; &unknown; &") == "AT&T ©2020 – &unknown; &")
        #expect(HTMLText.plainText("a&nbsp;b") == "a b")
    }

    @Test func scriptStyleHeadAndCommentsDropped() {
        let html = """
            <html><head><title>T</title><style>p{}</style></head><body><script>var a = "<p>";</script>
            <!-- a comment with <p> --><p>Shown</p><STYLE>x</STYLE><noscript>no</noscript></body></html>
            """
        #expect(HTMLText.plainText(html) == "Shown")
    }

    @Test func tagSoupDoesNoHarm() {
        #expect(HTMLText.plainText("a < b and c > d") == "a < b and c > d")
        #expect(HTMLText.plainText("<p>unclosed <b>bold <i>both</p>tail") == "unclosed bold both\n\ntail")
        #expect(HTMLText.plainText("text <unclosed tag") == "text")
        #expect(HTMLText.plainText("</p></div>x") == "x")
        #expect(HTMLText.plainText("<<<<") == "<<<<")
    }

    @Test func longTagSoupIsLinear() {
        let soup = String(repeating: "<a <b x='<' <", count: 20_000) + String(repeating: "< ", count: 50_000)
        let start = Date()
        _ = HTMLText.plainText(soup)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func htmlCharsetFromMetaWhenThePartNamesNone() throws {
        var bytes = Array("From: a@x\nContent-Type: text/html\n\n<meta charset=\"koi8-r\"><p>".utf8)
        bytes += [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]  // "Привет" in KOI8-R
        let message = try MailReader().read(Data(bytes))
        #expect(message.text == "Привет")
    }
}
