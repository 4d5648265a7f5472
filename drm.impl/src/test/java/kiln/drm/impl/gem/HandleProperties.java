package kiln.drm.impl.gem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.gem.GemObject;
import kiln.drm.api.gem.ShmemObject;
import kiln.drm.impl.Fixtures;
import kiln.drm.impl.device.DeviceFile;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.device.TestDriver;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * GEM handles against a model (a sorted map handle to object): random creates of new objects,
 * extra handles to live objects, closes of live and unknown handles and lookups. Handles are
 * never 0 and always the lowest free; every handle finds its object; unknown handles give ENOENT
 * on lookup and EINVAL on close; an object is freed exactly when its last handle closes; and
 * closing the file frees everything.
 */
class HandleProperties {
    @Provide
    Arbitrary<List<int[]>> ops() {
        return Arbitraries.integers().between(0, 3).flatMap(kind -> Arbitraries.integers().between(0, 40)
                .map(pick -> new int[] {kind, pick})).list().ofMaxSize(150);
    }

    @Property(tries = 200)
    void handlesFollowTheModel(@ForAll("ops") List<int[]> ops) throws DrmException {
        GemService gem = new GemService(Fixtures.pagePool(16));
        DrmCore core = Fixtures.core(gem);
        DrmDevice device = core.register(new TestDriver(), null);
        Client client = Fixtures.clients(core).spawn("prop", false);
        DrmFile file = client.lookup(client.open(device.renderNode()), DeviceFile.class);
        TreeMap<Integer, GemObject> model = new TreeMap<>();
        List<GemObject> everything = new ArrayList<>();
        for (int[] op : ops) {
            int pick = op[1];
            switch (op[0]) {
                case 0 -> {
                    ShmemObject bo = gem.createShmem(device, ShmemObject.PAGE_SIZE, null, null);
                    everything.add(bo);
                    int handle = gem.createHandle(file, bo);
                    bo.put();
                    assertEquals(lowestFree(model), handle);
                    model.put(handle, bo);
                }
                case 1 -> {
                    if (!model.isEmpty()) {
                        GemObject target = new ArrayList<>(model.values()).get(pick % model.size());
                        int handle = gem.createHandle(file, target);
                        assertEquals(lowestFree(model), handle);
                        model.put(handle, target);
                    }
                }
                case 2 -> {
                    if (model.containsKey(pick)) {
                        GemObject bo = model.remove(pick);
                        gem.closeHandle(file, pick);
                        assertEquals(!model.containsValue(bo), bo.isFreed(), "freed exactly with its last handle");
                    } else {
                        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> gem.closeHandle(file, pick)).errno());
                    }
                }
                default -> {
                    if (model.containsKey(pick)) {
                        GemObject found = gem.lookup(file, pick);
                        assertEquals(model.get(pick), found);
                        found.put();
                    } else {
                        assertEquals(Errno.ENOENT, assertThrows(DrmException.class, () -> gem.lookup(file, pick)).errno());
                    }
                }
            }
            assertEquals(model.size(), gem.handleCount(file));
        }
        client.exit();
        assertTrue(everything.stream().allMatch(GemObject::isFreed), "closing the file frees every object");
    }

    private static int lowestFree(TreeMap<Integer, GemObject> model) {
        int h = 1;
        while (model.containsKey(h)) {
            h++;
        }
        return h;
    }
}
