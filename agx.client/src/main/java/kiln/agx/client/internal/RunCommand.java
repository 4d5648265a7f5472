package kiln.agx.client.internal;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;

import javax.imageio.ImageIO;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import kiln.agx.client.demo.Workloads;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;

/**
 * {@code agx:run}: runs a demo workload as a fresh client of an asahi device and prints what it
 * checked. The device is found by name when the command runs (a control path, not a hot one).
 */
@Component(service = RunCommand.class, property = {"osgi.command.scope=agx", "osgi.command.function=run"})
public final class RunCommand {
    private final BundleContext context;
    private final ClientFactory clients;

    @Activate
    public RunCommand(BundleContext context, @Reference ClientFactory clients) {
        this.context = context;
        this.clients = clients;
    }

    @Descriptor("run a demo workload (saxpy, matmul or scene) through the asahi UAPI and check its results")
    public String run(
            @Descriptor("the device to run on") @Parameter(names = "--device", absentValue = "t8103") String device,
            @Descriptor("write the scene's image to this PNG file") @Parameter(names = "--out", absentValue = "") String out,
            @Descriptor("the workload: saxpy, matmul or scene") String workload) throws DrmException, IOException {
        String node = node(device);
        Client client = clients.spawn("agx:run " + workload, false);
        Workloads.Outcome o;
        try {
            o = Workloads.run(workload, client, node);
        } finally {
            client.exit();
        }
        StringBuilder text = new StringBuilder();
        text.append(o.workload()).append(" on ").append(device).append(" (").append(node).append("): ")
                .append(o.passed() ? "PASSED" : "FAILED").append("\n  checked: ").append(o.checked())
                .append("\n  GPU time: ").append(o.gpuMicros()).append(" us");
        if (!out.isEmpty()) {
            if (o.image() == null) {
                throw new IllegalArgumentException(workload + " makes no image");
            }
            BufferedImage img = new BufferedImage(o.width(), o.height(), BufferedImage.TYPE_INT_ARGB);
            byte[] p = o.image();
            for (int y = 0; y < o.height(); y++) {
                for (int x = 0; x < o.width(); x++) {
                    int i = 4 * (y * o.width() + x);
                    img.setRGB(x, y, (p[i + 3] & 0xff) << 24 | (p[i] & 0xff) << 16 | (p[i + 1] & 0xff) << 8 | p[i + 2] & 0xff);
                }
            }
            File file = new File(out);
            ImageIO.write(img, "png", file);
            text.append("\n  image: ").append(file.getAbsolutePath());
        }
        return text.toString();
    }

    private String node(String device) {
        return DeviceNodes.renderNode(context, device);
    }
}
