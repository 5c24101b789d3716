/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.aeron.Aeron;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.auth.PlayerTokenMinter;
import io.orrery.link.UdpChannels;
import io.orrery.wire.EntityIdSpace;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A swarm of bots, each a real client session (own ingress publication, own token and player id, own handshake),
 * spread round-robin over a few {@link BotAgent}s, each on its own thread with one {@link io.orrery.core.client
 * .ClientLink} per response endpoint (one over IPC; over UDP one per group of at most
 * {@link Settings#botsPerEndpoint()} bots); all share one Aeron client. An {@link IntervalReporter} thread writes interval histogram logs.
 * <pre>
 *   BotSwarm.launch(settings)   start bot threads (or not, with startThreads(false)) and the reporter thread
 *   swarm.agent(i).doWork()     only when the caller drives the agents (tests)
 *   swarm.stop()                stop threads, flush metrics, disconnect every bot; returns the summary
 * </pre>
 * Threading: launch, stop and the accessors are for one controlling thread; the agents run on their own threads.
 */
public final class BotSwarm implements AutoCloseable
{
    /**
     * Response channel of the bots. The MTU is raised from Aeron's default (1408) to 8 KiB so that every egress
     * message of the Replication Layer (update batches of up to 4 KiB) arrives in one frame: with the default MTU the
     * batches are fragmented and {@code ClientLink}'s reassembly takes a buffer per image (growing to the largest
     * message that image sent, up to 8 KiB), which allocates on the bot thread while the buffers grow.
     */
    public static final String DEFAULT_RESPONSE_CHANNEL = "aeron:ipc?term-length=64k|mtu=8192";

    /**
     * Bots sharing one UDP response endpoint by default. Every session on an endpoint may have its receiver window
     * (32 KiB: half the layer's 64 KiB egress term) in flight at once, so the socket needs {@code bots x 32 KiB}
     * of receive buffer: 50 bots take 1.6 MiB, under the 2 MiB default {@code so-rcvbuf} and well under the 4 MiB
     * {@code net.core.rmem_max} of common hosts. With all 200 bots of a process on one endpoint and Aeron's
     * default 128 KiB buffer the layer saw NAK storms of 0.9-1.5 M and 165-181 sessions dropped as slow consumers.
     */
    public static final int BOTS_PER_ENDPOINT_DEFAULT = 50;

    /**
     * Settings of a swarm, with defaults for a local run.
     */
    public static final class Settings
    {
        /**
         * System property: default of {@link #sweepIntervalNs(long)}, nanoseconds (0: every duty cycle, as before it
         * existed; for a before/after on one build).
         */
        public static final String SWEEP_INTERVAL_PROP = "orrery.bots.sweep.interval.ns";

        int bots = 200;
        int threads = 1;
        boolean startThreads = true;
        long durationNs = TimeUnit.SECONDS.toNanos(20);
        double rampBotsPerSecond = 500;
        int inputRateHz = 20;
        BehaviourMix mix = BehaviourMix.parse(BehaviourMix.DEFAULT_MIX);
        long seed = 42;
        File outputDir;
        String aeronDirectoryName;
        String ingressChannel = ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT;
        int ingressStreamId = ReplicationLayer.Context.CLIENT_INGRESS_STREAM_ID_DEFAULT;
        String responseChannel = DEFAULT_RESPONSE_CHANNEL;
        int responseStreamId = 2001;
        int botsPerEndpoint = BOTS_PER_ENDPOINT_DEFAULT;
        byte[] tokenSecret = ReplicationLayer.Context.TOKEN_SECRET_DEFAULT.getBytes(StandardCharsets.UTF_8);
        byte[] playerTokenPrivateKey;
        long playerIdBase = 1_000_000;
        long inventoryIntervalNs = TimeUnit.SECONDS.toNanos(5);
        long walkTurnIntervalNs = TimeUnit.SECONDS.toNanos(3);
        long worldHalfExtentMm = 1_000_000;
        long[] hotspotsMm = { -800_000, 0, 800_000, 0 };
        long crowdXMm = 0;
        long crowdYMm = 0;
        long[] rallyPointsMm = { 0, 0 };
        long rallyLegNs = TimeUnit.SECONDS.toNanos(20);
        long rallyScatterAtNs;
        long reportIntervalNs = TimeUnit.SECONDS.toNanos(1);
        int viewCapacity = 2048;
        long connectTimeoutNs = TimeUnit.SECONDS.toNanos(20);
        long idleMaxParkNs = TimeUnit.MICROSECONDS.toNanos(100);
        long sweepIntervalNs = Long.getLong(SWEEP_INTERVAL_PROP, TimeUnit.MILLISECONDS.toNanos(1));
        long inputAckStallNs = TimeUnit.SECONDS.toNanos(3);
        boolean resume = true;
        int layerLossHeartbeats = 3;
        NanoClock clock = SystemNanoClock.INSTANCE;
        IntervalListener intervalListener;

        public int bots()
        {
            return bots;
        }

        public Settings bots(final int bots)
        {
            this.bots = bots;
            return this;
        }

        public int threads()
        {
            return threads;
        }

        /**
         * Bot threads (each one {@link BotAgent} with one link).
         */
        public Settings threads(final int threads)
        {
            this.threads = threads;
            return this;
        }

        public boolean startThreads()
        {
            return startThreads;
        }

        /**
         * False: no bot thread is started, the caller drives each {@link BotAgent#doWork()} (tests).
         */
        public Settings startThreads(final boolean startThreads)
        {
            this.startThreads = startThreads;
            return this;
        }

        public long durationNs()
        {
            return durationNs;
        }

        /**
         * Length of a run from the start of ramp-up.
         */
        public Settings durationNs(final long durationNs)
        {
            this.durationNs = durationNs;
            return this;
        }

        public double rampBotsPerSecond()
        {
            return rampBotsPerSecond;
        }

        public Settings rampBotsPerSecond(final double rampBotsPerSecond)
        {
            this.rampBotsPerSecond = rampBotsPerSecond;
            return this;
        }

        public int inputRateHz()
        {
            return inputRateHz;
        }

        public Settings inputRateHz(final int inputRateHz)
        {
            this.inputRateHz = inputRateHz;
            return this;
        }

        public BehaviourMix mix()
        {
            return mix;
        }

        public Settings mix(final BehaviourMix mix)
        {
            this.mix = mix;
            return this;
        }

        public long seed()
        {
            return seed;
        }

        public Settings seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public File outputDir()
        {
            return outputDir;
        }

        /**
         * Where interval logs go; null for none.
         */
        public Settings outputDir(final File outputDir)
        {
            this.outputDir = outputDir;
            return this;
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        public Settings aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public String ingressChannel()
        {
            return ingressChannel;
        }

        /**
         * @param ingressChannel the shard's client ingress channel, or several Gateways' separated by commas (bots
         *                       spread over them round robin; a bot whose Gateway is lost resumes through the next).
         * @return this.
         */
        public Settings ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = ingressChannel;
            return this;
        }

        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        public Settings ingressStreamId(final int ingressStreamId)
        {
            this.ingressStreamId = ingressStreamId;
            return this;
        }

        public String responseChannel()
        {
            return responseChannel;
        }

        public Settings responseChannel(final String responseChannel)
        {
            this.responseChannel = responseChannel;
            return this;
        }

        public int responseStreamId()
        {
            return responseStreamId;
        }

        /**
         * First response stream id; bot thread {@code t} uses {@code responseStreamId + t}.
         */
        public Settings responseStreamId(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            return this;
        }

        public int botsPerEndpoint()
        {
            return botsPerEndpoint;
        }

        /**
         * Most bots per UDP response endpoint (one {@code ClientLink} and one socket each; default
         * {@link #BOTS_PER_ENDPOINT_DEFAULT}). With a UDP response channel whose endpoint port is {@code P > 0},
         * group {@code k} of the swarm listens on port {@code P + k}; with port 0 every group gets an ephemeral port
         * from the media driver. Ignored over IPC (one link per thread).
         */
        public Settings botsPerEndpoint(final int botsPerEndpoint)
        {
            this.botsPerEndpoint = botsPerEndpoint;
            return this;
        }

        public byte[] tokenSecret()
        {
            return tokenSecret;
        }

        public Settings tokenSecret(final byte[] tokenSecret)
        {
            this.tokenSecret = tokenSecret;
            return this;
        }

        /**
         * The login service's Ed25519 private key (32-byte seed): set, bots present Ed25519 player tokens signed with
         * it (a shard run with the matching public key), else HMAC tokens of {@link #tokenSecret()}.
         */
        public byte[] playerTokenPrivateKey()
        {
            return playerTokenPrivateKey;
        }

        public Settings playerTokenPrivateKey(final byte[] playerTokenPrivateKey)
        {
            this.playerTokenPrivateKey = playerTokenPrivateKey;
            return this;
        }

        public long playerIdBase()
        {
            return playerIdBase;
        }

        /**
         * Bot {@code i} is player (and player entity) {@code playerIdBase + i}.
         */
        public Settings playerIdBase(final long playerIdBase)
        {
            this.playerIdBase = playerIdBase;
            return this;
        }

        public boolean resume()
        {
            return resume;
        }

        /**
         * Whether bots resume their sessions when the layer goes away (default true; see
         * {@code ClientLink.Settings.resume}). Time spent resuming does not count towards an acknowledgement stall.
         */
        public Settings resume(final boolean resume)
        {
            this.resume = resume;
            return this;
        }

        public int layerLossHeartbeats()
        {
            return layerLossHeartbeats;
        }

        /**
         * Silent layer heartbeat intervals after which a bot takes its layer for lost (default 3; see
         * {@code ClientLink.Settings.layerLossHeartbeats}): raise it on a host so loaded that a live layer stalls
         * for that long.
         */
        public Settings layerLossHeartbeats(final int layerLossHeartbeats)
        {
            this.layerLossHeartbeats = layerLossHeartbeats;
            return this;
        }

        public long inputAckStallNs()
        {
            return inputAckStallNs;
        }

        /**
         * How long a bot's own entity may go without acknowledging a newer input while the bot has inputs
         * outstanding before it counts as a correctness error ({@code inputAcknowledgementStalls}, once per stall).
         * Legitimate gaps are far shorter: a handoff is about 100 ms, a failover at most about the shard's heartbeat
         * timeout (1 s by default), so the default of 3 s only trips when a server stops applying inputs.
         */
        public Settings inputAckStallNs(final long inputAckStallNs)
        {
            this.inputAckStallNs = inputAckStallNs;
            return this;
        }

        public long inventoryIntervalNs()
        {
            return inventoryIntervalNs;
        }

        /**
         * How often each inventory bot stows or unstows an item.
         */
        public Settings inventoryIntervalNs(final long inventoryIntervalNs)
        {
            this.inventoryIntervalNs = inventoryIntervalNs;
            return this;
        }

        public long walkTurnIntervalNs()
        {
            return walkTurnIntervalNs;
        }

        public Settings walkTurnIntervalNs(final long walkTurnIntervalNs)
        {
            this.walkTurnIntervalNs = walkTurnIntervalNs;
            return this;
        }

        public long worldHalfExtentMm()
        {
            return worldHalfExtentMm;
        }

        public Settings worldHalfExtentMm(final long worldHalfExtentMm)
        {
            this.worldHalfExtentMm = worldHalfExtentMm;
            return this;
        }

        public long[] hotspotsMm()
        {
            return hotspotsMm;
        }

        /**
         * Commute hotspots as x,y pairs in mm; at least two.
         */
        public Settings hotspotsMm(final long[] hotspotsMm)
        {
            this.hotspotsMm = hotspotsMm.clone();
            return this;
        }

        public long crowdXMm()
        {
            return crowdXMm;
        }

        public long crowdYMm()
        {
            return crowdYMm;
        }

        public Settings crowdMm(final long xMm, final long yMm)
        {
            this.crowdXMm = xMm;
            this.crowdYMm = yMm;
            return this;
        }

        public long[] rallyPointsMm()
        {
            return rallyPointsMm;
        }

        /**
         * Rally points of {@link BehaviourKind#RALLY} bots as x,y pairs in mm, visited in turn, one per leg; at least
         * one.
         */
        public Settings rallyPointsMm(final long[] rallyPointsMm)
        {
            this.rallyPointsMm = rallyPointsMm.clone();
            return this;
        }

        public long rallyLegNs()
        {
            return rallyLegNs;
        }

        /**
         * How long rally bots stay at each rally point (from the swarm's start).
         */
        public Settings rallyLegNs(final long rallyLegNs)
        {
            this.rallyLegNs = rallyLegNs;
            return this;
        }

        public long rallyScatterAtNs()
        {
            return rallyScatterAtNs;
        }

        /**
         * When (after the swarm's start) rally bots scatter over the world; 0 = never.
         */
        public Settings rallyScatterAtNs(final long rallyScatterAtNs)
        {
            this.rallyScatterAtNs = rallyScatterAtNs;
            return this;
        }

        public long reportIntervalNs()
        {
            return reportIntervalNs;
        }

        public Settings reportIntervalNs(final long reportIntervalNs)
        {
            this.reportIntervalNs = reportIntervalNs;
            return this;
        }

        public int viewCapacity()
        {
            return viewCapacity;
        }

        public Settings viewCapacity(final int viewCapacity)
        {
            this.viewCapacity = viewCapacity;
            return this;
        }

        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        public Settings connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        public long idleMaxParkNs()
        {
            return idleMaxParkNs;
        }

        /**
         * Longest park of a bot thread's {@link BackoffIdleStrategy} when a duty cycle did no work.
         */
        public Settings idleMaxParkNs(final long idleMaxParkNs)
        {
            this.idleMaxParkNs = idleMaxParkNs;
            return this;
        }

        public long sweepIntervalNs()
        {
            return sweepIntervalNs;
        }

        /**
         * How often a bot thread visits every bot and session for its timers (the input acknowledgement watchdog, the
         * layer's silence, heartbeats, layer loss), default 1 ms; 0 visits them on every duty cycle. Between visits
         * a bot is driven only when its next input or inventory action is due, and a session only while it connects
         * or resumes ({@link io.orrery.core.client.ClientLink.Settings#sessionSweepIntervalNs(long)}): an idle duty
         * cycle no longer touches every bot and session, which on a thread hosting hundreds of bots was most of its
         * CPU. Default from the system property {@value #SWEEP_INTERVAL_PROP} (nanoseconds), else 1 ms.
         */
        public Settings sweepIntervalNs(final long sweepIntervalNs)
        {
            if (sweepIntervalNs < 0)
            {
                throw new IllegalArgumentException("sweepIntervalNs must not be negative");
            }
            this.sweepIntervalNs = sweepIntervalNs;
            return this;
        }

        public NanoClock clock()
        {
            return clock;
        }

        public Settings clock(final NanoClock clock)
        {
            this.clock = clock;
            return this;
        }

        public IntervalListener intervalListener()
        {
            return intervalListener;
        }

        /**
         * Sees every interval histogram on the reporter thread (live dashboards); null for none.
         */
        public Settings intervalListener(final IntervalListener intervalListener)
        {
            this.intervalListener = intervalListener;
            return this;
        }

        /**
         * Validate.
         *
         * @return this.
         */
        public Settings conclude()
        {
            if (bots <= 0 || threads <= 0 || threads > bots)
            {
                throw new IllegalArgumentException("need 0 < threads <= bots: bots=" + bots + " threads=" + threads);
            }
            if (botsPerEndpoint <= 0)
            {
                throw new IllegalArgumentException("botsPerEndpoint must be positive: " + botsPerEndpoint);
            }
            if (inputRateHz <= 0 || inputRateHz > 1000)
            {
                throw new IllegalArgumentException("input rate must be in (0, 1000] Hz: " + inputRateHz);
            }
            if (!(rampBotsPerSecond > 0))
            {
                throw new IllegalArgumentException("ramp must be positive: " + rampBotsPerSecond);
            }
            if (playerIdBase <= 0 || playerIdBase + bots >= EntityIdSpace.MAX_PLAYER_ID_EXCLUSIVE)
            {
                throw new IllegalArgumentException("player ids must be in (0, 2^40): base " + playerIdBase);
            }
            if (null == aeronDirectoryName)
            {
                throw new IllegalArgumentException("aeronDirectoryName is required");
            }
            if (null != outputDir && !outputDir.isDirectory() && !outputDir.mkdirs())
            {
                throw new IllegalArgumentException("cannot create output dir " + outputDir);
            }
            return this;
        }
    }

    private final Settings settings;
    private final Aeron aeron;
    private final BotAgent[] agents;
    private final IntervalReporter reporter;
    private final AgentRunner reporterRunner;
    private final AgentRunner[] runners;
    private final AtomicLong errors = new AtomicLong();
    private final long startNs;
    private final long startEpochMs;
    private final int responseEndpoints;
    private final long[] driverCountersAtStart;
    private SwarmSummary summary;

    private BotSwarm(final Settings settings)
    {
        this.settings = settings;
        final ErrorHandler errorHandler = (throwable) ->
        {
            errors.incrementAndGet();
            throwable.printStackTrace(System.err);
        };
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(settings.aeronDirectoryName)
            .errorHandler(errorHandler));
        try
        {
            final int bots = settings.bots;
            final BehaviourKind[] kinds = settings.mix.assign(bots, settings.seed);
            final byte[][] tokens = new byte[bots][];
            final PlayerTokenMinter minter = PlayerTokenMinter.of(settings.playerTokenPrivateKey, settings.tokenSecret);
            final long expiryMs = System.currentTimeMillis() +
                TimeUnit.NANOSECONDS.toMillis(settings.durationNs) + TimeUnit.HOURS.toMillis(1);
            for (int i = 0; i < bots; i++)
            {
                tokens[i] = minter.issue(settings.playerIdBase + i, expiryMs);
            }

            driverCountersAtStart = DriverCounters.read(aeron.countersReader());
            startNs = settings.clock.nanoTime();
            startEpochMs = System.currentTimeMillis();
            agents = new BotAgent[settings.threads];
            int group = 0;
            for (int t = 0; t < settings.threads; t++)
            {
                final int[] indices = new int[(bots - t + settings.threads - 1) / settings.threads];
                for (int i = 0; i < indices.length; i++)
                {
                    indices[i] = t + i * settings.threads;
                }
                final String[] channels = responseChannels(settings, indices.length, group);
                group += channels.length;
                agents[t] = new BotAgent(
                    t, aeron, settings, indices, kinds, tokens, settings.clock, startNs, startEpochMs, channels);
            }
            responseEndpoints = group;

            reporter = new IntervalReporter(agents, settings.outputDir, startEpochMs, settings.intervalListener);
            reporterRunner = new AgentRunner(new SleepingMillisIdleStrategy(10), errorHandler, null, reporter);
            AgentRunner.startOnThread(reporterRunner);

            if (settings.startThreads)
            {
                runners = new AgentRunner[settings.threads];
                for (int t = 0; t < settings.threads; t++)
                {
                    runners[t] = new AgentRunner(
                        new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), settings.idleMaxParkNs),
                        errorHandler, null, agents[t]);
                    AgentRunner.startOnThread(runners[t]);
                }
            }
            else
            {
                runners = new AgentRunner[0];
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
    }

    /**
     * Response channels of one bot thread: over IPC the configured channel; over UDP one per group of at most
     * {@code botsPerEndpoint} bots, each with its own port (base port + group number, or ephemeral with port 0),
     * a socket receive buffer for the group's windows ({@link UdpChannels#rcvbufFor}, capped at
     * {@code net.core.rmem_max}) and a 32 KiB receiver window, unless the configured channel names them.
     *
     * @param firstGroup number of this thread's first group in the swarm.
     */
    static String[] responseChannels(final Settings settings, final int threadBots, final int firstGroup)
    {
        final String channel = settings.responseChannel;
        if (!UdpChannels.isUdp(channel))
        {
            return new String[]{ channel };
        }
        final int groups = (threadBots + settings.botsPerEndpoint - 1) / settings.botsPerEndpoint;
        final int botsPerGroup = (threadBots + groups - 1) / groups;
        final int basePort = UdpChannels.endpointPort(channel);
        if (basePort < 0)
        {
            throw new IllegalArgumentException("a UDP response channel needs an endpoint host:port: " + channel);
        }
        final String[] channels = new String[groups];
        for (int g = 0; g < groups; g++)
        {
            final String endpoint = 0 == basePort ?
                channel : UdpChannels.withEndpointPort(channel, basePort + firstGroup + g);
            channels[g] = UdpChannels.tune(
                endpoint,
                UdpChannels.rcvbufFor(botsPerGroup, UdpChannels.RCV_WND_DEFAULT),
                0,
                UdpChannels.RCV_WND_DEFAULT,
                0 == firstGroup + g ? System.out : null);
        }
        return channels;
    }

    /**
     * @return response endpoints (links) of the swarm over all threads.
     */
    public int responseEndpoints()
    {
        return responseEndpoints;
    }

    /**
     * @return the media driver's system counters ({@link DriverCounters}) since the swarm started, of the driver
     * the bots use.
     */
    public long[] driverCountersSinceStart()
    {
        final long[] now = DriverCounters.read(aeron.countersReader());
        for (int i = 0; i < now.length; i++)
        {
            now[i] -= driverCountersAtStart[i];
        }
        return now;
    }

    /**
     * Start a swarm: bots begin to connect at the ramp-up rate from now.
     */
    public static BotSwarm launch(final Settings settings)
    {
        return new BotSwarm(settings.conclude());
    }

    public Settings settings()
    {
        return settings;
    }

    public int agentCount()
    {
        return agents.length;
    }

    public BotAgent agent(final int index)
    {
        return agents[index];
    }

    /**
     * @return time of the start on the swarm's clock.
     */
    public long startNs()
    {
        return startNs;
    }

    /**
     * @return errors reported by the bot, reporter and Aeron client threads.
     */
    public long errors()
    {
        return errors.get();
    }

    /**
     * @return the sum of one {@code BotAgent.STATUS_*} slot over all agents.
     */
    public long status(final int slot)
    {
        long sum = 0;
        for (final BotAgent agent : agents)
        {
            sum += agent.status(slot);
        }
        return sum;
    }

    /**
     * @param cell of the density grid ({@link BotAgent#HEAT_CELLS} per side over the world square).
     * @return bots whose own entity was in that cell, over all agents, as of their last status publication.
     */
    public int heat(final int cell)
    {
        int sum = 0;
        for (final BotAgent agent : agents)
        {
            sum += agent.heat(cell);
        }
        return sum;
    }

    /**
     * @return true when no bot is waiting to be launched or for its handshake (as of the last report interval).
     */
    public boolean isSettled()
    {
        return status(BotAgent.STATUS_CONNECTED) + status(BotAgent.STATUS_FAILED) >= settings.bots;
    }

    /**
     * Count, besides the run's totals, the intervals that start one report interval or more from now as steady
     * state (the summary's steady-state latencies): call it when the swarm {@link #isSettled()}, so that the ramp's
     * handshakes, first spawns and the inputs that waited for them are left out. The first call counts.
     */
    public void markSteady()
    {
        reporter.steadyFrom(System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(settings.reportIntervalNs));
    }

    /**
     * Stop the bot threads (each disconnects its bots), hand the last intervals to the reporter, stop it and
     * summarise. Idempotent.
     *
     * @return the summary of the run.
     */
    public SwarmSummary stop()
    {
        if (null == summary)
        {
            final long stopNs = settings.clock.nanoTime();
            CloseHelper.closeAll(runners);
            if (!settings.startThreads)
            {
                for (final BotAgent agent : agents)
                {
                    agent.onClose();
                }
            }
            for (final BotAgent agent : agents)
            {
                agent.flushMetrics();
            }
            CloseHelper.close(reporterRunner);
            summary = SwarmSummary.of(settings, agents, reporter, stopNs - startNs, errors.get());
            summary.extra("responseEndpoints", responseEndpoints);
            if (UdpChannels.isUdp(settings.responseChannel) || UdpChannels.isUdp(settings.ingressChannel))
            {
                final long[] driver = driverCountersSinceStart();
                DriverCounters.addTo(summary, "udp", driver);
                summary.extra("retransmitRatio", DriverCounters.round(DriverCounters.retransmitRatio(driver)));
            }
        }
        return summary;
    }

    @Override
    public void close()
    {
        try
        {
            stop();
        }
        finally
        {
            CloseHelper.quietClose(aeron);
        }
    }
}
