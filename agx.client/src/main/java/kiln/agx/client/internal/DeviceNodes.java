package kiln.agx.client.internal;

import java.util.Collection;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import kiln.drm.api.device.DrmDevice;

/** Finds a running asahi device's render node by the device's name (a command's control path). */
final class DeviceNodes {
    private DeviceNodes() {
    }

    static String renderNode(BundleContext context, String device) {
        try {
            Collection<ServiceReference<DrmDevice>> refs = context.getServiceReferences(DrmDevice.class,
                    "(&(drm.driver=asahi)(agx.device.name=" + device + "))");
            return refs.stream().findFirst().map(r -> (String) r.getProperty(DrmDevice.RENDER_NODE))
                    .orElseThrow(() -> new IllegalArgumentException("no running asahi device " + device
                            + "; agx:devices lists them"));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad device name " + device, e);
        }
    }
}
