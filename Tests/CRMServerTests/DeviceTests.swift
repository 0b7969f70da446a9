import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// Devices over real HTTP: registration, listing, revoking, and device logins with refresh tokens.
@Suite struct DeviceTests {
    @Test func aUserRegistersADeviceAndTheServerMintsItsId() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let reply = try await api.send(
                .post, "/api/v1/devices", token: token, json: DeviceRegistration(name: "  rita-laptop \n"))
            #expect(reply.status == .created)
            let device = try reply.decode(Device.self)
            #expect(RecordID.isCanonical(device.id))
            #expect(device.user == "rita")
            #expect(device.name == "rita-laptop")
            #expect(device.revokedAt == nil && device.lastSeenAt == nil)
            let stored = try #require(try await server.store.device(id: device.id))
            #expect(stored.user == "rita" && stored.name == "rita-laptop")
            #expect(Timestamp.string(from: stored.createdAt) == Timestamp.string(from: device.createdAt))

            let empty = try await api.send(.post, "/api/v1/devices", token: token, json: DeviceRegistration(name: " "))
            #expect(empty.status == .badRequest && empty.errorField == "name")
            let long = try await api.send(
                .post, "/api/v1/devices", token: token,
                json: DeviceRegistration(name: String(repeating: "x", count: 201)))
            #expect(long.status == .badRequest && long.errorField == "name")
            let missing = try await api.send(.post, "/api/v1/devices", token: token, body: "{}")
            #expect(missing.status == .badRequest && missing.errorField == "name")
            let anonymous = try await api.send(.post, "/api/v1/devices", json: DeviceRegistration(name: "x"))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func usersListTheirOwnDevicesAndAdminsListAnyones() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let peter = try await api.login("peter")
            let admin = try await api.login("ada")
            let laptop = try await api.registerDevice("rita-laptop", token: rita)
            let desktop = try await api.registerDevice("rita-desktop", token: rita)
            let peters = try await api.registerDevice("peter-pc", token: peter)

            func list(_ query: String, _ token: String) async throws -> TestAPI.Reply {
                try await api.send(.get, "/api/v1/devices" + query, token: token)
            }
            #expect(try await list("", rita).decode(DeviceList.self).devices.map(\.id) == [laptop.id, desktop.id])
            #expect(try await list("", peter).decode(DeviceList.self).devices.map(\.id) == [peters.id])
            #expect(try await list("", admin).decode(DeviceList.self).devices.isEmpty)
            #expect(try await list("?user=rita", rita).decode(DeviceList.self).devices.count == 2)
            let all = try await list("?all=true", admin).decode(DeviceList.self).devices
            #expect(all.map(\.id) == [peters.id, laptop.id, desktop.id])  // by user, then registration
            #expect(try await list("?user=peter", admin).decode(DeviceList.self).devices == [peters])

            let others = try await list("?user=peter", rita)
            #expect(others.status == .forbidden && others.errorField == "user")
            #expect(try await list("?all=true", rita).status == .forbidden)
            #expect(try await list("?user=nobody", admin).status == .notFound)
            #expect(try await list("?all=maybe", admin).errorField == "all")
        }
    }

    @Test func aUserRevokesTheirOwnDeviceButNotSomeoneElses() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let peter = try await api.login("peter")
            let laptop = try await api.registerDevice("rita-laptop", token: rita)
            let spare = try await api.registerDevice("rita-spare", token: rita)

            let foreign = try await api.send(.delete, "/api/v1/devices/\(laptop.id)", token: peter)
            #expect(foreign.status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/devices/\(RecordID.make())", token: rita).status == .notFound)
            #expect(try await server.store.device(id: laptop.id)?.isRevoked == false)

            let revoked = try await api.send(.delete, "/api/v1/devices/\(laptop.id)", token: rita)
            #expect(revoked.status == .ok)
            let device = try revoked.decode(Device.self)
            #expect(device.id == laptop.id && device.isRevoked)
            let listed = try await api.send(.get, "/api/v1/devices", token: rita).decode(DeviceList.self).devices
            #expect(listed.map(\.isRevoked) == [true, false])

            // An administrator may revoke anyone's.
            let admin = try await api.login("ada")
            #expect(try await api.send(.delete, "/api/v1/devices/\(spare.id)", token: admin).status == .ok)
            #expect(try await server.store.device(id: spare.id)?.isRevoked == true)
        }
    }

    @Test func aDeviceLoginReturnsARefreshTokenAndBindsTheSession() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let device = try await api.registerDevice("rita-laptop", token: try await api.login("rita"))
            let login = try await api.loginResponse("rita", device: device.id)
            #expect(login.device == device.id)
            let refreshToken = try #require(login.refreshToken)
            #expect(refreshToken != login.token)
            let stored = try await server.transfer.refreshTokensPage(after: nil, limit: 100).map(\.tokenHash)
            #expect(stored.count == 1 && stored.first != refreshToken)  // only its hash
            #expect(try await api.send(.get, "/api/v1/package", token: login.token).status == .ok)
            #expect(try await server.store.device(id: device.id)?.lastSeenAt != nil)

            // A login without a device gets no refresh token.
            let plain = try await api.loginResponse("rita")
            #expect(plain.refreshToken == nil && plain.device == nil)
        }
    }

    @Test func aRefreshOpensASessionForTheDeviceWithoutThePassword() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let device = try await api.registerDevice("rita-laptop", token: try await api.login("rita"))
            let refreshToken = try #require(try await api.loginResponse("rita", device: device.id).refreshToken)
            let first = try await api.refresh(refreshToken)
            #expect(first.status == .created)
            let session = try first.decode(LoginResponse.self)
            #expect(session.user == "rita" && session.device == device.id)
            #expect(session.refreshToken == nil)
            #expect(try await api.send(.get, "/api/v1/package", token: session.token).status == .ok)
            // Not rotated: the same refresh token works again (a lost answer must not lock a service out).
            let second = try await api.refresh(refreshToken, device: device.id)
            #expect(second.status == .created)
            #expect(try await api.refresh(refreshToken, device: RecordID.make()).errorField == "device")

            // The refreshed session is bound to the device: revoking the device ends it.
            _ = try await server.store.revokeDevice(id: device.id, at: Date())
            let after = try await api.send(.get, "/api/v1/package", token: session.token)
            #expect(after.status == .forbidden)
            #expect(after.errorCode == "revoked")
        }
    }

    @Test func aRevokedDevicesSessionAndRefreshAreAnsweredRevoked() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let device = try await api.registerDevice("rita-laptop", token: rita)
            let login = try await api.loginResponse("rita", device: device.id)
            let refreshToken = try #require(login.refreshToken)
            #expect(try await api.send(.delete, "/api/v1/devices/\(device.id)", token: rita).status == .ok)

            let request = try await api.send(.get, "/api/v1/records/Account", token: login.token)
            #expect(request.status == .forbidden)
            #expect(request.errorCode == "revoked")
            #expect(request.text.contains("set up again"))
            let refresh = try await api.refresh(refreshToken)
            #expect(refresh.status == .forbidden)
            #expect(refresh.errorCode == "revoked")
            let password = try await api.send(
                .post, "/api/v1/sessions",
                json: LoginRequest(username: "rita", password: TestServer.password, device: device.id))
            #expect(password.errorCode == "revoked")
            // rita's other session, not bound to the device, goes on.
            #expect(try await api.send(.get, "/api/v1/package", token: rita).status == .ok)
        }
    }

    @Test func aLoginNamingSomeoneElsesOrAnUnknownDeviceIsNotFound() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let peters = try await api.registerDevice("peter-pc", token: try await api.login("peter"))
            for id in [peters.id, RecordID.make()] {
                let reply = try await api.send(
                    .post, "/api/v1/sessions",
                    json: LoginRequest(username: "rita", password: TestServer.password, device: id))
                #expect(reply.status == .notFound)
                #expect(reply.errorField == "device")
            }
            // The device is checked only after the password: a wrong one is 401 whatever the device.
            let wrong = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "rita", password: "guess", device: peters.id))
            #expect(wrong.status == .unauthorized)
        }
    }

    @Test func aLoginNeedsUsernameAndPasswordOrARefreshToken() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let noName = try await api.send(.post, "/api/v1/sessions", json: LoginRequest(password: "x"))
            #expect(noName.status == .badRequest && noName.errorField == "username")
            let noPassword = try await api.send(.post, "/api/v1/sessions", json: LoginRequest(username: "rita"))
            #expect(noPassword.status == .badRequest && noPassword.errorField == "password")
            #expect(noPassword.text.contains("refreshToken"))
        }
    }

    @Test func unknownRefreshTokensAreRefusedAndThrottledWithPasswordFailures() async throws {
        let address = ThrottlePolicy(maxFailures: 3, window: 600, lock: 60, maxLock: 600)
        let server = try await TestServer.make(
            configuration: ServerConfiguration(bcryptCost: 4, addressThrottle: address))
        try await server.run { api in
            let device = try await api.registerDevice("rita-laptop", token: try await api.login("rita"))
            let refreshToken = try #require(try await api.loginResponse("rita", device: device.id).refreshToken)
            let first = try await api.refresh("forged-refresh-token")
            #expect(first.status == .unauthorized)
            #expect(first.errorField == "refreshToken")
            #expect(try await api.refresh("another-forged-token").status == .unauthorized)
            // The third failure from this address, a wrong password, reaches the address's limit.
            let wrong = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "peter", password: "guess"))
            #expect(wrong.status == .tooManyRequests)
            let locked = try await api.refresh("yet-another-token")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] != nil)
            // While the address is locked, even a real refresh token is refused from it.
            #expect(try await api.refresh(refreshToken).status == .tooManyRequests)
        }
    }

    @Test func anExpiredRefreshTokenIsRefused() async throws {
        let server = try await TestServer.make(
            configuration: ServerConfiguration(bcryptCost: 4, refreshTokenLifetime: -1))
        try await server.run { api in
            let device = try await api.registerDevice("rita-laptop", token: try await api.login("rita"))
            let refreshToken = try #require(try await api.loginResponse("rita", device: device.id).refreshToken)
            let reply = try await api.refresh(refreshToken)
            #expect(reply.status == .unauthorized)
            #expect(reply.text.contains("expired"))
        }
    }

    @Test func disablingAUserRevokesTheirDevicesAndRefreshTokens() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let device = try await api.registerDevice("rita-laptop", token: try await api.login("rita"))
            let login = try await api.loginResponse("rita", device: device.id)
            let refreshToken = try #require(login.refreshToken)
            let peters = try await api.registerDevice("peter-pc", token: try await api.login("peter"))
            _ = try await api.loginResponse("peter", device: peters.id)

            _ = try await UserAdministration(store: server.store, bcryptCost: 4).change("rita", .init(enabled: false))
            #expect(try await server.store.device(id: device.id)?.isRevoked == true)
            let tokens = try await server.transfer.refreshTokensPage(after: nil, limit: 100).map(\.user)
            #expect(tokens == ["peter"])
            #expect(try await api.send(.get, "/api/v1/package", token: login.token).errorCode == "revoked")
            #expect(try await api.refresh(refreshToken).errorCode == "revoked")
            #expect(try await server.store.device(id: peters.id)?.isRevoked == false)
        }
    }
}
