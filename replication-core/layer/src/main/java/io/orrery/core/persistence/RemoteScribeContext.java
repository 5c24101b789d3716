/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link RemoteScribe}: defaults for every field, fluent setters; concluded by
 * {@link RemoteScribe#launch(RemoteScribeContext)}. Control path only.
 */
public final class RemoteScribeContext
{
    public static final int STREAM_ID_DEFAULT = 1601;
    public static final int RESPONSE_STREAM_ID_DEFAULT = 1602;
    public static final long LINK_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(2);
    public static final long HELLO_INTERVAL_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(250);
    public static final long RESTORE_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(60);

    private Aeron aeron;
    private String name = ScribeContext.NAME_DEFAULT;
    private String channel;
    private int streamId = STREAM_ID_DEFAULT;
    private String responseChannel = "aeron:ipc";
    private int responseStreamId = RESPONSE_STREAM_ID_DEFAULT;
    private int capacity = ScribeContext.RING_SIZE_DEFAULT;
    private int maxPendingOperations = ScribeContext.MAX_PENDING_OPERATIONS_DEFAULT;
    private int loadRingCapacity = ScribeContext.LOAD_RING_CAPACITY_DEFAULT;
    private long closeTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ScribeContext.CLOSE_TIMEOUT_MS_DEFAULT);
    private long linkTimeoutNs = LINK_TIMEOUT_NS_DEFAULT;
    private long helloIntervalNs = HELLO_INTERVAL_NS_DEFAULT;
    private long restoreTimeoutNs = RESTORE_TIMEOUT_NS_DEFAULT;
    private byte[] linkSecret;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private PrintStream log = System.err;

    void conclude()
    {
        if (null == aeron || null == channel || null == responseChannel)
        {
            throw new IllegalStateException("aeron, channel and responseChannel are required");
        }
        if (null == linkSecret || linkSecret.length < 16)
        {
            throw new IllegalStateException("a link secret of at least 16 bytes is required");
        }
        if (capacity < 2 || maxPendingOperations < 1 || maxPendingOperations > capacity)
        {
            throw new IllegalStateException("capacity and maxPendingOperations out of range");
        }
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public RemoteScribeContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    public String name()
    {
        return name;
    }

    public RemoteScribeContext name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * @return the Scribe process's channel (its subscription).
     */
    public String channel()
    {
        return channel;
    }

    public RemoteScribeContext channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    public RemoteScribeContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    /**
     * @return where the Scribe answers (this layer's subscription; for UDP an endpoint of this host).
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    public RemoteScribeContext responseChannel(final String responseChannel)
    {
        this.responseChannel = responseChannel;
        return this;
    }

    public int responseStreamId()
    {
        return responseStreamId;
    }

    public RemoteScribeContext responseStreamId(final int responseStreamId)
    {
        this.responseStreamId = responseStreamId;
        return this;
    }

    /**
     * @return offers kept until durable at most (a power of two; about 1.2 KiB each): the log's size.
     */
    public int capacity()
    {
        return capacity;
    }

    public RemoteScribeContext capacity(final int capacity)
    {
        this.capacity = capacity;
        return this;
    }

    public int maxPendingOperations()
    {
        return maxPendingOperations;
    }

    public RemoteScribeContext maxPendingOperations(final int maxPendingOperations)
    {
        this.maxPendingOperations = maxPendingOperations;
        return this;
    }

    public int loadRingCapacity()
    {
        return loadRingCapacity;
    }

    public RemoteScribeContext loadRingCapacity(final int loadRingCapacity)
    {
        this.loadRingCapacity = loadRingCapacity;
        return this;
    }

    public long closeTimeoutNs()
    {
        return closeTimeoutNs;
    }

    public RemoteScribeContext closeTimeoutNs(final long closeTimeoutNs)
    {
        this.closeTimeoutNs = closeTimeoutNs;
        return this;
    }

    /**
     * @return a linked Scribe silent this long (no durable report, which it sends every 100 ms) is lost.
     */
    public long linkTimeoutNs()
    {
        return linkTimeoutNs;
    }

    public RemoteScribeContext linkTimeoutNs(final long linkTimeoutNs)
    {
        this.linkTimeoutNs = linkTimeoutNs;
        return this;
    }

    public long helloIntervalNs()
    {
        return helloIntervalNs;
    }

    public RemoteScribeContext helloIntervalNs(final long helloIntervalNs)
    {
        this.helloIntervalNs = helloIntervalNs;
        return this;
    }

    /**
     * @return how long a layer that restores its world at start (no OCS) waits for the Scribe process.
     */
    public long restoreTimeoutNs()
    {
        return restoreTimeoutNs;
    }

    public RemoteScribeContext restoreTimeoutNs(final long restoreTimeoutNs)
    {
        this.restoreTimeoutNs = restoreTimeoutNs;
        return this;
    }

    public byte[] linkSecret()
    {
        return linkSecret;
    }

    /**
     * @param linkSecret the Scribe link secret (at least 16 bytes), the same as the Scribe process's.
     * @return this.
     */
    public RemoteScribeContext linkSecret(final byte[] linkSecret)
    {
        this.linkSecret = linkSecret;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public RemoteScribeContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public PrintStream log()
    {
        return log;
    }

    public RemoteScribeContext log(final PrintStream log)
    {
        this.log = log;
        return this;
    }
}
