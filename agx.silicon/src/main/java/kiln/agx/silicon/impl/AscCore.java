package kiln.agx.silicon.impl;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.AscMessages;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.silicon.Asc;
import kiln.agx.api.silicon.AscContext;
import kiln.agx.api.silicon.AscProgram;
import kiln.agx.api.silicon.ComputeUnit;
import kiln.agx.api.silicon.FragmentUnit;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.MailboxMessage;
import kiln.agx.api.silicon.MailboxReceiver;
import kiln.agx.api.silicon.Mmio;
import kiln.agx.api.silicon.TilerUnit;
import kiln.agx.api.silicon.Uat;
import kiln.agx.api.silicon.UatAgent;
import kiln.runtime.support.wake.WakeTimer;

/**
 * The ASC: one platform thread per run of the firmware program, an AP-to-ASC FIFO, and a
 * single-threaded "interrupt" executor that hands ASC-to-AP messages to the driver in order.
 * {@code CPU_CONTROL} writes arrive from the register file.
 */
final class AscCore implements Asc {
    private static final System.Logger LOG = System.getLogger(AscCore.class.getName());
    /** Faults of firmware accesses are reported as this unit ({@code FC}, the firmware controller, Kiln's reading). */
    static final int UNIT_FIRMWARE = 0xad;

    private final AgxSilicon silicon;
    private final Inbound inbound = new Inbound();
    private final ExecutorService interrupts;
    private final Deque<MailboxMessage> undelivered = new ArrayDeque<>();
    private MailboxReceiver receiver;
    private AscProgram program;
    private Thread thread;
    private State state = State.STOPPED;

    AscCore(AgxSilicon silicon) {
        this.silicon = silicon;
        String name = String.format("agx-%x-mailbox-irq", silicon.hwConfig().chipId());
        // Virtual threads: a hand-off between the AP, the ASC and the interrupt costs ~1 us
        // instead of a platform thread's futex wake-up (perf-anchors: 7-10x cheaper here).
        this.interrupts = Executors.newSingleThreadExecutor(Thread.ofVirtual().name(name).factory());
    }

    @Override
    public synchronized void load(AscProgram image) {
        if (state == State.RUNNING) {
            throw new IllegalStateException("the ASC is running");
        }
        this.program = image;
    }

    @Override
    public synchronized State state() {
        return state;
    }

    @Override
    public boolean send(MailboxMessage message, Duration timeout) throws InterruptedException {
        return inbound.offer(message, timeout.toNanos());
    }

    @Override
    public void setReceiver(MailboxReceiver newReceiver) {
        synchronized (undelivered) {
            receiver = newReceiver;
            while (receiver != null && !undelivered.isEmpty()) {
                deliver(undelivered.poll());
            }
        }
    }

    @Override
    public synchronized State awaitStop(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state == State.RUNNING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return state;
    }

    /** A {@code CPU_CONTROL} write. */
    void cpuControl(int value) {
        if ((value & AgxRegisters.CPU_RUN) != 0) {
            start();
        } else {
            stop();
        }
    }

    private synchronized void start() {
        if (state == State.RUNNING || program == null) {
            return;
        }
        AscProgram image = program;
        state = State.RUNNING;
        Thread t = Thread.ofVirtual().name(String.format("agx-%x-asc", silicon.hwConfig().chipId()))
                .unstarted(() -> run(image));
        thread = t;
        t.start();
    }

    /** Stops the program (interrupting it) and waits for its thread. */
    void stop() {
        Thread t;
        synchronized (this) {
            t = thread;
            if (t == null) {
                return;
            }
        }
        t.interrupt();
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (thread == t) {
                thread = null;
                state = State.STOPPED;
                notifyAll();
            }
        }
    }

    private void run(AscProgram image) {
        State end;
        try {
            image.run(new Context());
            end = State.HALTED;
        } catch (InterruptedException e) {
            end = State.STOPPED;
        } catch (Exception | Error e) {
            if (Thread.currentThread().isInterrupted()) {
                end = State.STOPPED;
            } else {
                LOG.log(System.Logger.Level.WARNING, "GPU firmware crashed", e);
                end = State.CRASHED;
                toAp(new MailboxMessage(AscMessages.EP_CRASHLOG, 0));
            }
        }
        synchronized (this) {
            if (thread == Thread.currentThread()) {
                thread = null;
                state = end;
                notifyAll();
            }
        }
    }

    private void toAp(MailboxMessage message) {
        synchronized (undelivered) {
            if (receiver == null) {
                undelivered.add(message);
            } else {
                deliver(message);
            }
        }
    }

    private void deliver(MailboxMessage message) {
        MailboxReceiver target = receiver;
        try {
            interrupts.execute(() -> {
                try {
                    target.received(message);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "mailbox receiver failed on " + message, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException poweredOff) {
            // the AP side is gone with the silicon
        }
    }

    /** Power-off: stop the program and the interrupt thread. */
    void powerOff() {
        stop();
        interrupts.shutdownNow();
        inbound.close();
    }

    /** The firmware's view. */
    private final class Context implements AscContext {
        @Override
        public HwConfig hwConfig() {
            return silicon.hwConfig();
        }

        @Override
        public GpuMemory memory(int slot) {
            return silicon.uat().context(slot, UatAgent.FIRMWARE, UNIT_FIRMWARE);
        }

        @Override
        public MailboxMessage receive(long timeout, TimeUnit unit) throws InterruptedException {
            return inbound.poll(unit.toNanos(timeout));
        }

        @Override
        public MemorySegment region(String name) {
            return silicon.regionMemory(name);
        }

        @Override
        public void wake() {
            inbound.wake();
        }

        @Override
        public void send(int endpoint, long payload) {
            toAp(new MailboxMessage(endpoint, payload));
        }

        @Override
        public ComputeUnit compute() {
            return silicon.compute();
        }

        @Override
        public TilerUnit tiler() {
            return silicon.tiler();
        }

        @Override
        public FragmentUnit fragment() {
            return silicon.fragment();
        }

        @Override
        public Mmio mmio() {
            return silicon.mmio();
        }

        @Override
        public Uat uat() {
            return silicon.uat();
        }

        @Override
        public long timestamp() {
            return silicon.timestamp();
        }
    }

    /** The AP-to-ASC FIFO, whose waiting side an interrupt ({@link AscContext#wake}) also ends. */
    private static final class Inbound {
        private final ArrayDeque<MailboxMessage> fifo = new ArrayDeque<>(FIFO_DEPTH);
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private boolean interrupt;

        boolean offer(MailboxMessage message, long timeoutNanos) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                long left = timeoutNanos;
                while (fifo.size() == FIFO_DEPTH) {
                    if (left <= 0) {
                        return false;
                    }
                    left = changed.awaitNanos(left);
                }
                fifo.add(message);
                changed.signalAll();
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Ends an untimed wait when a deadline comes: the firmware loop waits often and briefly. */
        private final WakeTimer timer = new WakeTimer(this::signal);

        MailboxMessage poll(long timeoutNanos) throws InterruptedException {
            long deadline = timeoutNanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
            lock.lockInterruptibly();
            try {
                while (fifo.isEmpty()) {
                    if (interrupt) {
                        interrupt = false;
                        return null;
                    }
                    if (deadline != Long.MAX_VALUE) {
                        if (deadline - System.nanoTime() <= 0) {
                            return null;
                        }
                        timer.wakeAt(deadline);
                    }
                    changed.await();
                }
                MailboxMessage m = fifo.poll();
                changed.signalAll();
                return m;
            } finally {
                lock.unlock();
            }
        }

        private void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void close() {
            timer.close();
        }

        void wake() {
            lock.lock();
            try {
                interrupt = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
