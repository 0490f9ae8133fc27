package io.quiver.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.common.error.BadRequestException;
import org.junit.jupiter.api.Test;

/**
 * Which InfluxQL texts a training request may send: one SELECT that writes nothing, however it is
 * spelled, and nothing that could carry a second statement or an INTO past the check.
 */
class ReadOnlyQueriesTest {

    private static String refusal(String query) {
        return assertThrows(BadRequestException.class, () -> InfluxQueries.readOnlySelect(query)).getMessage();
    }

    @Test
    void aSelectIsSentAsWrittenLessAFinalSemicolon() {
        assertEquals("select mean(v) AS v FROM \"cpu\" WHERE time > now() - 1h GROUP BY time(1m)",
                InfluxQueries.readOnlySelect("\n  select mean(v) AS v FROM \"cpu\" WHERE time > now() - 1h GROUP BY time(1m);  \n"));
        assertEquals("SELECT a FROM m WHERE host =~ /^web/", InfluxQueries.readOnlySelect("SELECT a FROM m WHERE host =~ /^web/"));
    }

    @Test
    void otherStatementsAreRefusedNamingTheirFirstWord() {
        assertTrue(refusal("SHOW DATABASES").contains("must be a SELECT statement"), refusal("SHOW DATABASES"));
        assertTrue(refusal("drop database training").contains("(got 'drop')"), refusal("drop database training"));
        assertTrue(refusal("-- comment\nSELECT a FROM m").contains("must be a SELECT statement"));
        assertTrue(refusal("SELECTa FROM m").contains("must be a SELECT statement"));
    }

    @Test
    void aSecondStatementCannotHideInQuotesOrRegularExpressions() {
        for (String query : new String[] {"SELECT a FROM m; DROP DATABASE training",
                "SELECT a FROM m WHERE host =~ /'/; DROP DATABASE training; SELECT '/",
                "SELECT a FROM m WHERE tag = ';'"}) {
            assertTrue(refusal(query).contains("must be one statement"), query);
        }
    }

    @Test
    void intoIsRefusedAnywhere() {
        for (String query : new String[] {"SELECT * INTO copy FROM m", "select * into \"db\".\"rp\".\"m\" from m",
                "SELECT * FROM (SELECT * INTO copy FROM m)"}) {
            assertTrue(refusal(query).contains("SELECT ... INTO writes"), query);
        }
    }

    @Test
    void anEmptyQueryIsRefused() {
        assertTrue(refusal("  ").contains("config.data_source.query is required"));
        assertTrue(refusal(null).contains("config.data_source.query is required"));
    }
}
