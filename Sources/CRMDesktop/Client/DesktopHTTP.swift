import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The desktop's one HTTP client for the life of the process. Unlike `HTTPClient.shared`, it does not retry a
/// refused connection until the request's deadline: an offline desktop says so in a moment.
enum DesktopHTTP {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
