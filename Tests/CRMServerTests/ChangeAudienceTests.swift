import CRMModel
import CRMStore
@testable import CRMServer
import CRMTesting
import Foundation
import Testing

/// A change wakes only the long-polls that may see it: a waiter's visibility scope (the one its reads use) is
/// matched against the people of the records written.
@Suite struct ChangeAudienceTests {
    @Test func aScopeSeesTheChangesOfItsPeopleAndAnAllScopeSeesEverything() {
        // maria (team visibility) sees her own records and her reports'; peter only his own.
        let maria = VisibilityScope.users(["maria", "rita", "tom", "tess"])
        #expect(ChangeSignal.sees(maria, ["tess"]))
        #expect(!ChangeSignal.sees(.users(["peter"]), ["tess", "sam"]))
        #expect(ChangeSignal.sees(.all, ["peter"]))
    }

    @Test func signalWakesOnlyTheWaitersThatSeeThePeopleNamed() async throws {
        let signal = ChangeSignal()
        let mark = await signal.mark()
        let rita = Task { await signal.next(seeing: .users(["rita"]), since: mark, within: 120) }
        let peter = Task { await signal.next(seeing: .users(["peter"]), since: mark, within: 120) }
        while await signal.waiting < 2 { try await Task.sleep(for: .milliseconds(10)) }
        await signal.changed(people: ["rita", "maria"])
        await rita.value
        #expect(await signal.waiting == 1, "peter's wait was woken by a change he cannot see")
        await signal.changed(people: nil)
        await peter.value
        #expect(await signal.waiting == 0)
    }

    @Test func aChangeAnnouncedAfterTheWaitersCheckButBeforeItWaitsStillWakesIt() async throws {
        let signal = ChangeSignal()
        let mark = await signal.mark()
        // The waiter found nothing to pull; a change it may see is announced before it begins to wait.
        await signal.changed(people: ["peter"])
        await signal.changed(people: ["rita"])
        let clock = ContinuousClock()
        let started = clock.now
        await signal.next(seeing: .users(["rita"]), since: mark, within: 120)
        #expect(clock.now - started < .seconds(60), "the wait missed a change announced before it registered")
        // A change it cannot see does not end its wait early.
        let later = await signal.mark()
        await signal.changed(people: ["peter"])
        let peterOnly = clock.now
        await signal.next(seeing: .users(["rita"]), since: later, within: 0.3)
        #expect(clock.now - peterOnly >= .milliseconds(300))
    }

    @Test func aWaitIsWokenByTheChangeOfAReportThroughItsManagersScope() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.sync.waitRecheck = 120
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            var maria = try await TestDesktop.connect(api, "maria")
            try await maria.begin()
            try await maria.pullAll()
            let waiter = maria
            let port = try #require(api.client.port)
            let waiting = Task { try await SyncWaitAndLogTests.waitOnItsOwnConnection(port: port, waiter, timeout: 60) }
            try await Task.sleep(for: .milliseconds(300))
            // tess reports to tom, who reports to maria.
            _ = try await api.create("Account", ["name": "Tess's new"], token: try await api.login("tess"))
            #expect(try await waiting.value.changed)
        }
    }
}
