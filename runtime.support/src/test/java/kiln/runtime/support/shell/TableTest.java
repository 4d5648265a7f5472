package kiln.runtime.support.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void rendersAlignedColumns() {
        Table t = new Table("chip", "gen", "firmware").row("t8103", "G13", "13.2").row("t6002", "G13", null);
        assertEquals("""
                chip   gen  firmware
                t8103  G13  13.2
                t6002  G13  -
                """, t.render());
    }

    @Test
    void rendersJsonWithTypedValues() {
        Table t = new Table("name", "id", "ok", "tags").row("a \"q\"\n", 7, true, List.of("x", 2));
        assertEquals("[\n  {\"name\": \"a \\\"q\\\"\\n\", \"id\": 7, \"ok\": true, \"tags\": [\"x\", 2]}\n]", t.toJson());
        assertEquals("[]", new Table("a").toJson());
        assertEquals("a\n(none)\n", new Table("a").render());
    }

    @Test
    void refusesRaggedRows() {
        assertThrows(IllegalArgumentException.class, () -> new Table("a", "b").row("only one"));
    }
}
