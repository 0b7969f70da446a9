import CRMTesting
import Foundation
import Testing

/// The web UI in a real browser: headless Chromium driven through its DevTools protocol by
/// `scripts/browser_check.py` (standard library only), typing into the pages with the keyboard.
@Suite struct WebBrowserTests {
    /// Chromium: `CHROMIUM_BIN`, else Debian's `chromium` (`scripts/test.sh` installs it).
    static let chromium: String? = {
        if let path = ProcessInfo.processInfo.environment["CHROMIUM_BIN"], !path.isEmpty { return path }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/browser_check.py").path

    @Test(
        .enabled(if: chromium != nil, "Chromium is not installed: apt-get install -y --no-install-recommends chromium"))
    func aUserLogsInCreatesAnAccountAndAContactAndSeesAValidationErrorInChromium() async throws {
        let chromium = try #require(Self.chromium)
        let server = try await TestServer.make()
        // CRM_BROWSER_SHOTS=FOLDER keeps the screenshots there, to look at them.
        let keep = ProcessInfo.processInfo.environment["CRM_BROWSER_SHOTS"].map { URL(fileURLWithPath: $0) }
        let output = try TemporaryDirectory()
        defer { output.remove() }
        let folder = keep ?? output.url
        try await server.run(web: true) { api in
            let run = try await ProcessRunner.run(
                "/usr/bin/env",
                [
                    "timeout", "--kill-after=5", "240", "python3", Self.script, api.baseURL.absoluteString, folder.path,
                    chromium,
                ])
            #expect(run.status == 0, "\(run.output)\(run.error)")
            let results = try #require(
                try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
            #expect((results["error"] as? String)?.contains("not an email address") == true)
            // The screenshots are real pictures, and different ones.
            var sizes: Set<Int> = []
            for name in ["home", "contact", "validation", "phone"] {
                let shot = try #require(results[name] as? [String: Any], "no \(name) screenshot")
                let colours = try #require(shot["colours"] as? Int)
                #expect(colours >= 3, "the \(name) screenshot is blank")
                let data = try Data(contentsOf: folder.appendingPathComponent("\(name).png"))
                #expect(data.count == shot["bytes"] as? Int)
                sizes.insert(data.count)
            }
            #expect(sizes.count == 4)
            // What the browser created is in the store, through the same service as the API.
            let token = try await api.login("rita")
            let contacts = try await api.send(.get, "/api/v1/records/Contact?lastName=Browserson", token: token)
            #expect(contacts.text.contains("Brenda"))
        }
    }
}
