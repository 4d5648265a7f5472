package kiln.drm.bridge;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.client.OpenFile;
import kiln.drm.api.device.DrmDevice;
import kiln.runtime.support.shell.StartupLine;

/**
 * The runtime's end of the native bridge: a private Unix socket that native programs, with the
 * preload library in them ({@code bin/kiln-exec}), reach Kiln's device nodes through, and the
 * device tree they see. See {@link Wire} for the protocol. Each connection has a platform thread
 * of its own (its reads block in native code, which would pin a virtual thread's carrier).
 * Deactivation ends every connection: a program waiting in a call gets an error at once, and
 * every file native programs held is let go.
 */
@Component(service = BridgeServer.class, configurationPid = BridgeServer.PID, immediate = true)
@Designate(ocd = BridgeServer.Config.class)
public final class BridgeServer {
    static final String PID = "kiln.drm.bridge";
    /** Framework or system property naming the socket (below the configuration, above {@code KILN_SOCKET}). */
    public static final String SOCKET_PROPERTY = "kiln.socket";
    private static final System.Logger LOG = System.getLogger(BridgeServer.class.getName());
    private static final Pattern NODE = Pattern.compile("/dev/dri/((?:card|renderD)[0-9]{1,3})|/dev/(sw_sync)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1," + Wire.MAX_NAME + "}");

    @ObjectClassDefinition(name = "Kiln native bridge",
            description = "Kiln's device nodes for native Linux programs run under bin/kiln-exec")
    public @interface Config {
        @AttributeDefinition(name = "Socket", description = "The Unix socket native programs connect to. Empty: the "
                + "kiln.socket property, else $KILN_SOCKET, else $XDG_RUNTIME_DIR/kiln/kiln.sock, else /tmp/kiln-UID/kiln.sock")
        String socket() default "";

        @AttributeDefinition(name = "Other users", description = "Host user ids, besides the runtime's own and root, "
                + "whose programs may connect")
        int[] allowed_uids() default {};

        @AttributeDefinition(name = "Read caller memory directly", description = "Read and write a calling program's "
                + "memory with process_vm_readv/writev; off (or refused by the system): the program's library copies")
        boolean use_process_vm() default true;
    }

    private final NativeClients clients;
    private final Path socket;
    private final boolean useProcessVm;
    private final DeviceTree tree;
    private final Set<Integer> allowedUids = new HashSet<>();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<DrmDevice, Map<String, Object>> devices = new HashMap<>();
    /** Live connection descriptors and their threads (guarded by this). */
    private final Map<Integer, Thread> connections = new HashMap<>();
    private final int listener;
    private final HangupWatch hangups;
    private final Thread acceptor;
    private volatile boolean stopping;
    private final org.osgi.framework.ServiceRegistration<Object> startupLine;
    private final java.util.concurrent.atomic.LongAdder ioctls = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    private int sessions;

    /**
     * What {@code drm:bridge} shows.
     *
     * @param socket    where native programs connect
     * @param processes host processes with a Kiln client
     * @param sessions  control connections (one per calling thread)
     * @param endpoints files native processes hold
     * @param ioctls    ioctls served since start
     * @param refused   connections refused (another user)
     * @param processVm whether caller memory is read directly (else the library copies)
     */
    public record Status(String socket, int processes, int sessions, int endpoints, long ioctls, long refused,
            boolean processVm) {
    }

    public Status status() {
        int live;
        synchronized (this) {
            live = sessions;
        }
        return new Status(socket.toString(), clients.size(), live, endpoints.size(), ioctls.sum(), refused.get(), useProcessVm);
    }

    void ioctlServed() {
        ioctls.increment();
    }

    @Activate
    public BridgeServer(@Reference ClientFactory clientFactory, BundleContext context, Config config) throws IOException {
        this.clients = new NativeClients(clientFactory);
        this.socket = socketPath(config, context);
        this.useProcessVm = config.use_process_vm();
        int own = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        allowedUids.add(own);
        allowedUids.add(0);
        for (int uid : config.allowed_uids()) {
            allowedUids.add(uid);
        }
        Path dir = socket.getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dir.resolve("n"));
        this.tree = new DeviceTree(dir.resolve("root"));
        synchronized (this) {
            writeTree();
        }
        Files.deleteIfExists(socket); // a runtime that ended without cleaning up
        this.hangups = new HangupWatch();
        this.listener = Posix.listen(socket.toString(), 128);
        this.acceptor = Thread.ofPlatform().name("kiln-bridge-accept").daemon(true).start(this::acceptLoop);
        LOG.log(System.Logger.Level.INFO, "native bridge listening on " + socket + " (bin/kiln-exec PROGRAM)");
        // outside a framework (benchmarks) there is no report to add to
        this.startupLine = context == null ? null : context.registerService(Object.class, new Object(), new java.util.Hashtable<>(
                Map.of(StartupLine.PROPERTY, "Native device nodes: " + socket + " (run programs with bin/kiln-exec)")));
    }

    static Path socketPath(Config config, BundleContext context) {
        if (!config.socket().isBlank()) {
            return Path.of(config.socket());
        }
        String property = context == null ? null : context.getProperty(SOCKET_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("KILN_SOCKET");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime, "kiln", "kiln.sock");
        }
        try {
            return Path.of("/tmp", "kiln-" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"), "kiln.sock");
        } catch (IOException e) {
            return Path.of("/tmp", "kiln-" + System.getProperty("user.name"), "kiln.sock");
        }
    }

    /** Where native programs connect. */
    public Path socket() {
        return socket;
    }

    /**
     * A device came: the tree is rewritten on the bridge's own thread, never on the thread that
     * registers the device (it must not wait for file I/O, and a driver may still be finishing
     * its probe there). A native program started the same instant may miss the device for a moment.
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public synchronized void addDevice(DrmDevice device, Map<String, Object> properties) {
        devices.put(device, properties);
        treeChanged();
    }

    public synchronized void removeDevice(DrmDevice device) {
        if (devices.remove(device) != null) {
            treeChanged();
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean treeDirty = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ExecutorService treeWriter = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("kiln-bridge-tree").daemon(true).unstarted(r));

    private void treeChanged() {
        if (stopping) {
            return; // DS unbinds the devices after deactivation: the tree is gone already
        }
        if (treeDirty.compareAndSet(false, true)) {
            treeWriter.execute(() -> {
                treeDirty.set(false); // later changes schedule another write
                synchronized (this) {
                    writeTree();
                }
            });
        }
    }

    /** Writes the tree now, and waits for a write in progress (tests, benchmarks). */
    public void awaitTree() throws Exception {
        treeWriter.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    private void writeTree() {
        if (tree == null || stopping) {
            return; // the constructor writes it once the fields are set
        }
        List<DeviceTree.Node> nodes = new ArrayList<>();
        for (Map.Entry<DrmDevice, Map<String, Object>> e : devices.entrySet()) {
            Map<String, Object> p = e.getValue();
            Object compatible = p.get(DrmDevice.OF_COMPATIBLE);
            nodes.add(new DeviceTree.Node((Integer) p.get(DrmDevice.PRIMARY_MINOR), (Integer) p.get(DrmDevice.RENDER_MINOR),
                    String.valueOf(p.get(DrmDevice.DRIVER_NAME)), compatible == null ? "kiln,gpu" : compatible.toString(),
                    e.getKey().unique()));
        }
        try {
            tree.write(nodes);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot write the device tree under " + tree.root(), e);
        }
    }

    private void acceptLoop() {
        while (!stopping) {
            int fd;
            try {
                fd = Posix.accept(listener);
            } catch (Posix.PosixException e) {
                if (!stopping) {
                    LOG.log(System.Logger.Level.ERROR, "native bridge: accept failed, no more connections", e);
                }
                return;
            }
            Thread thread = Thread.ofPlatform().name("kiln-bridge-" + fd).daemon(true).stackSize(512 * 1024)
                    .unstarted(() -> serve(fd));
            synchronized (this) {
                if (stopping) {
                    Posix.close(fd);
                    return;
                }
                connections.put(fd, thread);
            }
            thread.start();
        }
    }

    /** A new connection: its credentials, then its first message says what it is. */
    private void serve(int fd) {
        Runnable next = null;
        try (Arena arena = Arena.ofConfined()) {
            int[] cred = Posix.peerCredentials(fd);
            int pid = cred[0];
            int uid = cred[1];
            MemorySegment state = Posix.callState(arena);
            MemorySegment message = arena.allocate(Wire.MAX_MESSAGE, 8);
            if (!allowedUids.contains(uid)) {
                LOG.log(System.Logger.Level.WARNING, "native bridge: refused pid " + pid + " of uid " + uid
                        + " (not among " + allowedUids + ")");
                refused.incrementAndGet();
                answer(fd, -Errno.EACCES.code(), message, state);
                return;
            }
            int n = Posix.recv(fd, message, state);
            int op = n >= 4 ? message.get(ValueLayout.JAVA_INT_UNALIGNED, 0) : 0;
            if (op == Wire.HELLO && n == 8) {
                Client client = clients.acquire(pid, uid);
                synchronized (this) {
                    sessions++;
                }
                next = new Session(this, fd, pid, client, useProcessVm);
                hangups.watch(fd, Thread.currentThread()); // the session runs on this thread
            } else if (op == Wire.OPEN && n > 8) {
                String path = new String(message.asSlice(8, n - 8).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                next = open(fd, pid, uid, path, message, state);
            } else if (op == Wire.ADOPT && n == 16) {
                next = adopt(fd, pid, uid, message.get(ValueLayout.JAVA_LONG_UNALIGNED, 8), message, state);
            } else if (n > 0) {
                answer(fd, -Errno.EINVAL.code(), message, state);
            }
        } catch (Posix.PosixException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "native bridge: connection " + fd + " failed: " + e.getMessage());
        } finally {
            if (next == null) {
                connectionEnded(fd);
            }
        }
        if (next != null) {
            next.run(); // the session or endpoint ends the connection itself
        }
    }

    private Endpoint open(int fd, int pid, int uid, String path, MemorySegment message, MemorySegment state)
            throws Posix.PosixException {
        var node = NODE.matcher(path);
        String bound = Posix.peerName(fd);
        String name = bound.substring(bound.lastIndexOf('/') + 1);
        if (!node.matches()) {
            answer(fd, -Errno.ENOENT.code(), message, state);
            return null;
        }
        if (!NAME.matcher(name).matches() || endpoints.containsKey(name)) {
            answer(fd, -Errno.EINVAL.code(), message, state);
            return null;
        }
        String nodeName = node.group(1) != null ? node.group(1) : node.group(2);
        Client opener = clients.acquire(pid, uid);
        OpenFile held = null;
        try {
            int kfd = opener.open(nodeName);
            try {
                held = opener.hold(kfd);
            } finally {
                opener.close(kfd);
            }
            Endpoint endpoint = new Endpoint(this, fd, name, nodeName, held, pid);
            endpoints.put(name, endpoint);
            answer(fd, 0, message, state);
            return endpoint;
        } catch (DrmException e) {
            if (held != null) {
                endpoints.remove(name);
                held.close();
            }
            clients.release(pid);
            answer(fd, -e.errno().code(), message, state);
            return null;
        } catch (Posix.PosixException e) {
            endpoints.remove(name);
            held.close();
            clients.release(pid);
            throw e;
        }
    }

    private static void answer(int fd, int result, MemorySegment message, MemorySegment state) throws Posix.PosixException {
        message.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Wire.REPLY);
        message.set(ValueLayout.JAVA_INT_UNALIGNED, 4, result);
        message.set(ValueLayout.JAVA_INT_UNALIGNED, 8, 0);
        message.set(ValueLayout.JAVA_INT_UNALIGNED, 12, 0);
        Posix.send(fd, message, 16, state);
    }

    /** A file made by an ioctl, waiting for its caller's endpoint. */
    private record Pending(OpenFile file, String kind) {
    }

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final java.security.SecureRandom ids = new java.security.SecureRandom();

    long awaitAdoption(OpenFile file, String kind) {
        long id;
        do {
            id = ids.nextLong();
        } while (pending.putIfAbsent(id, new Pending(file, kind)) != null);
        return id;
    }

    void dropAdoption(long id) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.file().close();
        }
    }

    /**
     * What a file Kiln hands out is, as its endpoint's name and {@code /proc/self/fd} show it.
     * Told by the DRM core's class names (the core exports no type for them).
     */
    static String kindOf(Object file) {
        return switch (file.getClass().getSimpleName()) {
            case "SyncobjFile" -> "syncobj";
            case "SyncFile" -> "sync_file";
            case "DmaBuf" -> "dmabuf";
            case "SwSync" -> "sw_sync";
            default -> "file";
        };
    }

    private Endpoint adopt(int fd, int pid, int uid, long id, MemorySegment message, MemorySegment state)
            throws Posix.PosixException {
        String bound = Posix.peerName(fd);
        String name = bound.substring(bound.lastIndexOf('/') + 1);
        Pending p = pending.get(id);
        if (p == null || !NAME.matcher(name).matches() || !name.startsWith(p.kind() + "-") || endpoints.containsKey(name)
                || !pending.remove(id, p)) {
            answer(fd, -Errno.EINVAL.code(), message, state);
            return null;
        }
        clients.acquire(pid, uid);
        Endpoint endpoint = new Endpoint(this, fd, name, p.kind(), p.file(), pid);
        endpoints.put(name, endpoint);
        try {
            answer(fd, 0, message, state);
        } catch (Posix.PosixException e) {
            endpoints.remove(name);
            p.file().close();
            clients.release(pid);
            throw e;
        }
        endpoint.signalReadiness(); // after the answer: the program reads that first
        return endpoint;
    }

    NativeClients clients() {
        return clients;
    }

    Endpoint endpoint(String name) {
        return endpoints.get(name);
    }

    void sessionEnded(Session session, int fd, int pid) {
        hangups.forget(fd);
        synchronized (this) {
            sessions--;
        }
        clients.release(pid);
        connectionEnded(fd);
    }

    void endpointEnded(Endpoint endpoint) {
        endpoints.remove(endpoint.name, endpoint);
        clients.release(endpoint.openerPid);
        connectionEnded(endpoint.fd);
    }

    private void connectionEnded(int fd) {
        synchronized (this) {
            connections.remove(fd); // before close: deactivate never shuts a number that was reused
            Posix.close(fd);
        }
    }

    @Deactivate
    public void deactivate() {
        if (startupLine != null) {
            startupLine.unregister();
        }
        List<Thread> threads;
        synchronized (this) {
            stopping = true;
            for (int fd : connections.keySet()) {
                Posix.shutdown(fd);
            }
            threads = new ArrayList<>(connections.values());
        }
        Posix.shutdown(listener);
        for (Thread t : threads) {
            t.interrupt(); // a call waiting inside Kiln gives up
        }
        try {
            acceptor.join(5_000);
            for (Thread t : threads) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Posix.close(listener);
        hangups.close();
        treeWriter.shutdownNow();
        try {
            treeWriter.awaitTermination(5, TimeUnit.SECONDS); // no write may follow the removal below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pending.keySet().forEach(this::dropAdoption);
        try {
            Files.deleteIfExists(socket);
            tree.remove();
            try (var left = Files.list(socket.getParent().resolve("n"))) {
                if (left.findAny().isEmpty()) {
                    Files.delete(socket.getParent().resolve("n"));
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "native bridge: could not clean up " + socket.getParent(), e);
        }
    }
}
