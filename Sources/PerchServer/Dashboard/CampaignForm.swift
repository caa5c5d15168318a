import Foundation
import NIOCore
import PerchCore

/// The composer's fields, named by their API JSON paths (`name`, `audience.filter`, `message.title`, `variants[1].weight`,
/// `frequencyCap[0].windowSeconds`, `schedule.localTime`, …), and the way between them and a ``CampaignDefinition``.
///
/// The form becomes the JSON `POST /v1/campaigns` takes and is decoded and checked by the API's own path
/// (``JSONBody`` and ``CampaignRules``), so a form is refused exactly when the same JSON would be, with the same field.
struct CampaignForm: Sendable {
    /// Variant rows the composer offers (the API takes 2 to 10; rows left empty are not variants).
    static let variantRows = 3
    /// Frequency-cap rows (e.g. 3 a day and 10 a week; every cap holds; rows left empty are not caps).
    static let capRows = 2

    var fields: FormFields

    init(_ fields: FormFields) {
        self.fields = fields
    }

    /// The fields of a stored definition, to edit it.
    init(_ definition: CampaignDefinition) {
        var values: [String: String] = ["name": definition.name]
        values["audience.segmentId"] = definition.audience.segmentId
        values["audience.filter"] = definition.audience.filter
        values["audience.userIds"] = definition.audience.userIds?.joined(separator: "\n")
        Self.put(definition.message, prefix: "message.", into: &values)
        for (index, variant) in (definition.variants ?? []).enumerated() {
            values["variants[\(index)].name"] = variant.name
            values["variants[\(index)].weight"] = Self.number(variant.weight)
            if let message = variant.message { Self.put(message, prefix: "variants[\(index)].message.", into: &values) }
        }
        values["holdoutPercent"] = definition.holdoutPercent.map(Self.number)
        for (index, cap) in (definition.frequencyCap ?? []).prefix(Self.capRows).enumerated() {
            values["frequencyCap[\(index)].limit"] = String(cap.limit)
            values["frequencyCap[\(index)].windowSeconds"] = String(cap.window.components.seconds)
        }
        if let quiet = definition.quietHours {
            values["quietHours.start"] = Self.clock(quiet.startMinute)
            values["quietHours.end"] = Self.clock(quiet.endMinute)
            values["quietHours.action"] = quiet.action.rawValue
            values["quietHours.fallbackTimeZone"] = quiet.fallbackTimeZone
        }
        values["devicePolicy"] = definition.devicePolicy?.rawValue
        if let schedule = definition.schedule {
            values["schedule.at"] = schedule.at.map(Self.localInput)
            values["schedule.localTime"] = schedule.localTime
            values["schedule.optimized"] = schedule.optimized == true ? "true" : nil
        }
        values["ttlSeconds"] = definition.ttlSeconds.map(String.init)
        fields = FormFields(values: values)
    }

    /// The definition the form describes, decoded and checked as the API would; a ``PerchError`` naming the field.
    func definition() throws -> CampaignDefinition {
        var buffer = ByteBuffer()
        buffer.writeString(try json().jsonText)
        return try JSONBody.decode(CampaignDefinition.self, from: buffer)
    }

    /// The JSON body of `POST /v1/campaigns` the form spells. Blank fields are absent.
    func json() throws -> JSONValue {
        var object: [String: JSONValue] = ["name": .string(fields["name"] ?? "")]
        var audience: [String: JSONValue] = [:]
        if let segment = fields.text("audience.segmentId") { audience["segmentId"] = .string(segment) }
        if let filter = fields.text("audience.filter") { audience["filter"] = .string(filter) }
        if let users = fields.text("audience.userIds") {
            audience["userIds"] = .array(users.split(whereSeparator: { $0 == "\n" || $0 == "," || $0 == " " || $0 == "\t" }).map { JSONValue.string(String($0)) })
        }
        object["audience"] = .object(audience)
        object["message"] = try message(prefix: "message.", required: true)
        var variants: [JSONValue] = []
        for index in 0..<Self.variantRows {
            let prefix = "variants[\(index)]."
            guard fields.text(prefix + "name") != nil || fields.text(prefix + "weight") != nil || fields.text(prefix + "message.title") != nil
                    || fields.text(prefix + "message.body") != nil else { continue }
            var variant: [String: JSONValue] = ["name": .string(fields.text(prefix + "name") ?? "")]
            variant["weight"] = try number(prefix + "weight")
            if let message = try message(prefix: prefix + "message.", required: false) { variant["message"] = message }
            variants.append(.object(variant))
        }
        if !variants.isEmpty { object["variants"] = .array(variants) }
        object["holdoutPercent"] = try number("holdoutPercent")
        var caps: [JSONValue] = []
        for index in 0..<Self.capRows {
            let prefix = "frequencyCap[\(index)]."
            guard fields.text(prefix + "limit") != nil || fields.text(prefix + "windowSeconds") != nil else { continue }
            // Rows fill from the first, so the API's `frequencyCap[i]` in an error is the row the person filled in.
            guard caps.count == index else { throw PerchError.invalid(prefix.dropLast() + "", "fill the frequency caps from the first row") }
            let cap: [String: JSONValue?] = ["limit": try number(prefix + "limit"), "windowSeconds": try number(prefix + "windowSeconds")]
            caps.append(.object(cap.compactMapValues { $0 }))
        }
        if !caps.isEmpty { object["frequencyCap"] = .array(caps) }
        if fields.text("quietHours.start") != nil || fields.text("quietHours.end") != nil {
            var quiet: [String: JSONValue] = ["start": .string(fields.text("quietHours.start") ?? ""), "end": .string(fields.text("quietHours.end") ?? "")]
            if let action = fields.text("quietHours.action") { quiet["action"] = .string(action) }
            if let zone = fields.text("quietHours.fallbackTimeZone") { quiet["fallbackTimeZone"] = .string(zone) }
            object["quietHours"] = .object(quiet)
        }
        if let policy = fields.text("devicePolicy") { object["devicePolicy"] = .string(policy) }
        var schedule: [String: JSONValue] = [:]
        if let at = fields.text("schedule.at") {
            guard let date = Self.date(fromLocalInput: at) else { throw PerchError.invalid("schedule.at", "schedule.at is a date and time (UTC)") }
            schedule["at"] = .string(ISO8601DateFormatter().string(from: date))
        }
        if let local = fields.text("schedule.localTime") { schedule["localTime"] = .string(local) }
        if fields.text("schedule.optimized") == "true" { schedule["optimized"] = .bool(true) }
        if !schedule.isEmpty { object["schedule"] = .object(schedule) }
        object["ttlSeconds"] = try number("ttlSeconds")
        return .object(object)
    }

    /// A message's fields under `prefix`; `nil` when they are all blank and the message is optional (a variant's).
    func message(prefix: String, required: Bool) throws -> JSONValue? {
        let optional = ["url", "image", "sound"]
        let given = (["title", "body", "data"] + optional).contains { fields.text(prefix + $0) != nil }
        guard required || given else { return nil }
        var message: [String: JSONValue] = ["title": .string(fields[prefix + "title"] ?? ""), "body": .string(fields[prefix + "body"] ?? "")]
        for name in optional { if let value = fields.text(prefix + name) { message[name] = .string(value) } }
        if let data = fields.text(prefix + "data") {
            guard case .object? = JSONValue(jsonText: data) else {
                throw PerchError.invalid(prefix + "data", "\(prefix)data is a JSON object, e.g. {\"screen\": \"sale\"}")
            }
            message["data"] = JSONValue(jsonText: data)
        }
        return .object(message)
    }

    /// A numeric field as JSON; `nil` when blank, a 400 naming it when not a number.
    func number(_ name: String) throws -> JSONValue? {
        guard let text = fields.text(name) else { return nil }
        guard let value = Double(text), value.isFinite else { throw PerchError.invalid(name, "\(name) is a number") }
        return .number(value)
    }

    static func put(_ message: PushMessage, prefix: String, into values: inout [String: String]) {
        values[prefix + "title"] = message.title
        values[prefix + "body"] = message.body
        values[prefix + "url"] = message.url
        values[prefix + "image"] = message.image
        values[prefix + "sound"] = message.sound
        values[prefix + "data"] = message.data.map { JSONValue.object($0).jsonText }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }

    /// `<input type="datetime-local">`'s value for a time, in UTC (the dashboard's zone).
    static func localInput(_ date: Date) -> String {
        let c = HTML.calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// A `datetime-local` value (`2026-12-03T21:30`, seconds optional) read in UTC.
    static func date(fromLocalInput text: String) -> Date? {
        let parts = text.split(separator: "T")
        guard parts.count == 2 else { return nil }
        let day = parts[0].split(separator: "-").compactMap { Int($0) }, time = parts[1].split(separator: ":").compactMap { Int($0) }
        guard day.count == 3, (2...3).contains(time.count) else { return nil }
        let components = DateComponents(year: day[0], month: day[1], day: day[2], hour: time[0], minute: time[1], second: time.count == 3 ? time[2] : 0)
        guard components.isValidDate(in: HTML.calendar) else { return nil }
        return HTML.calendar.date(from: components)
    }
}
