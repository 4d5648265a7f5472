package kiln.distro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the real exported runtime through {@code bin/run}, as a user would: a Gogo script on
 * standard input, fed one command at a time while the test watches the output and the deploy
 * directory.
 */
class RuntimeSmokeIT {
    private static final Path ROOT = Path.of(System.getProperty("kiln.root", "..")).toAbsolutePath().normalize();
    private static final Path KILN_JAR = Path.of(System.getProperty("kiln.jar", "target/kiln.jar"));
    private static final List<String> KILN_BUNDLES = List.of("runtime.support", "drm.api", "drm.impl", "agx.api",
            "agx.silicon", "agx.firmware", "agx.g13", "agx.g14", "firmware.fw12_3", "firmware.fw13_2", "agx.driver", "agx.client", "drm.bridge");
    /** What a clean run must never print (slf4j-simple levels, JUL, stack traces, gogo failures). */
    private static final Pattern NOISE = Pattern.compile("WARN|ERROR|SEVERE|Exception|^\\s+at |gogo: ", Pattern.MULTILINE);

    @TempDir
    Path deploy;

    /** Where the runtime of a test whose deploy directory is {@code deploy} serves native programs. */
    static Path bridgeSocket(Path deploy) {
        return deploy.resolveSibling(deploy.getFileName() + "-bridge").resolve("kiln.sock");
    }

    @Test
    void shellDrivesTheRuntimeAndDeployDirectory() throws Exception {
        try (Runtime runtime = Runtime.start(deploy)) {
            String bundles = runtime.command("lb -s");
            for (String bsn : KILN_BUNDLES) {
                assertTrue(bundles.lines().anyMatch(l -> l.contains("|Active ") && l.contains("|" + bsn + " (")),
                        bsn + " not active in\n" + bundles);
            }
            assertTrue(runtime.command("agx:fw").contains("13.2"));

            runtime.command("stop firmware.fw13_2");
            String cores = runtime.command("agx:cores");
            assertTrue(line(cores, "t8112").endsWith("none compatible"), cores);
            assertTrue(line(cores, "t8103").endsWith("12.3"), cores);

            runtime.command("start " + bundleId(bundles, "firmware.fw13_2"));
            assertTrue(line(runtime.command("agx:cores"), "t8112").endsWith("13.2"));

            // the FileInstall path: take the bundle out of the runtime, then hand it back as a file
            runtime.command("uninstall " + bundleId(bundles, "firmware.fw13_2"));
            assertFalse(runtime.command("agx:fw").contains("13.2"));
            Path jar = Files.copy(firmwareJar(), deploy.resolve("firmware.fw13_2.jar"));
            runtime.awaitCommand("agx:fw", t -> t.contains("13.2"), Duration.ofSeconds(20));
            Files.delete(jar);
            runtime.awaitCommand("agx:fw", t -> !t.contains("13.2"), Duration.ofSeconds(20));

            assertEquals(0, runtime.finish(), "exit status of a script whose commands all succeeded");
            String everything = runtime.transcript();
            assertTrue(everything.contains("Kiln runtime up in"), "start-up report missing:\n" + everything);
            assertTrue(everything.contains("Native device nodes: " + bridgeSocket(deploy)),
                    "the report says where native programs connect:\n" + everything);
            assertFalse(NOISE.matcher(everything).find(), "a clean run printed a warning or a trace:\n" + everything);
        }
    }

    @Test
    void aFailingCommandMakesTheScriptFail() throws Exception {
        try (Runtime runtime = Runtime.start(deploy)) {
            runtime.command("agx:fw");
            runtime.send("no-such-command");
            assertEquals(1, runtime.finish());
            assertTrue(runtime.transcript().contains("Command not found: no-such-command"), runtime.transcript());
        }
    }

    private static Path firmwareJar() throws IOException {
        try (var files = Files.list(ROOT.resolve("firmware.fw13_2/target"))) {
            return files.filter(p -> p.getFileName().toString().matches("firmware\\.fw13_2-.*\\.jar")).findFirst().orElseThrow();
        }
    }

    private static String bundleId(String lb, String bsn) {
        Matcher m = Pattern.compile("^\\s*(\\d+)\\|.*\\|" + Pattern.quote(bsn) + " \\(", Pattern.MULTILINE).matcher(lb);
        assertTrue(m.find(), bsn + " not in\n" + lb);
        return m.group(1);
    }

    private static String line(String table, String chip) {
        return table.lines().filter(l -> l.startsWith(chip + " ")).findFirst().orElse("<no " + chip + " line>");
    }

    /** bin/run in script mode on a pipe, with stdout split into per-command replies. */
    private static final class Runtime implements AutoCloseable {
        private static final Duration REPLY = Duration.ofSeconds(60);
        private final Process process;
        private final Writer stdin;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuffer transcript = new StringBuffer();
        private int marker;

        private Runtime(Process process) {
            this.process = process;
            this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
            pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
        }

        static Runtime start(Path deploy) throws IOException {
            assertTrue(Files.isRegularFile(KILN_JAR), "runtime not exported: " + KILN_JAR);
            ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/run").toString(), "--no-build");
            pb.environment().put("KILN_DEPLOY", deploy.toString());
            // a socket of its own (outside the watched directory): a developer's running runtime keeps its bridge
            pb.environment().put("KILN_SOCKET", bridgeSocket(deploy).toString());
            return new Runtime(pb.start());
        }

        private void pump(BufferedReader reader, boolean toQueue) {
            Thread t = new Thread(() -> {
                try {
                    for (String line; (line = reader.readLine()) != null; ) {
                        transcript.append(line).append('\n');
                        if (toQueue) {
                            lines.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone; finish() reports how it ended
                }
            });
            t.setDaemon(true);
            t.start();
        }

        void send(String command) throws IOException {
            stdin.write(command + "\n");
            stdin.flush();
        }

        /** Runs one command and returns what it printed on stdout. */
        String command(String command) throws Exception {
            String end = "__kiln_end_" + (++marker) + "__";
            send(command);
            send("echo " + end);
            StringBuilder reply = new StringBuilder();
            long deadline = System.nanoTime() + REPLY.toNanos();
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no reply to '" + command + "' within " + REPLY + "; transcript:\n" + transcript);
                }
                if (line.equals(end)) {
                    return reply.toString();
                }
                reply.append(line).append('\n');
            }
        }

        String awaitCommand(String command, Predicate<String> done, Duration limit) throws Exception {
            long deadline = System.nanoTime() + limit.toNanos();
            String reply = command(command);
            while (!done.test(reply)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("'" + command + "' never gave the expected reply; last:\n" + reply);
                }
                Thread.sleep(200);
                reply = command(command);
            }
            return reply;
        }

        int finish() throws Exception {
            stdin.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("runtime did not stop after the script ended; transcript:\n" + transcript);
            }
            Thread.sleep(100); // let the pumps drain
            return process.exitValue();
        }

        String transcript() {
            return transcript.toString();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
