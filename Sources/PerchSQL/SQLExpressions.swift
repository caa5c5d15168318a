import PerchCore

/// SQL expressions of rules whose one definition is in the core.
public enum SQLExpressions {
    /// ``CampaignPlanner/Candidate/person``, over a row's user and installation columns.
    public static func person(user: String = "user_id", installation: String = "installation_id") -> String {
        "CASE WHEN \(user) IS NOT NULL THEN '\(CampaignPlanner.Candidate.userPersonPrefix)' || \(user) "
            + "ELSE '\(CampaignPlanner.Candidate.installationPersonPrefix)' || \(installation) END"
    }
}
