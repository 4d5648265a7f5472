package kiln.agx.driver.internal.gpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.drm.api.DrmException;

/**
 * What a stopped firmware left unfinished, sorted by a live swap into the commands it kills and
 * those it replays on the next firmware.
 *
 * <h2>Contract</h2>
 * A user command is <em>killed</em> — its callbacks complete with {@link WorkError.Kind#KILLED}
 * (ECANCELED), as the real driver reports work halted under it — if any of its parts had started
 * (the firmware launched its unit work) or finished (a render whose vertex pass ran), or if it has
 * no {@link Replay}. Every other unfinished command is <em>replayed</em>: built again in the new
 * ABI and queued, in order, with the values and callbacks it had, so it runs exactly once and its
 * fence signals once. On each work queue the killed commands precede the replayed ones (a queue
 * runs in order, so this holds by itself; a command that would break it is killed too); the
 * queue's stamps are moved to its last killed command's value, so barriers waiting for it pass,
 * and replayed commands take the values that follow. The old firmware objects of both kinds are
 * freed here. Used by one swap, under the exclusive firmware section.
 */
final class HaltedWork {
    private static final Logger LOG = LoggerFactory.getLogger(HaltedWork.class);
    private final List<WorkQueue.Unfinished> killed = new ArrayList<>();
    private final List<Replay> replays = new ArrayList<>();
    private final Map<Replay, List<WorkQueue.Unfinished>> parts = new IdentityHashMap<>();
    private final List<WorkQueue> queues;
    private final KernelVm kernel;
    private int replayed = -1;

    private HaltedWork(List<WorkQueue> queues, KernelVm kernel) {
        this.queues = queues;
        this.kernel = kernel;
    }

    /**
     * Whether a command on {@code queues} is partly done — a render whose vertex pass finished and
     * whose fragment pass has not: started work, which a swap lets finish.
     */
    static boolean partlyDone(List<WorkQueue> queues) {
        Map<Replay, Integer> unfinished = new IdentityHashMap<>();
        for (WorkQueue q : queues) {
            q.countUnfinished(unfinished);
        }
        for (Map.Entry<Replay, Integer> e : unfinished.entrySet()) {
            if (e.getValue() < e.getKey().completions()) {
                return true;
            }
        }
        return false;
    }

    /** Nothing unfinished (the firmware had crashed and its work failed already). */
    static HaltedWork none(KernelVm kernel) {
        return new HaltedWork(List.of(), kernel);
    }

    /**
     * Takes the unfinished work out of {@code queues} ({@code running}: those whose firmware
     * queue had a command started) and sorts it.
     */
    static HaltedWork collect(List<WorkQueue> queues, Set<WorkQueue> running, KernelVm kernel) {
        HaltedWork h = new HaltedWork(queues, kernel);
        Map<WorkQueue, List<WorkQueue.Unfinished>> left = new LinkedHashMap<>();
        for (WorkQueue q : queues) {
            left.put(q, q.takeUnfinished(running.contains(q)));
        }
        Set<Replay> dead = Collections.newSetFromMap(new IdentityHashMap<>());
        for (List<WorkQueue.Unfinished> list : left.values()) {
            for (WorkQueue.Unfinished u : list) {
                if (u.replay() != null) {
                    h.parts.computeIfAbsent(u.replay(), r -> new ArrayList<>()).add(u);
                    if (u.started()) {
                        dead.add(u.replay());
                    }
                }
            }
        }
        h.parts.forEach((r, found) -> {
            if (found.size() < r.completions()) {
                dead.add(r); // part of it already ran
            }
        });
        for (boolean changed = true; changed;) {
            changed = false;
            for (List<WorkQueue.Unfinished> list : left.values()) {
                int last = -1;
                for (int i = 0; i < list.size(); i++) {
                    if (killed(list.get(i), dead)) {
                        last = i;
                    }
                }
                for (int i = 0; i < last; i++) {
                    if (!killed(list.get(i), dead)) {
                        dead.add(list.get(i).replay());
                        changed = true;
                    }
                }
            }
        }
        left.forEach((q, list) -> {
            int lastKilled = 0;
            boolean any = false;
            for (WorkQueue.Unfinished u : list) {
                if (killed(u, dead)) {
                    h.killed.add(u);
                    lastKilled = u.value();
                    any = true;
                } else {
                    u.objects().forEach(kernel::free); // built again in the new ABI
                }
            }
            q.restart(lastKilled, any);
        });
        h.parts.keySet().stream().filter(r -> !dead.contains(r)).sorted(Comparator.comparingLong(Replay::order))
                .forEach(h.replays::add);
        return h;
    }

    private static boolean killed(WorkQueue.Unfinished u, Set<Replay> dead) {
        return u.replay() == null || dead.contains(u.replay());
    }

    /** User commands killed (a render's two passes count once). */
    int killed() {
        Set<Object> commands = AgxGpu.newIdentitySet();
        killed.forEach(u -> commands.add(u.replay() != null ? u.replay() : u));
        return commands.size();
    }

    /** User commands replayed, or held to be (on a parked GPU). */
    int replayed() {
        return replayed >= 0 ? replayed : replays.size();
    }

    /** Completes the killed commands with KILLED and frees their objects. */
    void kill() {
        for (WorkQueue.Unfinished u : killed) {
            try {
                WorkQueue.complete(u.done(), WorkError.of(WorkError.Kind.KILLED));
            } finally {
                u.objects().forEach(kernel::free);
            }
        }
    }

    /**
     * With no firmware to run them, fails (with {@code error}) the replays whose job has waited
     * {@code deadlineNanos} since its submission by {@code now} (every one with {@code all}: the GPU
     * is gone), oldest first; each work queue's
     * stamps move past its last failed command (so barriers on it pass once a firmware runs again)
     * and what stays held keeps its values. When the next one expires ({@link System#nanoTime}),
     * or {@link Long#MAX_VALUE} when nothing is held any more.
     */
    long failExpired(long now, long deadlineNanos, boolean all, WorkError error) {
        Map<WorkQueue, Integer> last = new LinkedHashMap<>();
        long next = Long.MAX_VALUE;
        for (java.util.Iterator<Replay> it = replays.iterator(); it.hasNext();) {
            Replay r = it.next();
            long expiry = r.submittedNanos() + deadlineNanos;
            if (!all && expiry - now > 0) {
                next = Math.min(next, expiry);
                continue;
            }
            it.remove();
            for (WorkQueue.Unfinished u : parts.get(r)) {
                last.put(u.queue(), u.value());
                WorkQueue.complete(u.done(), error);
            }
        }
        last.forEach((q, value) -> q.restart(value, true));
        if (replays.isEmpty()) {
            queues.forEach(WorkQueue::replayed);
        }
        return next;
    }

    /**
     * Builds the replays again in the (new) firmware's ABI and queues them, in order. A replay
     * that cannot be built fails the swap: everything not queued yet completes with NO_DEVICE.
     */
    void replay() throws DrmException {
        Map<WorkQueue, List<WorkQueue.Command>> into = new LinkedHashMap<>();
        try {
            for (Replay r : replays) {
                r.rebuild((q, c) -> into.computeIfAbsent(q, k -> new ArrayList<>()).add(c));
            }
        } catch (DrmException | RuntimeException e) {
            into.values().forEach(list -> list.forEach(c -> c.objects().forEach(kernel::free)));
            failExpired(System.nanoTime(), 0, true, WorkError.of(WorkError.Kind.NO_DEVICE));
            throw e;
        }
        int count = replays.size();
        replays.clear(); // queued from here on: their completions are the work queues' business
        into.forEach((q, commands) -> {
            try {
                q.replay(commands);
            } catch (DrmException e) {
                LOG.error("replay on {} queue slot {} failed: {}", q.pipe(), q.slot(), e.getMessage());
                for (WorkQueue.Command c : commands) {
                    c.objects().forEach(kernel::free);
                    if (c.done() != null) {
                        WorkQueue.complete(c.done(), WorkError.of(WorkError.Kind.NO_DEVICE));
                    }
                }
            }
        });
        queues.forEach(WorkQueue::replayed);
        replayed = count;
    }
}
