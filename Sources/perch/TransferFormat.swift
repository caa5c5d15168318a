import ArgumentParser

/// The file formats of `perch import` and `perch export`.
enum TransferFormat: String, ExpressibleByArgument, CaseIterable {
    case csv
    case ndjson

    /// The format a file name suggests: `.ndjson`, `.jsonl` and `.json` are NDJSON, anything else CSV.
    static func guess(fromPath path: String?) -> TransferFormat {
        guard let path else { return .csv }
        let lowered = path.lowercased()
        return [".ndjson", ".jsonl", ".json"].contains(where: lowered.hasSuffix) ? .ndjson : .csv
    }
}
