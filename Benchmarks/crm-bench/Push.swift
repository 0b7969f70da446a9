import ArgumentParser
import AsyncHTTPClient
import CRMDesktop
import CRMModel
import CRMSyncProtocol
import Foundation
import NIOCore
import NIOFoundationCompat

/// Push throughput: a device pushes edits of existing records, then new records, in batches of 1,000 ops; the
/// figure is ops the server applies per second, HTTP included. The requests are encoded before the clock
/// starts and the answers read after it stops, so the client's JSON work is not counted.
enum Push {
    static func run(records: Int, ops: Int, report: Report) async throws {
        let stage = try Stage(records: records)
        try stage.start()
        defer { stage.stop() }
        let command = "crm-bench push --records \(records) --ops \(ops)"
        let device = try await BenchDevice.connect(ServerClient(baseURL: URL(string: stage.url)!), user: "admin")
        let held = try HeldRecord.sample(replica: stage.folder.path("crm.sqlite"), count: min(ops, records))
        let updates = held.map { Edits.update($0, "pushed") }
        let creates = (0..<ops).map { Edits.newAccount("Bench push \($0)", owner: "liam") }
        for (name, batch) in [("updates", updates), ("creates", creates)] {
            let session = try await device.begin().session
            let bodies = try stride(from: 0, to: batch.count, by: 1000).map {
                try CRMJSON.encoder().encode(
                    SyncPushRequest(session: session, ops: Array(batch[$0..<min($0 + 1000, batch.count)])))
            }
            var answers: [ByteBuffer] = []
            let cpuBefore = stage.serverCPUSeconds
            let milliseconds = try await timed {
                for body in bodies { answers.append(try await post(body, to: stage.url, token: device.token)) }
            }
            let cpuAfter = stage.serverCPUSeconds
            try await device.end(session)
            let results = try answers.flatMap {
                try CRMJSON.decoder().decode(SyncPushResponse.self, from: Data(buffer: $0)).results
            }
            let applied = results.filter { $0.status == .applied }.count
            guard applied == batch.count else { throw BenchError("\(batch.count - applied) pushed \(name) were not applied") }
            report.add(
                Figure(
                    "push", "\(batch.count.grouped) \(name) in batches of 1,000", Double(batch.count) / milliseconds * 1000,
                    "ops/s", better: .higher, target: 20_000, command: command))
            // CPU time, which other work on a shared machine disturbs far less than the wall clock.
            if let cpuBefore, let cpuAfter {
                report.add(
                    Figure(
                        "push", "\(batch.count.grouped) \(name): server CPU per op", (cpuAfter - cpuBefore) * 1e6 / Double(batch.count),
                        "µs", command: command))
            }
        }
    }

    /// One push request's answer body.
    static func post(_ body: Data, to server: String, token: String) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: server + "/api/v1/sync/push")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let answer = try await response.body.collect(upTo: 256 << 20)
        guard response.status == .ok else {
            throw BenchError("push answered \(response.status): \(String(buffer: answer))")
        }
        return answer
    }
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Ops the server applies per second.")
    @Option(help: "Records the server holds.") var records = 50_000
    @Option(help: "Ops of each kind pushed.") var ops = 20_000
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            try await Push.run(records: records, ops: ops, report: report)
        }
    }
}
