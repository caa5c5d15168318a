extension PushMessage {
    /// A button on a Web Push notification: one entry of the Notifications API's `actions`
    /// (`{action, title, icon?}`), which the service worker passes to `showNotification`.
    public struct Action: Sendable, Hashable, Codable {
        /// The id the service worker's `notificationclick` event reports as `event.action`.
        public var action: String
        /// The button's label.
        public var title: String
        /// An http(s) URL of the button's icon.
        public var icon: String?

        public init(action: String, title: String, icon: String? = nil) {
            self.action = action
            self.title = title
            self.icon = icon
        }

        /// The action as the Notifications API spells it.
        var json: JSONValue {
            var object: [String: JSONValue] = ["action": .string(action), "title": .string(title)]
            if let icon { object["icon"] = .string(icon) }
            return .object(object)
        }
    }
}
