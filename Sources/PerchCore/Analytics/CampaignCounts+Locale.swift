extension CampaignCounts {
    /// The `byLocale` key of messages sent in the default message, not in a localization. Not a BCP 47 tag (a language
    /// subtag is 2–3 letters), so no localization can be keyed so.
    public static let defaultLocale = "default"
}
