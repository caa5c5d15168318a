/// The ids the stores give what they create.
public enum StoreIdentifier {
    /// A new random id: the prefix and 20 base-36 characters (103 bits) from two draws of the system generator (one
    /// draw per character would cost a system call each).
    public static func new(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() % 3_656_158_440_062_976, radix: 36)   // 36^10
        let low = String(generator.next() % 3_656_158_440_062_976, radix: 36)
        return prefix + "_" + String(repeating: "0", count: 10 - high.count) + high + String(repeating: "0", count: 10 - low.count) + low
    }
}
