extension PostgresStore {
    /// Every rollup trigger function returns at once when its statement changed no row.
    ///
    /// A statement-level trigger fires even when its statement touched nothing: an `INSERT … ON CONFLICT DO UPDATE` of new
    /// installations fires the `UPDATE` triggers with empty transition tables, and every idle claim of the delivery queue
    /// (an `UPDATE` that finds nothing due, twenty times a second per worker lane) ran all of `deliveries`' rollup
    /// statements, about 0.9 ms of PostgreSQL CPU each time (bench/scale/README.md, session 31). The guard is added to
    /// the functions as they stand, whichever migration wrote them last: after the `BEGIN` that opens each body, a test of
    /// `new_rows` (or, for a function that reads only the deleted rows, `old_rows`; an update has as many of each).
    static let emptyStatementGuardsMigration = Migration(version: 14, name: "empty-statement-guards", statements: [guardTriggerFunctions])

    /// Adds the guard to every trigger function that lacks it; a later migration that replaces functions runs it again.
    static let guardTriggerFunctions = """
        DO $guards$
        DECLARE f record; rows text; body text;
        BEGIN
            FOR f IN SELECT p.proname, p.prosrc FROM pg_proc p
                WHERE p.prorettype = 'trigger'::regtype AND p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'perch\\_%'
                    AND p.prosrc ~ '^\\s*BEGIN\\s' AND p.prosrc !~ 'RETURN NULL; END IF;'
            LOOP
                rows := CASE WHEN f.prosrc ~ '\\mnew_rows\\M' THEN 'new_rows' ELSE 'old_rows' END;
                body := regexp_replace(f.prosrc, '^\\s*BEGIN\\s',
                    E'\\nBEGIN\\nIF NOT EXISTS (SELECT 1 FROM ' || rows || E') THEN RETURN NULL; END IF;\\n');
                EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L', f.proname, body);
            END LOOP;
        END
        $guards$
        """
}
