/// The PostgreSQL text of the rollups' statement-level triggers.
enum TriggerSQL {
    /// A trigger function running `body`'s statements in order.
    static func function(_ name: String, _ body: [String]) -> String {
        """
        CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $rollup$
        BEGIN
        \(body.map { $0 + ";" }.joined(separator: "\n"))
        RETURN NULL;
        END
        $rollup$
        """
    }

    /// A statement-level trigger on `table` after `event` (`INSERT`, `UPDATE`, `DELETE`) passing its rows as
    /// `new_rows` and `old_rows`.
    static func trigger(_ name: String, _ event: String, on table: String, _ function: String) -> String {
        let transitions = event == "INSERT" ? "NEW TABLE AS new_rows"
            : event == "DELETE" ? "OLD TABLE AS old_rows" : "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        return """
            CREATE TRIGGER \(name) AFTER \(event) ON \(table) REFERENCING \(transitions)
            FOR EACH STATEMENT EXECUTE FUNCTION \(function)()
            """
    }
}
