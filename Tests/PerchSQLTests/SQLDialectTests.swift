import Testing
import PerchSQL

@Suite("SQL written once, in two dialects")
struct SQLDialectTests {
    @Test("SQLite takes the statement as written")
    func sqlite() {
        #expect(SQLDialect.sqlite.text("SELECT a FROM t WHERE b = ? AND c = ?") == "SELECT a FROM t WHERE b = ? AND c = ?")
    }

    @Test("PostgreSQL numbers the placeholders in order of appearance")
    func postgres() {
        #expect(SQLDialect.postgres.text("UPDATE t SET a = ?, b = COALESCE(?, b) WHERE id = ?")
                == "UPDATE t SET a = $1, b = COALESCE($2, b) WHERE id = $3")
    }

    @Test("a question mark inside a quoted literal or identifier is not a placeholder")
    func quoted() {
        #expect(SQLDialect.postgres.text(#"SELECT 'why?' AS "what?", ? FROM t WHERE x = 'it''s ?' AND y = ?"#)
                == #"SELECT 'why?' AS "what?", $1 FROM t WHERE x = 'it''s ?' AND y = $2"#)
    }

    @Test("only PostgreSQL needs a row lock spelled out")
    func forUpdate() {
        #expect(SQLDialect.postgres.forUpdate == " FOR UPDATE")
        #expect(SQLDialect.sqlite.forUpdate.isEmpty)
    }

    @Test("the person key in SQL is the planner's: the user when known, the installation otherwise")
    func person() {
        #expect(SQLExpressions.person(user: "d.user_id", installation: "d.installation_id")
                == "CASE WHEN d.user_id IS NOT NULL THEN 'user:' || d.user_id ELSE 'installation:' || d.installation_id END")
    }
}
