/// Concurrent callers' writes gathered into groups, each group written by one of its callers in one transaction: under
/// load a group holds what arrived while earlier groups ran, so each statement, and each statement-level trigger on its
/// table, runs once per group instead of once per caller. Alone, a caller's write is a group of one and waits for nothing.
///
/// At most `lanes` groups are written at a time. A group holds at most `limit` pieces of work, all of one partition (an
/// app), whose keys (installations, tokens) do not overlap; work that overlaps waits at the front for the next group.
actor GroupCommit<Work: Sendable, Answer: Sendable> {
    typealias Outcome = Result<Answer, any Error>

    /// What a caller is told when its turn comes: its answer, or to write the group its work leads.
    private enum Turn: Sendable {
        case answered(Outcome)
        case lead([Entry])
    }

    private struct Entry: Sendable {
        var work: Work
        var partition: String
        var keys: [String]
        var turn: CheckedContinuation<Turn, Never>
    }

    let lanes: Int
    let limit: Int
    private var queue: [Entry] = []
    private var running = 0

    init(lanes: Int, limit: Int) {
        precondition(lanes > 0 && limit > 0, "a group commit needs a lane and room for one piece of work")
        self.lanes = lanes
        self.limit = limit
    }

    /// `work`'s answer, written in a group: the caller whose work leads a group calls `write` with every piece of work in
    /// it, in order, and `write` answers one outcome per piece, in the same order.
    nonisolated func perform(_ work: Work, partition: String, keys: [String],
                             write: @Sendable ([Work]) async -> [Outcome]) async throws -> Answer {
        switch await enqueue(work, partition: partition, keys: keys) {
        case .answered(let outcome):
            return try outcome.get()
        case .lead(let group):
            let outcomes = await write(group.map(\.work))
            precondition(outcomes.count == group.count, "a group's write answers every piece of work")
            return try await finish(group, outcomes).get()
        }
    }

    private func enqueue(_ work: Work, partition: String, keys: [String]) async -> Turn {
        await withCheckedContinuation { turn in
            queue.append(Entry(work: work, partition: partition, keys: keys, turn: turn))
            startGroups()
        }
    }

    /// Answers every other caller of `group`, frees its lane for the next group and answers the leader.
    private func finish(_ group: [Entry], _ outcomes: [Outcome]) -> Outcome {
        for (entry, outcome) in zip(group, outcomes).dropFirst() {
            entry.turn.resume(returning: .answered(outcome))
        }
        running -= 1
        startGroups()
        return outcomes[0]
    }

    private func startGroups() {
        while running < lanes, !queue.isEmpty {
            running += 1
            let group = takeGroup()
            group[0].turn.resume(returning: .lead(group))
        }
    }

    /// The next group, from the front of the queue: the first entry, then each later one of its partition whose keys
    /// no entry taken holds, up to `limit`.
    private func takeGroup() -> [Entry] {
        let partition = queue[0].partition
        var taken: [Entry] = [], left: [Entry] = [], held = Set<String>()
        for entry in queue {
            if taken.count < limit, entry.partition == partition, held.isDisjoint(with: entry.keys) {
                held.formUnion(entry.keys)
                taken.append(entry)
            } else {
                left.append(entry)
            }
        }
        queue = left
        return taken
    }
}
