import Foundation
import NIOPosix
import PerchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a Web Push endpoint's host to addresses, so ``EndpointPolicy`` can judge them.
public protocol EndpointResolver: Sendable {
    func addresses(of host: String) async throws -> [IPAddress]
}

/// The system resolver (`getaddrinfo`), run on NIO's thread pool so it never blocks an event loop. It has no
/// timeout of its own: ``CachingEndpointResolver`` bounds it. No addresses: the name did not resolve.
public struct SystemEndpointResolver: EndpointResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [IPAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                if info.pointee.ai_family == AF_INET, let raw = info.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        let bytes = withUnsafeBytes(of: &address) { Array($0) }
                        addresses.append(.v4(bytes))
                    }
                } else if info.pointee.ai_family == AF_INET6, let raw = info.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        let bytes = withUnsafeBytes(of: &address) { Array($0) }
                        addresses.append(.v6(bytes))
                    }
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }
}
