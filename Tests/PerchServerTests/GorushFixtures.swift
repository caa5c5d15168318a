/// Request bodies copied verbatim from gorush's own documentation: the README of
/// https://github.com/appleboy/gorush (commit 001d195c92ba8315b318749d85cd9514435878ba),
/// section "Web API" → "POST /api/push" → "iOS Example" and "Android Example".
/// `token_a` and `token_b` are gorush's placeholders; the tests swap in real tokens.
enum GorushFixtures {
    /// "The following payload specifies that the device should display an alert message, plays a sound, and badges the app's icon."
    static let iOSSoundAndBadge = #"""
        {
          "notifications": [
            {
              "tokens": ["token_a", "token_b"],
              "platform": 1,
              "message": "You got your emails.",
              "badge": 9,
              "sound": {
                "critical": 1,
                "name": "default",
                "volume": 1.0
              }
            }
          ]
        }
        """#

    /// "Add other fields which user defined via `data` field." (Android Example)
    static let androidData = #"""
        {
          "notifications": [
            {
              "tokens": ["token_a", "token_b"],
              "platform": 2,
              "message": "Hello World Android!",
              "title": "You got message",
              "data": {
               "Nick" : "Mario",
               "body" : "great match!",
               "Room" : "PortugalVSDenmark"
              }
            }
          ]
        }
        """#
}
