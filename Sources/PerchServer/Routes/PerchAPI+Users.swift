import Foundation
import Hummingbird
import PerchCore
import PerchHealth
import PerchStore

extension PerchAPI {
    struct AttributesBody: Decodable {
        var attributes: [String: JSONValue]?
    }

    func addUserRoutes(to router: Router<PerchRequestContext>) {
        router.put("/v1/users/:userId") { request, context in
            let appId = try context.appId(requiring: .secret)
            let userId = try context.parameters.identifier("userId", rule: FieldRules.userId)
            let body = try await JSONBody.decode(AttributesBody.self, from: request)
            guard let attributes = try FieldRules.attributes(body.attributes) else { throw PerchError.missing("attributes") }
            let profile = try await store.setUserAttributes(appId: appId, userId: userId, attributes: attributes, now: now())
            return try JSONResponse.make(UserView(profile))
        }

        router.get("/v1/users/:userId") { _, context in
            let appId = try context.appId(requiring: .secret)
            let userId = try context.parameters.identifier("userId", rule: FieldRules.userId)
            guard let profile = try await store.userProfile(appId: appId, userId: userId) else { throw PerchError.notFound("user") }
            return try JSONResponse.make(UserView(profile))
        }

        router.get("/v1/users/:userId/export") { _, context in
            let appId = try context.appId(requiring: .secret)
            let userId = try context.parameters.identifier("userId", rule: FieldRules.userId)
            guard let export = try await store.exportUser(appId: appId, userId: userId) else { throw PerchError.notFound("user") }
            return try JSONResponse.make(UserExportView(export, now: now()))
        }

        router.delete("/v1/users/:userId") { _, context in
            let appId = try context.appId(requiring: .secret)
            let userId = try context.parameters.identifier("userId", rule: FieldRules.userId)
            guard try await store.eraseUser(appId: appId, userId: userId) else { throw PerchError.notFound("user") }
            return try JSONResponse.make(["userId": userId, "erased": "true"])
        }
    }
}
