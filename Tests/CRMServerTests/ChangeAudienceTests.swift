import CRMModel
import CRMStore
@testable import CRMServer
import CRMTesting
import Foundation
import Testing

/// A change wakes only the long-polls of users who may see it: the records' people, the managers above them
/// whose role sees their team's records, and those who see everything.
@Suite struct ChangeAudienceTests {
    static func users() -> [User] {
        TestServer.users.map { User(name: $0.name, passwordHash: "", role: $0.role, manager: $0.manager) }
    }

    @Test func audienceIsThePeopleTheirTeamManagersAndAdmins() throws {
        let base = try DefaultPackage.load()
        // tess reports to tom, who reports to maria; both managers have team visibility.
        #expect(ChangeAnnouncer.audience(of: ["tess"], users: Self.users(), base: base) == ["tess", "tom", "maria", "ada"])
        #expect(ChangeAnnouncer.audience(of: ["peter"], users: Self.users(), base: base) == ["peter", "ada"])
        #expect(ChangeAnnouncer.audience(of: ["rita", "sam"], users: Self.users(), base: base) == ["rita", "sam", "maria", "ada"])
    }

    @Test func signalWakesOnlyTheWaitersOfTheUsersNamed() async throws {
        let signal = ChangeSignal()
        let clock = ContinuousClock()
        let rita = Task { let start = clock.now; await signal.next(for: "rita", within: 30); return clock.now - start }
        let peter = Task { let start = clock.now; await signal.next(for: "peter", within: 120); return clock.now - start }
        while await signal.waiting < 2 { try await Task.sleep(for: .milliseconds(10)) }
        await signal.changed(users: ["rita", "maria"])
        _ = await rita.value
        #expect(await signal.waiting == 1, "peter's wait was woken by a change he cannot see")
        await signal.changed(users: nil)
        _ = await peter.value
        #expect(await signal.waiting == 0)
    }
}
