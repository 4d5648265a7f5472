package kiln.drm.impl.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import kiln.drm.api.client.Client;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.client.NativeProcess;
import kiln.drm.impl.device.DrmCore;

/** The process table. Deactivation makes every live client exit, closing its files. */
@Component(service = {ClientFactory.class, ClientTable.class}, configurationPid = ClientTable.PID)
@Designate(ocd = ClientTable.Config.class)
public final class ClientTable implements ClientFactory {
    static final String PID = "kiln.drm.clients";

    @ObjectClassDefinition(name = "Kiln DRM clients", description = "The simulated process table")
    public @interface Config {
        @AttributeDefinition(name = "Address space limit (MiB)",
                description = "Most memory one client may map; more is ENOMEM")
        long memory_limit_mib() default 1024;
    }

    private final DrmCore core;
    private final long memoryLimit;
    private final AtomicInteger nextPid = new AtomicInteger(1000);
    private final ConcurrentSkipListMap<Integer, Process> live = new ConcurrentSkipListMap<>();

    @Activate
    public ClientTable(@Reference DrmCore core, Config config) {
        this.core = core;
        this.memoryLimit = config.memory_limit_mib() << 20;
    }

    @Override
    public Client spawn(String name, boolean privileged) {
        int pid = nextPid.getAndIncrement();
        Process process = new Process(pid, name, privileged, memoryLimit, core, this);
        live.put(pid, process);
        return process;
    }

    @Override
    public Client spawnNative(NativeProcess process, AddressSpace memory) {
        int pid = nextPid.getAndIncrement();
        Process p = new Process(pid, process, memory, core, this);
        live.put(pid, p);
        return p;
    }

    @Override
    public List<Client> clients() {
        return new ArrayList<>(live.values());
    }

    void exited(Process process) {
        live.remove(process.pid());
    }

    @Deactivate
    void deactivate() {
        for (Process p : live.values()) {
            p.exit();
        }
    }
}
