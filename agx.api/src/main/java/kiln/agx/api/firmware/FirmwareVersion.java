package kiln.agx.api.firmware;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A firmware ABI version as the device tree's {@code apple,firmware-compat} states it
 * ({@code [13, 2, 0]}), ordered as versions are.
 *
 * @param major e.g. 13
 * @param minor e.g. 2
 * @param patch usually 0
 */
public record FirmwareVersion(int major, int minor, int patch) implements Comparable<FirmwareVersion> {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})(?:\\.(\\d{1,3}))?");

    public FirmwareVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("negative version component: " + major + "." + minor + "." + patch);
        }
    }

    /**
     * Parses {@code 13.2} or {@code 13.2.0}.
     *
     * @throws IllegalArgumentException if the text is not such a version
     */
    public static FirmwareVersion parse(String text) {
        Matcher m = TEXT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a firmware version (want e.g. 13.2): " + text);
        }
        return new FirmwareVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    @Override
    public int compareTo(FirmwareVersion other) {
        int c = Integer.compare(major, other.major);
        if (c == 0) {
            c = Integer.compare(minor, other.minor);
        }
        return c != 0 ? c : Integer.compare(patch, other.patch);
    }

    /** {@code 13.2}, or {@code 13.2.1} when the patch level is not 0. */
    @Override
    public String toString() {
        return patch == 0 ? major + "." + minor : major + "." + minor + "." + patch;
    }
}
