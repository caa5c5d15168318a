import Foundation
import PerchCore
import PerchDelivery
import PerchStore

/// Stores import rows through the registration path and writes the rejected ones, with their line
/// numbers and reasons, to the rejects file (created on the first reject).
final class RowImporter {
    let store: any RegistryStore
    let appId: String
    let policy: EndpointPolicy
    let rejectsPath: String
    private(set) var rows = 0
    private(set) var stored = 0
    private(set) var created = 0
    private(set) var rejected = 0
    private var rejectsFile: FileHandle?

    init(store: any RegistryStore, appId: String, policy: EndpointPolicy, rejectsPath: String) {
        self.store = store
        self.appId = appId
        self.policy = policy
        self.rejectsPath = rejectsPath
    }

    enum Outcome: Sendable {
        case stored(created: Bool)
        case rejected(PerchError)
    }

    func importBatch(_ batch: [ImportCommand.Row]) async throws {
        let store = self.store, appId = self.appId, policy = self.policy
        let outcomes = try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for (index, row) in batch.enumerated() {
                let body = row.body
                group.addTask {
                    switch body {
                    case .failure(let error): return (index, .rejected(error))
                    case .success(let body):
                        return (index, try await Self.register(body, store: store, appId: appId, policy: policy))
                    }
                }
            }
            var outcomes = [Outcome?](repeating: nil, count: batch.count)
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        for (row, outcome) in zip(batch, outcomes) {
            rows += 1
            switch outcome {
            case .stored(let isNew)?:
                stored += 1
                if isNew { created += 1 }
            case .rejected(let error)?:
                rejected += 1
                try reject(row, error)
            case nil:
                break
            }
        }
    }

    /// The API's path: validate, check a Web Push endpoint against the host policy (no DNS), register.
    static func register(_ body: RegistrationBody, store: any RegistryStore, appId: String, policy: EndpointPolicy) async throws -> Outcome {
        do {
            let registration = try body.validated(endpointPolicy: policy)
            let result = try await store.register(appId: appId, registration, now: Date())
            return .stored(created: result.created)
        } catch let error as PerchError {
            return .rejected(error)
        }
    }

    private func reject(_ row: ImportCommand.Row, _ error: PerchError) throws {
        if rejectsFile == nil {
            guard FileManager.default.createFile(atPath: rejectsPath, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = FileHandle(forWritingAtPath: rejectsPath)
            else {
                throw PerchError(.internalError, "cannot write the rejects file \(rejectsPath)")
            }
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(CSVWriter.line(["line", "field", "error", "record"]).utf8))
            rejectsFile = handle
        }
        let line = CSVWriter.line([String(row.line), error.field ?? "", error.message, row.raw])
        try rejectsFile?.write(contentsOf: Data(line.utf8))
    }

    func close() throws {
        try rejectsFile?.close()
    }
}
