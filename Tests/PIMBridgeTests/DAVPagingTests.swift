import CRMTesting
import Foundation
import Testing

@testable import PIMBridge

/// The store's sync-collection loop over real HTTP against a server that truncates its answers (RFC 6578
/// section 3.6: a 507 for the collection, then more with the new token), refuses a token, or has no
/// sync-collection at all. Radicale 3.9 never truncates (it ignores `DAV:limit`) and always has the report, so
/// these paths run against a small server that answers exactly as the RFC's examples do.
@Suite struct DAVPagingTests {
    /// A DAV server on loopback answering REPORT sync-collection in two pages under `/truncating/`, refusing the
    /// token `stale` with the valid-sync-token precondition, and answering 501 to REPORT under `/plain/`, where
    /// PROPFIND lists two items. It records each request's method, path and token in `log`.
    static let server = #"""
        import http.server, re, sys

        LOG = sys.argv[2]

        def multistatus(responses, token):
            body = '<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:">' + responses
            if token: body += '<d:sync-token>' + token + '</d:sync-token>'
            return body + '</d:multistatus>'

        def item(href, etag):
            return ('<d:response><d:href>' + href + '</d:href><d:propstat><d:prop><d:getetag>"' + etag
                    + '"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>')

        def gone(href):
            return '<d:response><d:href>' + href + '</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>'

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/xml; charset=utf-8')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def request_body(self):
                return self.rfile.read(int(self.headers.get('Content-Length', '0'))).decode()

            def do_REPORT(self):
                found = re.search(r'<(?:\w+:)?sync-token>([^<]*)</', self.request_body())
                token = found.group(1) if found else ''
                with open(LOG, 'a') as log: log.write('REPORT ' + self.path + ' ' + (token or '-') + '\n')
                if self.path.startswith('/plain/'):
                    return self.answer(501, '')
                c = '/truncating/'
                if token == 'stale':
                    return self.answer(403, '<?xml version="1.0"?><d:error xmlns:d="DAV:"><d:valid-sync-token/></d:error>')
                if token == '':
                    cut = '<d:response><d:href>' + c + '</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>'
                    return self.answer(207, multistatus(item(c + 'a.vcf', '1') + item(c + 'b.vcf', '2') + cut, 'urn:t1'))
                if token == 'urn:t1':
                    return self.answer(207, multistatus(item(c + 'c.vcf', '3') + gone(c + 'b.vcf'), 'urn:t2'))
                if token == 'urn:t2':
                    return self.answer(207, multistatus(gone(c + 'a.vcf'), 'urn:t3'))
                self.answer(400, '')

            def do_PROPFIND(self):
                self.request_body()
                with open(LOG, 'a') as log: log.write('PROPFIND ' + self.path + '\n')
                p = '/plain/'
                self.answer(207, multistatus(
                    '<d:response><d:href>' + p + '</d:href><d:propstat><d:prop><d:resourcetype><d:collection/>'
                    '</d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>'
                    + item(p + 'x.ics', '7') + item(p + 'y.ics', '8'), None))

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
        """#

    /// Runs `body` with a store whose contacts collection truncates and whose calendar has no sync-collection.
    func withServer(_ body: (DAVStore, _ log: () throws -> [String]) async throws -> Void) async throws {
        let folder = try TemporaryDirectory(prefix: "dav-paging")
        defer { folder.remove() }
        let port = try LoopbackPort.free()
        let log = folder.path("requests.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let (process, _) = try ChildProcess.spawn("/usr/bin/env", ["python3", "-c", Self.server, "\(port)", log])
        defer {
            // SIGKILL: a SIGTERM the test runner ignores is ignored by its children too.
            process.signal(SIGKILL)
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(30)
        while !LoopbackPort.canConnect(port) {
            try #require(Date() < deadline, "the test server did not start")
            try await Task.sleep(for: .milliseconds(20))
        }
        let base = "http://127.0.0.1:\(port)"
        let store = DAVStore(url: URL(string: base + "/")!, user: nil, password: nil, timeout: .seconds(20))
        // Through the protocol, as the desktop calls it (on the concrete actor the extension's default wins).
        await (store as any PIMStore).adopt([
            .contacts: base + "/truncating/", .calendar: base + "/plain/", .tasks: base + "/plain/",
        ])
        try await body(store) {
            try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    @Test func aTruncatedListingIsFollowedPageByPageUntilTheServerSaysItIsComplete() async throws {
        try await withServer { store, log in
            let first = try await store.changes(in: .contacts, since: nil)
            // b.vcf came in the first page and went in the second: a full listing leaves it out.
            #expect(first.changed == ["a.vcf": "\"1\"", "c.vcf": "\"3\""])
            #expect(first.deleted.isEmpty)
            #expect(first.isFullListing)
            #expect(first.token == "urn:t2")
            #expect(try log() == ["REPORT /truncating/ -", "REPORT /truncating/ urn:t1"])

            let next = try await store.changes(in: .contacts, since: first.token)
            #expect(next.changed.isEmpty)
            #expect(next.deleted == ["a.vcf"])
            #expect(!next.isFullListing)
            #expect(next.token == "urn:t3")
        }
    }

    @Test func aRefusedTokenStartsAFullListingOverTheSamePages() async throws {
        try await withServer { store, log in
            let changes = try await store.changes(in: .contacts, since: "stale")
            #expect(changes.isFullListing)
            #expect(changes.changed == ["a.vcf": "\"1\"", "c.vcf": "\"3\""])
            #expect(changes.token == "urn:t2")
            #expect(try log() == ["REPORT /truncating/ stale", "REPORT /truncating/ -", "REPORT /truncating/ urn:t1"])
        }
    }

    @Test func aCollectionWithoutSyncCollectionIsListedByPropfind() async throws {
        try await withServer { store, log in
            let changes = try await store.changes(in: .calendar, since: nil)
            #expect(changes.isFullListing)
            #expect(changes.token == nil)
            #expect(changes.changed == ["x.ics": "\"7\"", "y.ics": "\"8\""])
            #expect(try log() == ["REPORT /plain/ -", "PROPFIND /plain/"])
        }
    }
}
