extension SQLStore {
    /// How many times a compare-and-set write reads and decides again before it gives up: each retry means another
    /// writer changed the same row in between, which a handful of times in a row only a storm of writers does.
    static var compareAndSetAttempts: Int { 16 }
}
