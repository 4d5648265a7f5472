package kiln.drm.api.client;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The process table: starts clients and lists the live ones. */
@ProviderType
public interface ClientFactory {
    /**
     * Starts a client.
     *
     * @param name       its {@code comm}
     * @param privileged whether it holds CAP_SYS_ADMIN
     */
    Client spawn(String name, boolean privileged);

    /**
     * Starts the client standing for a native process: its name is the process's {@code comm},
     * it is privileged when the process runs as root, and UAPI pointers are read and written
     * through {@code memory}, which the caller provides (the native bridge reads the calling
     * process's memory). Exiting it unmaps nothing: the process's memory is its own.
     */
    Client spawnNative(NativeProcess process, AddressSpace memory);

    /** Live clients, by pid. */
    List<Client> clients();
}
