/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * What a game server embeds to join a shard: one exclusive publication to the Replication Layer's server ingress
 * channel and one subscription on this server's response channel, over an Aeron client of its own or the
 * embedder's.
 * <p>
 * Lifecycle: {@link #launch(Context)} opens the publication; {@link #doWork()} sends the {@code ServerHello} (the
 * HMAC server token names the server id) once connected, then dispatches what the Replication Layer sends to the
 * {@link ServerListener} and sends a {@code LoadReport} (the heartbeat) every {@link Context#heartbeatIntervalNs()}
 * with the figures of the last {@link #reportLoad}.
 * <p>
 * Publishing: {@link #beginStateBatch}, any number of {@link #appendState}, {@link #commitStateBatch}: one
 * {@code EntityStateBatch}, split into several messages of about {@link #MAX_BATCH_BYTES} automatically. Every
 * publishing method returns {@link #OK} or a negative code ({@link #NOT_CONNECTED}, {@link #BACK_PRESSURED}, ...)
 * and never throws or allocates. On {@link #BACK_PRESSURED} what was not sent is dropped; the server should send
 * the full state of those entities on its next tick.
 * <p>
 * Threading: an {@link Agent}; every method is called on the thread that runs {@link #doWork()}.
 */
public final class ServerLink implements Agent, AutoCloseable
{
    public static final int OK = 0;
    public static final int NOT_CONNECTED = -1;
    public static final int BACK_PRESSURED = -2;
    /**
     * {@link #appendState} or {@link #commitStateBatch} without {@link #beginStateBatch}.
     */
    public static final int NO_BATCH = -3;
    /**
     * Component state longer than the message can carry.
     */
    public static final int STATE_TOO_LONG = -4;
    /**
     * Entity id outside this server's block from the welcome.
     */
    public static final int ID_OUT_OF_BLOCK = -5;
    /**
     * The link is closed.
     */
    public static final int CLOSED = -6;

    public static final int REASON_CONNECT_FAILED = 1;
    public static final int REASON_TIMEOUT = 2;
    public static final int REASON_CLOSED_BY_SHARD = 3;
    public static final int REASON_LOCAL_CLOSE = 4;

    /**
     * State batches are split into messages of at most about this many bytes.
     */
    public static final int MAX_BATCH_BYTES = 4096;

    /**
     * Where the link is in its life.
     */
    public enum State
    {
        CONNECTING, AWAITING_WELCOME, CONNECTED, REJECTED, DISCONNECTED, CLOSED
    }

    private final Context ctx;

    private ServerLink(final Context ctx)
    {
        this.ctx = ctx;
    }

    /**
     * Conclude the context, connect (or reuse) the Aeron client and open the ingress publication. The hello goes out
     * from {@link #doWork()} once the publication is connected.
     */
    public static ServerLink launch(final Context ctx)
    {
        ctx.conclude();
        return new ServerLink(ctx);
    }

    public Context context()
    {
        return ctx;
    }

    @Override
    public String roleName()
    {
        return "orrery-server-link-" + ctx.serverId;
    }

    @Override
    public int doWork()
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    public State state()
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    public boolean isConnected()
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    public int serverId()
    {
        return ctx.serverId;
    }

    /**
     * @return first id of this server's entity id block (valid once welcomed).
     */
    public long entityIdBase()
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * @return the next unused id of this server's block, or {@link #ID_OUT_OF_BLOCK} when exhausted or not welcomed.
     */
    public long nextEntityId()
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * Start an {@code EntityStateBatch}. A batch still open is committed first.
     *
     * @return {@link #OK} or {@link #NOT_CONNECTED}.
     */
    public int beginStateBatch(final long tick, final long nowNs)
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * Append one authoritative write. Only the fields in {@code changedMask} (bits of {@code fieldMask}: 1 position,
     * 2 velocity, 4 orientation, 8 size, 16 parentZone, 64 lastAppliedInput) are applied by the Replication Layer.
     *
     * @return {@link #OK}, {@link #NO_BATCH}, or {@link #BACK_PRESSURED} / {@link #NOT_CONNECTED} if a full part of
     * the batch had to be sent and could not be.
     */
    public int appendState(
        final long entityId, final long epoch, final int changedMask, final long parentZoneId,
        final long x, final long y, final long z,
        final float qx, final float qy, final float qz, final float qw,
        final float vx, final float vy, final float vz,
        final float radius, final long lastAppliedInputSequence)
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * As {@link #appendState(long, long, int, long, long, long, long, float, float, float, float, float, float,
     * float, float, long)}, with component state (set bit 32 in {@code changedMask} to have it applied).
     */
    public int appendState(
        final long entityId, final long epoch, final int changedMask, final long parentZoneId,
        final long x, final long y, final long z,
        final float qx, final float qy, final float qz, final float qw,
        final float vx, final float vy, final float vz,
        final float radius, final long lastAppliedInputSequence,
        final DirectBuffer componentState, final int stateOffset, final int stateLength)
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * Send what the batch holds (nothing if empty).
     *
     * @return {@link #OK}, {@link #NO_BATCH}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int commitStateBatch()
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * Ask the Replication Layer to create an entity with an id from this server's block
     * ({@link #nextEntityId()}); it is owned by the server whose territory contains it (usually this one), which
     * receives it through {@link ServerListener#onEntityStreamIn}.
     *
     * @return {@link #OK}, {@link #ID_OUT_OF_BLOCK}, {@link #STATE_TOO_LONG}, {@link #BACK_PRESSURED},
     * {@link #NOT_CONNECTED}.
     */
    public int createEntity(final EntitySnapshot entity, final boolean isZone)
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * Ask the Replication Layer to destroy an entity this server is the authority over.
     *
     * @return {@link #OK}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int destroyEntity(final long entityId, final long epoch)
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * Answer {@link ServerListener#onHandoffRelease}: the entity's final state ({@code authorityEpoch} = the epoch
     * being released, {@code lastAppliedInputSequence} = the last input applied). Stop simulating it afterwards.
     *
     * @return {@link #OK}, {@link #STATE_TOO_LONG}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int releaseEntity(final EntitySnapshot finalState)
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    /**
     * Send a load report now and keep the figures for the periodic heartbeat reports.
     *
     * @return {@link #OK}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}.
     */
    public int reportLoad(
        final long tick, final int entityCount, final int playerCount, final long tickTimeP50Ns,
        final long tickTimeMaxNs, final float cpuLoad)
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    @Override
    public void onClose()
    {
        throw new UnsupportedOperationException("server link: not implemented yet");
    }

    @Override
    public void close()
    {
        onClose();
    }

    /**
     * Settings of a server link. Every setting has a default, overridable by the system property in its constant.
     */
    public static final class Context
    {
        public static final String AERON_DIR_PROP = "orrery.server.link.aeron.dir";
        public static final String INGRESS_CHANNEL_PROP = "orrery.server.ingress.channel";
        public static final String INGRESS_CHANNEL_DEFAULT = "aeron:ipc?term-length=1m";
        public static final String INGRESS_STREAM_ID_PROP = "orrery.server.ingress.stream.id";
        public static final int INGRESS_STREAM_ID_DEFAULT = 1002;
        public static final String RESPONSE_CHANNEL_PROP = "orrery.server.response.channel";
        public static final String RESPONSE_CHANNEL_DEFAULT = "aeron:ipc?term-length=1m";
        public static final String RESPONSE_STREAM_ID_PROP = "orrery.server.response.stream.id";
        /**
         * Default response stream: {@code RESPONSE_STREAM_ID_BASE + serverId}, so servers sharing a response
         * channel never read each other's traffic.
         */
        public static final int RESPONSE_STREAM_ID_BASE = 3000;
        public static final String SERVER_ID_PROP = "orrery.server.id";
        public static final String HEARTBEAT_INTERVAL_MS_PROP = "orrery.server.heartbeat.interval.ms";
        public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 100;
        public static final String CONNECT_TIMEOUT_MS_PROP = "orrery.server.connect.timeout.ms";
        public static final long CONNECT_TIMEOUT_MS_DEFAULT = 10_000;
        public static final String TICK_RATE_HZ_PROP = "orrery.server.tick.rate.hz";
        public static final int TICK_RATE_HZ_DEFAULT = 30;
        public static final String MAX_STATE_BYTES_PROP = "orrery.server.max.state.bytes";
        public static final int MAX_STATE_BYTES_DEFAULT = 256;

        private boolean isConcluded;
        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private Aeron aeron;
        private boolean ownsAeron;
        private String ingressChannel = System.getProperty(INGRESS_CHANNEL_PROP, INGRESS_CHANNEL_DEFAULT);
        private int ingressStreamId = Integer.getInteger(INGRESS_STREAM_ID_PROP, INGRESS_STREAM_ID_DEFAULT);
        private String responseChannel = System.getProperty(RESPONSE_CHANNEL_PROP, RESPONSE_CHANNEL_DEFAULT);
        private int responseStreamId = Integer.getInteger(RESPONSE_STREAM_ID_PROP, 0);
        private int serverId = Integer.getInteger(SERVER_ID_PROP, 0);
        private byte[] token;
        private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(HEARTBEAT_INTERVAL_MS_PROP, HEARTBEAT_INTERVAL_MS_DEFAULT));
        private long connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(CONNECT_TIMEOUT_MS_PROP, CONNECT_TIMEOUT_MS_DEFAULT));
        private int tickRateHz = Integer.getInteger(TICK_RATE_HZ_PROP, TICK_RATE_HZ_DEFAULT);
        private int maxStateBytes = Integer.getInteger(MAX_STATE_BYTES_PROP, MAX_STATE_BYTES_DEFAULT);
        private NanoClock nanoClock;
        private ServerListener listener;

        /**
         * Validate and connect the Aeron client if none was given. Idempotent.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                return this;
            }
            if (serverId <= 0)
            {
                throw new IllegalArgumentException("serverId must be positive: " + serverId);
            }
            if (null == token || 0 == token.length)
            {
                throw new IllegalArgumentException("token is required (a server token from SessionTokens)");
            }
            if (0 == responseStreamId)
            {
                responseStreamId = RESPONSE_STREAM_ID_BASE + serverId;
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            if (null == listener)
            {
                listener = ServerListener.NO_OP;
            }
            if (null == aeron)
            {
                final Aeron.Context aeronCtx = new Aeron.Context();
                if (null != aeronDirectoryName)
                {
                    aeronCtx.aeronDirectoryName(aeronDirectoryName);
                }
                aeron = Aeron.connect(aeronCtx);
                ownsAeron = true;
            }
            isConcluded = true;
            return this;
        }

        /**
         * Close the Aeron client if this context connected it.
         */
        public void close()
        {
            if (ownsAeron)
            {
                CloseHelper.quietClose(aeron);
            }
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * An Aeron client of the embedder (not closed by the link), or the one {@link #conclude()} connected.
         */
        public Aeron aeron()
        {
            return aeron;
        }

        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            this.ownsAeron = false;
            return this;
        }

        public String ingressChannel()
        {
            return ingressChannel;
        }

        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = ingressChannel;
            return this;
        }

        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        public Context ingressStreamId(final int ingressStreamId)
        {
            this.ingressStreamId = ingressStreamId;
            return this;
        }

        public String responseChannel()
        {
            return responseChannel;
        }

        public Context responseChannel(final String responseChannel)
        {
            this.responseChannel = responseChannel;
            return this;
        }

        /**
         * 0 (default) means {@link #RESPONSE_STREAM_ID_BASE} + server id.
         */
        public int responseStreamId()
        {
            return responseStreamId;
        }

        public Context responseStreamId(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            return this;
        }

        public int serverId()
        {
            return serverId;
        }

        public Context serverId(final int serverId)
        {
            this.serverId = serverId;
            return this;
        }

        /**
         * Server token: {@code SessionTokens.forServers(secret).issue(serverId, expiryEpochMs)}.
         */
        public byte[] token()
        {
            return token;
        }

        public Context token(final byte[] token)
        {
            this.token = token;
            return this;
        }

        /**
         * How often a {@code LoadReport} (the heartbeat) is sent; keep it well below the shard's heartbeat timeout.
         */
        public long heartbeatIntervalNs()
        {
            return heartbeatIntervalNs;
        }

        public Context heartbeatIntervalNs(final long heartbeatIntervalNs)
        {
            this.heartbeatIntervalNs = heartbeatIntervalNs;
            return this;
        }

        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        public Context connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        public int tickRateHz()
        {
            return tickRateHz;
        }

        public Context tickRateHz(final int tickRateHz)
        {
            this.tickRateHz = tickRateHz;
            return this;
        }

        /**
         * Largest component state the link's snapshots hold.
         */
        public int maxStateBytes()
        {
            return maxStateBytes;
        }

        public Context maxStateBytes(final int maxStateBytes)
        {
            this.maxStateBytes = maxStateBytes;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public ServerListener listener()
        {
            return listener;
        }

        public Context listener(final ServerListener listener)
        {
            this.listener = listener;
            return this;
        }
    }
}
