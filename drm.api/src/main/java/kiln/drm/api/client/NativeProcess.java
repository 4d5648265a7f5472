package kiln.drm.api.client;

/**
 * The Linux process behind a native client (one reached through Kiln's device nodes from outside
 * the runtime), as the kernel's credentials give it.
 *
 * @param pid         its process id on the host
 * @param uid         its real user id on the host
 * @param commandLine its {@code /proc/PID/cmdline}, arguments separated by spaces
 */
public record NativeProcess(int pid, int uid, String commandLine) {
    public NativeProcess {
        if (commandLine == null) {
            throw new IllegalArgumentException("null command line");
        }
    }

    /** What {@code comm} would be: the program's base name, at most 15 bytes as the kernel keeps it. */
    public String comm() {
        String program = commandLine.isEmpty() ? "?" : commandLine.split(" ", 2)[0];
        String base = program.substring(program.lastIndexOf('/') + 1);
        return base.length() > 15 ? base.substring(0, 15) : base;
    }
}
