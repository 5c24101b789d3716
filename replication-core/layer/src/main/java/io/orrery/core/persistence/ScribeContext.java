/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import io.aeron.exceptions.ConfigurationException;
import io.orrery.core.ThreadingMode;
import io.orrery.link.DistinctErrorPrinter;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.CountersManager;

import java.io.PrintStream;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a Scribe. Every setting has a default, overridable by the system property named in its constant,
 * except the adapter, which is required. {@link #conclude()} validates once.
 */
public final class ScribeContext
{
    public static final String NAME_PROP = "orrery.scribe.name";
    public static final String NAME_DEFAULT = "orrery";
    public static final String RING_SIZE_PROP = "orrery.scribe.ring.size";
    public static final int RING_SIZE_DEFAULT = 64 * 1024;
    public static final String FLUSH_INTERVAL_MS_PROP = "orrery.scribe.flush.interval.ms";
    public static final long FLUSH_INTERVAL_MS_DEFAULT = 100;
    public static final String MAX_COALESCED_ENTITIES_PROP = "orrery.scribe.max.coalesced.entities";
    public static final int MAX_COALESCED_ENTITIES_DEFAULT = 16 * 1024;
    public static final String MAX_PENDING_OPERATIONS_PROP = "orrery.scribe.max.pending.operations";
    public static final int MAX_PENDING_OPERATIONS_DEFAULT = 4 * 1024;
    public static final String RETRY_BACKOFF_MIN_MS_PROP = "orrery.scribe.retry.backoff.min.ms";
    public static final long RETRY_BACKOFF_MIN_MS_DEFAULT = 1;
    public static final String RETRY_BACKOFF_MAX_MS_PROP = "orrery.scribe.retry.backoff.max.ms";
    public static final long RETRY_BACKOFF_MAX_MS_DEFAULT = 1000;
    public static final String CLOSE_TIMEOUT_MS_PROP = "orrery.scribe.close.timeout.ms";
    public static final long CLOSE_TIMEOUT_MS_DEFAULT = 10_000;
    public static final String LOAD_RING_CAPACITY_PROP = "orrery.scribe.load.ring.capacity";
    public static final int LOAD_RING_CAPACITY_DEFAULT = 4 * 1024 * 1024;
    public static final String GROUP_COMMIT_PROP = "orrery.scribe.group.commit";
    public static final boolean GROUP_COMMIT_DEFAULT = true;
    public static final String MAX_GROUP_OPERATIONS_PROP = "orrery.scribe.max.group.operations";
    public static final int MAX_GROUP_OPERATIONS_DEFAULT = 64;
    public static final String GROUP_OF_ONE_AUTOCOMMIT_PROP = "orrery.scribe.group.of.one.autocommit";
    public static final boolean GROUP_OF_ONE_AUTOCOMMIT_DEFAULT = true;
    public static final String OPERATION_TRACE_FILE_PROP = "orrery.scribe.trace.file";
    public static final String OPERATION_TRACE_CAPACITY_PROP = "orrery.scribe.trace.operations";
    public static final int OPERATION_TRACE_CAPACITY_DEFAULT = 65536;
    public static final String WARM_UP_PROP = "orrery.scribe.warm.up";
    public static final boolean WARM_UP_DEFAULT = true;
    public static final String WAKE_CONSUMER_PROP = "orrery.scribe.wake.consumer";
    public static final boolean WAKE_CONSUMER_DEFAULT = true;
    public static final String WORLD_BATCH_WITH_OPERATIONS_PROP = "orrery.scribe.world.batch.with.operations";
    public static final boolean WORLD_BATCH_WITH_OPERATIONS_DEFAULT = false;
    public static final String WORLD_WRITER_PROP = "orrery.scribe.world.writer";
    public static final boolean WORLD_WRITER_DEFAULT = true;
    public static final String ASYNC_WRITE_BEHIND_PROP = "orrery.scribe.async.write.behind";
    public static final boolean ASYNC_WRITE_BEHIND_DEFAULT = false;
    public static final String THREADING_MODE_PROP = "orrery.scribe.threading.mode";
    public static final ThreadingMode THREADING_MODE_DEFAULT = ThreadingMode.SHARED;

    private boolean isConcluded;
    private String name = System.getProperty(NAME_PROP, NAME_DEFAULT);
    private int ringSize = Integer.getInteger(RING_SIZE_PROP, RING_SIZE_DEFAULT);
    private long flushIntervalNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(FLUSH_INTERVAL_MS_PROP, FLUSH_INTERVAL_MS_DEFAULT));
    private int maxCoalescedEntities = Integer.getInteger(
        MAX_COALESCED_ENTITIES_PROP, MAX_COALESCED_ENTITIES_DEFAULT);
    private int maxPendingOperations = Integer.getInteger(
        MAX_PENDING_OPERATIONS_PROP, MAX_PENDING_OPERATIONS_DEFAULT);
    private long retryBackoffMinNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(RETRY_BACKOFF_MIN_MS_PROP, RETRY_BACKOFF_MIN_MS_DEFAULT));
    private long retryBackoffMaxNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(RETRY_BACKOFF_MAX_MS_PROP, RETRY_BACKOFF_MAX_MS_DEFAULT));
    private long closeTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(CLOSE_TIMEOUT_MS_PROP, CLOSE_TIMEOUT_MS_DEFAULT));
    private int loadRingCapacity = Integer.getInteger(LOAD_RING_CAPACITY_PROP, LOAD_RING_CAPACITY_DEFAULT);
    private boolean groupCommit = Boolean.parseBoolean(
        System.getProperty(GROUP_COMMIT_PROP, Boolean.toString(GROUP_COMMIT_DEFAULT)));
    private int maxGroupOperations = Integer.getInteger(MAX_GROUP_OPERATIONS_PROP, MAX_GROUP_OPERATIONS_DEFAULT);
    private boolean groupOfOneAutoCommit = Boolean.parseBoolean(
        System.getProperty(GROUP_OF_ONE_AUTOCOMMIT_PROP, Boolean.toString(GROUP_OF_ONE_AUTOCOMMIT_DEFAULT)));
    private String operationTraceFile = System.getProperty(OPERATION_TRACE_FILE_PROP);
    private int operationTraceCapacity = Integer.getInteger(
        OPERATION_TRACE_CAPACITY_PROP, OPERATION_TRACE_CAPACITY_DEFAULT);
    private boolean warmUp = Boolean.parseBoolean(System.getProperty(WARM_UP_PROP, Boolean.toString(WARM_UP_DEFAULT)));
    private boolean wakeConsumer = Boolean.parseBoolean(
        System.getProperty(WAKE_CONSUMER_PROP, Boolean.toString(WAKE_CONSUMER_DEFAULT)));
    private boolean worldBatchWithOperations = Boolean.parseBoolean(System.getProperty(
        WORLD_BATCH_WITH_OPERATIONS_PROP, Boolean.toString(WORLD_BATCH_WITH_OPERATIONS_DEFAULT)));
    private boolean worldWriter = Boolean.parseBoolean(
        System.getProperty(WORLD_WRITER_PROP, Boolean.toString(WORLD_WRITER_DEFAULT)));
    private boolean asyncWriteBehind = Boolean.parseBoolean(
        System.getProperty(ASYNC_WRITE_BEHIND_PROP, Boolean.toString(ASYNC_WRITE_BEHIND_DEFAULT)));
    private ThreadingMode threadingMode = ThreadingMode.valueOf(
        System.getProperty(THREADING_MODE_PROP, THREADING_MODE_DEFAULT.name()));
    private PersistenceAdapter adapter;
    private RemoteScribeContext remote;
    private IdleStrategy idleStrategy;
    private ThreadFactory threadFactory;
    private ErrorHandler errorHandler;
    private PrintStream reportStream = System.err;
    private NanoClock nanoClock;
    private Aeron aeron;
    private CountersManager countersManager;

    /**
     * Validate settings and fill in defaults. Idempotent.
     *
     * @return this.
     */
    public ScribeContext conclude()
    {
        if (isConcluded)
        {
            return this;
        }
        if (null == adapter)
        {
            throw new ConfigurationException("Scribe needs a PersistenceAdapter");
        }
        if (ringSize < 2 || Integer.bitCount(ringSize) != 1)
        {
            throw new ConfigurationException("ringSize must be a power of two >= 2: " + ringSize);
        }
        if (flushIntervalNs < 0)
        {
            throw new ConfigurationException("flushIntervalNs must be >= 0: " + flushIntervalNs);
        }
        if (maxCoalescedEntities < 1 || maxCoalescedEntities > (1 << 26))
        {
            throw new ConfigurationException("maxCoalescedEntities must be in [1, 2^26]: " + maxCoalescedEntities);
        }
        if (maxPendingOperations < 1 || maxPendingOperations > (1 << 19))
        {
            throw new ConfigurationException("maxPendingOperations must be in [1, 2^19]: " + maxPendingOperations);
        }
        if (maxGroupOperations < 1 || maxGroupOperations > (1 << 16))
        {
            throw new ConfigurationException("maxGroupOperations must be in [1, 2^16]: " + maxGroupOperations);
        }
        if (operationTraceCapacity < 1 || operationTraceCapacity > (1 << 24))
        {
            throw new ConfigurationException("operationTraceCapacity must be in [1, 2^24]: " +
                operationTraceCapacity);
        }
        if (retryBackoffMinNs <= 0 || retryBackoffMaxNs < retryBackoffMinNs)
        {
            throw new ConfigurationException("need 0 < retryBackoffMinNs <= retryBackoffMaxNs: " +
                retryBackoffMinNs + ", " + retryBackoffMaxNs);
        }
        if (loadRingCapacity < 4096 || Integer.bitCount(loadRingCapacity) != 1)
        {
            throw new ConfigurationException("loadRingCapacity must be a power of two >= 4096: " +
                loadRingCapacity);
        }
        if (closeTimeoutNs < 0)
        {
            throw new ConfigurationException("closeTimeoutNs must be >= 0: " + closeTimeoutNs);
        }
        if (null == threadingMode)
        {
            throw new ConfigurationException("threadingMode must not be null");
        }
        if (null == idleStrategy)
        {
            // Two cores: never spin for long; park up to 1 ms when the ring is empty.
            idleStrategy = new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (null == threadFactory)
        {
            threadFactory = ScribeContext::newDaemonThread;
        }
        if (null == reportStream)
        {
            throw new ConfigurationException("reportStream must not be null");
        }
        if (null == errorHandler)
        {
            errorHandler = new DistinctErrorPrinter(System.err);
        }
        if (null == nanoClock)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        isConcluded = true;
        return this;
    }

    private static Thread newDaemonThread(final Runnable runnable)
    {
        final Thread thread = new Thread(runnable);
        thread.setDaemon(true); // as the Replication Layer's agents; close() is what drains, not JVM exit
        return thread;
    }

    public String name()
    {
        return name;
    }

    /**
     * @param name included in counter labels and the consumer thread's name.
     */
    public ScribeContext name(final String name)
    {
        this.name = name;
        return this;
    }

    public PersistenceAdapter adapter()
    {
        return adapter;
    }

    /**
     * @return the link to a Scribe process the Replicant persists through instead of a Scribe of its own, or null.
     */
    public RemoteScribeContext remote()
    {
        return remote;
    }

    /**
     * @param remote a link to a Scribe process ({@code ScribeServer}); with it the shard is persistent without an
     *               adapter in this process (the layer sets its Aeron client and name). Null for none.
     * @return this.
     */
    public ScribeContext remote(final RemoteScribeContext remote)
    {
        this.remote = remote;
        return this;
    }

    /**
     * @param adapter the store; required. Scribe does not close it.
     */
    public ScribeContext adapter(final PersistenceAdapter adapter)
    {
        this.adapter = adapter;
        return this;
    }

    public int ringSize()
    {
        return ringSize;
    }

    /**
     * @param ringSize events the ring holds, a power of two; each event holds a {@link NodeRecord} (about
     *                 1.2 KiB), so the default 64 Ki events take about 80 MiB.
     */
    public ScribeContext ringSize(final int ringSize)
    {
        this.ringSize = ringSize;
        return this;
    }

    public long flushIntervalNs()
    {
        return flushIntervalNs;
    }

    /**
     * @param flushIntervalNs longest time a world change waits in the coalescing batch before it is written.
     */
    public ScribeContext flushIntervalNs(final long flushIntervalNs)
    {
        this.flushIntervalNs = flushIntervalNs;
        return this;
    }

    public int maxCoalescedEntities()
    {
        return maxCoalescedEntities;
    }

    /**
     * @param maxCoalescedEntities capacity of the coalescing batch (node upserts, node removals and edges each);
     *                             a full batch is written at once.
     */
    public ScribeContext maxCoalescedEntities(final int maxCoalescedEntities)
    {
        this.maxCoalescedEntities = maxCoalescedEntities;
        return this;
    }

    public int maxPendingOperations()
    {
        return maxPendingOperations;
    }

    /**
     * @param maxPendingOperations operations offered but whose completion has not been polled, at most; sizes
     *                             the completion ring.
     */
    public ScribeContext maxPendingOperations(final int maxPendingOperations)
    {
        this.maxPendingOperations = maxPendingOperations;
        return this;
    }

    public boolean groupCommit()
    {
        return groupCommit;
    }

    /**
     * @param groupCommit whether the consumer commits the consecutive operations it drains from the ring (and the
     *                    world changes pending before them, when one of them depends on those) in one transaction,
     *                    when the adapter
     *                    {@link PersistenceAdapter#supportsGroupCommit() supports it} (each operation's outcome is
     *                    still reported only once committed; a group that fails is run again one transaction each).
     */
    public ScribeContext groupCommit(final boolean groupCommit)
    {
        this.groupCommit = groupCommit;
        return this;
    }

    public int maxGroupOperations()
    {
        return maxGroupOperations;
    }

    /**
     * @param maxGroupOperations operations committed in one group transaction, at most.
     */
    public ScribeContext maxGroupOperations(final int maxGroupOperations)
    {
        this.maxGroupOperations = maxGroupOperations;
        return this;
    }

    public boolean groupOfOneAutoCommit()
    {
        return groupOfOneAutoCommit;
    }

    /**
     * @param groupOfOneAutoCommit with group commit, whether an operation that would open a group with nothing behind
     *                             it in the ring (a group of one), needing no world change written before it, runs in
     *                             autocommit instead: the store commits it with the statement, one round trip
     *                             instead of the statement and a {@code COMMIT} (counted:
     *                             {@link ScribeCounter#GROUP_OF_ONE_AUTOCOMMITS}). Its outcome is reported only once
     *                             committed, as in a group.
     */
    public ScribeContext groupOfOneAutoCommit(final boolean groupOfOneAutoCommit)
    {
        this.groupOfOneAutoCommit = groupOfOneAutoCommit;
        return this;
    }

    public boolean warmUp()
    {
        return warmUp;
    }

    /**
     * @param warmUp whether the consumer, when it starts, runs a world write, a stow and an unstow
     *               {@link ScribeWarmUp#ROUNDS} times in group transactions it rolls back, when the adapter
     *               {@link PersistenceAdapter#supportsGroupCommit() supports groups}: so that the first operations
     *               of clients do not pay for the store's first executions (PostgreSQL: planning the functions'
     *               statements, preparing the driver's statements on the server after its prepare threshold).
     *               Nothing stays in the store; a store that fails meanwhile ends the warm-up (reported to the
     *               error handler; the first operations then pay as before).
     */
    public ScribeContext warmUp(final boolean warmUp)
    {
        this.warmUp = warmUp;
        return this;
    }

    public boolean wakeConsumer()
    {
        return wakeConsumer;
    }

    /**
     * @param wakeConsumer whether offering an operation, a look-up, a region load or a flush barrier wakes the
     *                     consumer thread when its idle strategy parked it (default); false leaves it to wake at the
     *                     end of its park, as before (for before/after measurements).
     */
    public ScribeContext wakeConsumer(final boolean wakeConsumer)
    {
        this.wakeConsumer = wakeConsumer;
        return this;
    }

    public boolean worldBatchWithOperations()
    {
        return worldBatchWithOperations;
    }

    /**
     * @param worldBatchWithOperations whether every operation writes all the world changes pending before it first
     *                                 (in its group transaction, or in a write of its own before it), as before
     *                                 issue 15 (for before/after measurements). Default false: an operation writes
     *                                 them first only when one of them touches the entities it moves (see
     *                                 {@link ScribeConsumer}); otherwise they stay pending and are written behind
     *                                 at their own time, in a transaction of their own.
     */
    public ScribeContext worldBatchWithOperations(final boolean worldBatchWithOperations)
    {
        this.worldBatchWithOperations = worldBatchWithOperations;
        return this;
    }

    public boolean worldWriter()
    {
        return worldWriter;
    }

    /**
     * @param worldWriter whether the write-behind world batches are written by a {@link WorldBatchWriter} on a
     *                    session of their own ({@link PersistenceAdapter#openWorldWriter()}, when the adapter has one)
     *                    and a thread of their own (stepped with the consumer in {@link ThreadingMode#INVOKER}), so
     *                    that no operation waits in the ring behind an unrelated batch; an operation that depends on
     *                    a pending or in-flight change, a barrier and a region load wait for the batch. Takes
     *                    precedence over {@link #asyncWriteBehind(boolean)}. Default true; false writes every batch
     *                    on the consumer's thread and session, as before (for before/after measurements).
     */
    public ScribeContext worldWriter(final boolean worldWriter)
    {
        this.worldWriter = worldWriter;
        return this;
    }

    public boolean asyncWriteBehind()
    {
        return asyncWriteBehind;
    }

    /**
     * @param asyncWriteBehind whether the write-behind flushes (flush interval elapsed, batch full) are written with
     *                         {@link PersistenceAdapter#writeBehind} when the adapter
     *                         {@link PersistenceAdapter#supportsAsyncWriteBehind() supports it} (PostgreSQL: committed
     *                         with {@code synchronous_commit = off}): the consumer, and an operation behind it, no
     *                         longer wait for the store's log flush of world batches. {@link Scribe#durableSequence()}
     *                         passes such a batch only once the store says its log is flushed (checked every
     *                         {@link WriteBehindLog#LOG_CHECK_INTERVAL_NS}) or something later committed
     *                         synchronously; flush barriers, loads, operations and close stay synchronous. A store
     *                         crash (not a layer crash) may lose the world changes of its unflushed log. Default
     *                         false.
     */
    public ScribeContext asyncWriteBehind(final boolean asyncWriteBehind)
    {
        this.asyncWriteBehind = asyncWriteBehind;
        return this;
    }

    public String operationTraceFile()
    {
        return operationTraceFile;
    }

    /**
     * @param operationTraceFile where Scribe writes its {@link OperationTimeline} (CSV) at close, and next to it
     *                           the consumer's {@link ConsumerTrace} ({@code x.csv}: {@code x-consumer.csv}); null
     *                           (the default) for neither.
     */
    public ScribeContext operationTraceFile(final String operationTraceFile)
    {
        this.operationTraceFile = operationTraceFile;
        return this;
    }

    public int operationTraceCapacity()
    {
        return operationTraceCapacity;
    }

    /**
     * @param operationTraceCapacity operations the timeline holds (the latest; rounded up to a power of two); the
     *                               consumer trace holds four times as many activities.
     */
    public ScribeContext operationTraceCapacity(final int operationTraceCapacity)
    {
        this.operationTraceCapacity = operationTraceCapacity;
        return this;
    }

    public long retryBackoffMinNs()
    {
        return retryBackoffMinNs;
    }

    public ScribeContext retryBackoffMinNs(final long retryBackoffMinNs)
    {
        this.retryBackoffMinNs = retryBackoffMinNs;
        return this;
    }

    public long retryBackoffMaxNs()
    {
        return retryBackoffMaxNs;
    }

    public ScribeContext retryBackoffMaxNs(final long retryBackoffMaxNs)
    {
        this.retryBackoffMaxNs = retryBackoffMaxNs;
        return this;
    }

    public long closeTimeoutNs()
    {
        return closeTimeoutNs;
    }

    /**
     * @param closeTimeoutNs how long {@link Scribe#close()} waits for the store to take everything.
     */
    public ScribeContext closeTimeoutNs(final long closeTimeoutNs)
    {
        this.closeTimeoutNs = closeTimeoutNs;
        return this;
    }

    public int loadRingCapacity()
    {
        return loadRingCapacity;
    }

    /**
     * @param loadRingCapacity bytes of the ring carrying loaded nodes to the producer (a power of two; a node
     *                         takes about 128 bytes plus its component state).
     */
    public ScribeContext loadRingCapacity(final int loadRingCapacity)
    {
        this.loadRingCapacity = loadRingCapacity;
        return this;
    }

    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * @param threadingMode {@link ThreadingMode#SHARED} or {@link ThreadingMode#DEDICATED}: the consumer runs on
     *                      a thread of its own (Scribe is a single agent); {@link ThreadingMode#INVOKER}: no
     *                      thread, the caller steps it through {@link Scribe#invokeConsumer()}.
     */
    public ScribeContext threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = threadingMode;
        return this;
    }

    /**
     * @return whether the caller steps the consumer ({@link ThreadingMode#INVOKER}).
     */
    public boolean useConsumerAgentInvoker()
    {
        return ThreadingMode.INVOKER == threadingMode;
    }

    /**
     * Shorthand for {@link #threadingMode(ThreadingMode)}: {@code true} is {@link ThreadingMode#INVOKER},
     * {@code false} {@link ThreadingMode#SHARED}.
     */
    public ScribeContext useConsumerAgentInvoker(final boolean useConsumerAgentInvoker)
    {
        this.threadingMode = useConsumerAgentInvoker ? ThreadingMode.INVOKER : ThreadingMode.SHARED;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy of the consumer thread when the ring is empty or a retry is waiting; the default backs
     *                     off from spinning to parking up to 1 ms (2 cores: never a busy spin). A park must end
     *                     at {@link java.util.concurrent.locks.LockSupport#unpark}: an offer someone waits for wakes
     *                     the thread ({@link #wakeConsumer()}).
     */
    public ScribeContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    public ScribeContext threadFactory(final ThreadFactory threadFactory)
    {
        this.threadFactory = threadFactory;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @param errorHandler receives every store failure (each is retried) and unexpected error; thread safe.
     */
    public ScribeContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public PrintStream reportStream()
    {
        return reportStream;
    }

    /**
     * @param reportStream where a lasting store outage and its end are reported, one line each (default
     *                     {@code System.err}); the errors themselves go to {@link #errorHandler()}.
     */
    public ScribeContext reportStream(final PrintStream reportStream)
    {
        this.reportStream = reportStream;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param nanoClock read by the consumer for the flush interval, retry backoff and latencies.
     */
    public ScribeContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @param aeron when set, counters are allocated in its media driver's counters file.
     */
    public ScribeContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * @param countersManager when set (and no Aeron client), counters are allocated in it.
     */
    public ScribeContext countersManager(final CountersManager countersManager)
    {
        this.countersManager = countersManager;
        return this;
    }
}
