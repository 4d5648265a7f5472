package kiln.runtime.support.shell;

import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;

/** Minimal JSON writing for shell output: strings, numbers, booleans, null and arrays. */
final class Json {
    private Json() {
    }

    static void value(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Collection<?> items) {
            array(out, items.iterator());
        } else if (value instanceof Object[] items) {
            array(out, Arrays.asList(items).iterator());
        } else {
            string(out, value.toString());
        }
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void array(StringBuilder out, Iterator<?> items) {
        out.append('[');
        boolean first = true;
        while (items.hasNext()) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            value(out, items.next());
        }
        out.append(']');
    }
}
