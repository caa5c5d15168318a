/// What `perch analytics verify` found: how many rollup groups the facts recompute, the differences, and whether
/// the rollups were rebuilt from the facts.
public struct RollupVerification: Sendable, Hashable, Codable {
    public var groupsChecked: Int
    public var differences: [RollupDifference]
    public var repaired: Bool

    public init(groupsChecked: Int, differences: [RollupDifference], repaired: Bool) {
        (self.groupsChecked, self.differences, self.repaired) = (groupsChecked, differences, repaired)
    }
}
