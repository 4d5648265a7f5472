package kiln.drm.impl.syncobj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.impl.fence.FenceService;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Timelines against a model: points added in increasing order, their fences signalled in any
 * order. After each signal, the signalled point is the largest p whose fence and every earlier
 * point's fence have signalled, and waiting on any point q is satisfied exactly when that holds
 * for the point that covers q.
 */
class TimelineProperties {
    @Property(tries = 300)
    void signaledPointIsThePrefixMaximum(@ForAll @Size(min = 1, max = 30) List<@IntRange(min = 1, max = 5) Integer> gaps,
            @ForAll long shuffleSeed) throws DrmException {
        FenceService fences = new FenceService();
        FenceContext ring = fences.createContext("prop", "ring");
        Syncobj timeline = new Syncobj(fences, null);
        List<Long> pts = new ArrayList<>();
        List<SignalableFence> fs = new ArrayList<>();
        long point = 0;
        for (int gap : gaps) {
            point += gap;
            SignalableFence f = ring.next();
            timeline.addPoint(f, point);
            pts.add(point);
            fs.add(f);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < fs.size(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new java.util.Random(shuffleSeed));
        boolean[] signaled = new boolean[fs.size()];
        for (int i : order) {
            fs.get(i).signal();
            signaled[i] = true;
            int prefix = 0;
            while (prefix < signaled.length && signaled[prefix]) {
                prefix++;
            }
            long expected = prefix == 0 ? 0 : pts.get(prefix - 1);
            assertEquals(expected, timeline.signaledPoint());
            for (int k = 0; k < pts.size(); k++) {
                long q = pts.get(k) - (k == 0 ? 0 : (pts.get(k) - pts.get(k - 1) - 1));
                DmaFence covering = timeline.find(q);
                assertEquals(k < prefix, covering.isSignaled(), "point " + q);
            }
        }
        assertEquals(point, timeline.submittedPoint());
        assertTrue(timeline.fence().isSignaled());
    }
}
