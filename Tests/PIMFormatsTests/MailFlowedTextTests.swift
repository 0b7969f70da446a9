import Foundation
@testable import PIMFormats
import Testing

/// format=flowed (RFC 3676).
@Suite struct MailFlowedTextTests {
    @Test func flowedLinesAreJoinedIntoParagraphs() {
        let text = "This is a long \nparagraph that \nflows.\n\nNext paragraph.\nFixed line."
        #expect(FlowedText.unwrap(text, deleteSpace: false)
            == "This is a long paragraph that flows.\n\nNext paragraph.\nFixed line.")
    }

    @Test func delSpRemovesTheSpaceTheSenderAdded() {
        #expect(FlowedText.unwrap("Kon\nnichiwa\n", deleteSpace: true) == "Kon\nnichiwa\n")
        #expect(FlowedText.unwrap("Konni \nchiwa", deleteSpace: true) == "Konnichiwa")
        #expect(FlowedText.unwrap("Konni \nchiwa", deleteSpace: false) == "Konni chiwa")
    }

    @Test func quoteDepthsAreNotJoinedAcrossAndSpaceStuffingIsUndone() {
        let text = "> quoted line \n> continues\n>> deeper \n>> too\nmine \n From here"
        #expect(FlowedText.unwrap(text, deleteSpace: false)
            == "> quoted line continues\n>> deeper too\nmine From here")
    }

    @Test func signatureSeparatorIsNeverJoined() {
        #expect(FlowedText.unwrap("Bye \n-- \nAnn", deleteSpace: false) == "Bye \n-- \nAnn")
    }

    @Test func flowedBodyOfAMessageIsUnwrapped() throws {
        let text = """
            From: a@x.com
            Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes

            Hello, this is a para
            graph.
            > and a quo
            > te

            """.replacingOccurrences(of: "para\n", with: "para \n").replacingOccurrences(of: "quo\n", with: "quo \n")
        let message = try MailReader().read(Data(text.utf8))
        #expect(message.text == "Hello, this is a paragraph.\n> and a quote")
    }
}
