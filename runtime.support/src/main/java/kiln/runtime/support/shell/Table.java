package kiln.runtime.support.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What a shell command returns: named columns and rows of values, rendered either as an aligned
 * table for people or as a JSON array of objects (one per row, keyed by column name) for scripts.
 *
 * <p>Values are rendered with {@link String#valueOf}; in JSON, numbers and booleans stay bare,
 * collections become arrays, everything else becomes a string.
 */
public final class Table {
    private final List<String> columns;
    private final List<Object[]> rows = new ArrayList<>();

    public Table(String... columns) {
        this.columns = List.of(columns);
    }

    /** Adds a row; it must have one value per column. */
    public Table row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values for " + columns.size() + " columns");
        }
        rows.add(values.clone());
        return this;
    }

    /** The aligned text form: a header line, then one line per row; "(none)" when empty. */
    public String render() {
        int[] width = new int[columns.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = columns.get(c).length();
            for (Object[] row : rows) {
                width[c] = Math.max(width[c], text(row[c]).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, width, columns.toArray());
        for (Object[] row : rows) {
            line(out, width, row);
        }
        if (rows.isEmpty()) {
            out.append("(none)\n");
        }
        return out.toString();
    }

    /** The JSON form: {@code [{"column": value, ...}, ...]}. */
    public String toJson() {
        StringBuilder out = new StringBuilder("[");
        for (int r = 0; r < rows.size(); r++) {
            out.append(r == 0 ? "\n  {" : ",\n  {");
            Object[] row = rows.get(r);
            for (int c = 0; c < columns.size(); c++) {
                if (c > 0) {
                    out.append(", ");
                }
                Json.string(out, columns.get(c));
                out.append(": ");
                Json.value(out, row[c]);
            }
            out.append('}');
        }
        return out.append(rows.isEmpty() ? "]" : "\n]").toString();
    }

    private static void line(StringBuilder out, int[] width, Object[] values) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < values.length; c++) {
            String cell = text(values[c]);
            line.append(cell);
            if (c < values.length - 1) {
                line.append(" ".repeat(width[c] - cell.length() + 2));
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String text(Object value) {
        if (value instanceof Collection<?> items) {
            return String.join(",", items.stream().map(String::valueOf).toList());
        }
        if (value instanceof Object[] items) {
            return String.join(",", Arrays.stream(items).map(String::valueOf).toList());
        }
        return Objects.toString(value, "-");
    }
}
