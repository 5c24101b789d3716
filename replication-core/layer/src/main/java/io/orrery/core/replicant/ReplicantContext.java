/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.core.authority.Authority;

import java.util.concurrent.TimeUnit;

/**
 * Settings of the Replicant role: the tick rate and per-client bandwidth, the sizes of the entity cache and of the
 * clients' views, bubbles, compact updates, update tiers, interest workers, the slow-consumer timeout, server OCS,
 * and who has authority over entity state. Every setting has a default, overridable by the system property named in
 * its constant. Composed by the Replication Layer's Context, which hands it to the {@link ReplicantAgent} with the
 * resources the roles share.
 * <p>
 * Threading: set before launch; read-only once concluded.
 */
public final class ReplicantContext
{
    public static final String TICK_RATE_HZ_PROP = "orrery.tick.rate.hz";
    public static final int TICK_RATE_HZ_DEFAULT = 30;
    public static final String BANDWIDTH_BYTES_PER_TICK_PROP = "orrery.bandwidth.bytes.per.tick";
    public static final int BANDWIDTH_BYTES_PER_TICK_DEFAULT = 16 * 1024;
    public static final String MAX_ENTITIES_PROP = "orrery.max.entities";
    public static final int MAX_ENTITIES_DEFAULT = 128 * 1024;
    public static final String MAX_STATE_BYTES_PROP = "orrery.max.state.bytes";
    public static final int MAX_STATE_BYTES_DEFAULT = 256;
    public static final String MAX_VIEW_ENTITIES_PROP = "orrery.max.view.entities";
    public static final int MAX_VIEW_ENTITIES_DEFAULT = 512;
    public static final String BUBBLE_RADIUS_M_PROP = "orrery.bubble.radius.m";
    public static final double BUBBLE_RADIUS_M_DEFAULT = 300;
    public static final String SIZE_FACTOR_PROP = "orrery.bubble.size.factor";
    public static final double SIZE_FACTOR_DEFAULT = 10;
    public static final String HYSTERESIS_PROP = "orrery.bubble.hysteresis";
    public static final double HYSTERESIS_DEFAULT = 0.1;
    /**
     * Entity updates to clients as {@code EntityUpdatesCompact} (per-client handles, changed fields only,
     * deltas against what the client was last sent) rather than fixed-size {@code EntityUpdateBatch} entries.
     */
    public static final String COMPACT_UPDATES_PROP = "orrery.compact.updates";
    public static final boolean COMPACT_UPDATES_DEFAULT = true;
    /**
     * This Replicant's id among the Replicants of its shard (0..255), stamped on every spawn, despawn and compact
     * update frame it writes to clients (their handle space and stream; see README, "Several Replicants per shard").
     * A shard with one Replicant: 0.
     */
    public static final String REPLICANT_ID_PROP = "orrery.replicant.id";
    public static final int REPLICANT_ID_DEFAULT = 0;
    /**
     * Replicants of the shard in this process, each on its own agent (README, "Several Replicants per shard"):
     * Replicant 0 is the primary (authority, persistence, sessions, ownership), the others stream the entities they
     * own from its state feed. With more than one the ids are 0..n-1, so {@link #REPLICANT_ID_PROP} must be 0.
     */
    public static final String REPLICANTS_PROP = "orrery.replicants";
    public static final int REPLICANTS_DEFAULT = 1;
    public static final int MAX_REPLICANTS = 8;
    /**
     * World x coordinates in metres, comma separated, ascending, n-1 of them for n Replicants: Replicant i owns the
     * top-level subtrees whose root lies in [boundary i-1, boundary i). Default: 1 km apart, centred on x = 0.
     */
    public static final String REPLICANT_BOUNDARIES_M_PROP = "orrery.replicant.boundaries.m";
    /**
     * An entity changes owner only once it is this far past the boundary of its current owner's range.
     */
    public static final String OWNERSHIP_HYSTERESIS_M_PROP = "orrery.replicant.ownership.hysteresis.m";
    public static final double OWNERSHIP_HYSTERESIS_M_DEFAULT = 10;
    /**
     * Bytes of each secondary Replicant's state feed ring (a power of two); a pass that does not fit is counted
     * ({@code REPLICANT_FEED_BACK_PRESSURE}) and the secondary resyncs from a full snapshot.
     */
    public static final String FEED_RING_BYTES_PROP = "orrery.replicant.feed.ring.bytes";
    public static final int FEED_RING_BYTES_DEFAULT = 16 * 1024 * 1024;
    /**
     * Several Replicants: entries each view holds beyond {@code maxViewEntities} for the spawns of entities a
     * Replicant gained in a pass when the view is full (each evicts the view's lowest entry in the same pass; see
     * {@link InterestConfig#handoffReserve()}); at most {@code maxViewEntities}. Handoff spawns beyond it in one pass
     * come late ({@code REPLICANT_HANDOFF_SPAWNS_LATE}). Memory: this many more view entries per session per
     * Replicant (about 42 bytes each).
     */
    public static final String HANDOFF_RESERVE_PROP = "orrery.replicant.handoff.reserve";
    public static final int HANDOFF_RESERVE_DEFAULT = 32;
    /**
     * Update tiers by distance, as fractions of an entity's view distance: within the near fraction every tick,
     * to the far fraction every mid-tier period ticks, beyond every far-tier period ticks (powers of two, 1 =
     * every tick). See {@link InterestConfig}.
     */
    public static final String NEAR_TIER_FRACTION_PROP = "orrery.tier.near.fraction";
    public static final String FAR_TIER_FRACTION_PROP = "orrery.tier.far.fraction";
    public static final String MID_TIER_PERIOD_PROP = "orrery.tier.mid.period";
    public static final String FAR_TIER_PERIOD_PROP = "orrery.tier.far.period";
    /**
     * Interest workers: the Replicant's per-tick interest work (bubbles, spawns, updates, despawns, encoding and
     * offers to clients) split over this many partitions of the clients, each on its own thread in the SHARED and
     * DEDICATED threading modes (the Replicant's thread runs the first), all on the caller's thread in INVOKER. See
     * {@link InterestEngine}.
     */
    public static final String INTEREST_WORKERS_PROP = "orrery.interest.workers";
    public static final int INTEREST_WORKERS_DEFAULT = 1;
    /**
     * Bytes of spawn snapshots sent per tick to all clients together (see
     * {@link InterestConfig#snapshotBytesPerTick()}): a wave of sessions joining or resuming at once (a restarted
     * layer) gets its snapshots over several ticks; each client's snapshot is also paced by its egress window.
     */
    public static final String SNAPSHOT_BYTES_PER_TICK_PROP = "orrery.snapshot.bytes.per.tick";
    public static final int SNAPSHOT_BYTES_PER_TICK_DEFAULT = InterestConfig.DEFAULT_SNAPSHOT_BYTES_PER_TICK;
    public static final String SLOW_CONSUMER_TIMEOUT_MS_PROP = "orrery.slow.consumer.timeout.ms";
    public static final long SLOW_CONSUMER_TIMEOUT_MS_DEFAULT = 3000;
    /**
     * Server OCS (object container streaming) of a persistent shard: regions with no player near are streamed out
     * to the store and back in as players approach. Off by default; needs a persistence adapter.
     */
    public static final String OCS_ENABLED_PROP = "orrery.ocs.enabled";
    public static final boolean OCS_ENABLED_DEFAULT = false;
    /**
     * Side of an OCS cell, a square of the root zone's x/y plane, in metres.
     */
    public static final String OCS_CELL_SIZE_M_PROP = "orrery.ocs.cell.size.m";
    public static final double OCS_CELL_SIZE_M_DEFAULT = 500;
    /**
     * A cell is streamed in when a player is within this distance of it; default (0): the bubble radius plus one
     * cell diagonal.
     */
    public static final String OCS_STREAM_IN_MARGIN_M_PROP = "orrery.ocs.stream.in.margin.m";
    /**
     * A cell is streamed out when no player has been within this distance of it for the stream-out delay; must be
     * larger than the stream-in margin; default (0): the stream-in margin plus half a cell.
     */
    public static final String OCS_STREAM_OUT_MARGIN_M_PROP = "orrery.ocs.stream.out.margin.m";
    public static final String OCS_STREAM_OUT_DELAY_MS_PROP = "orrery.ocs.stream.out.delay.ms";
    public static final long OCS_STREAM_OUT_DELAY_MS_DEFAULT = 5000;
    /**
     * How often the cell states are re-evaluated (loads are polled every duty cycle).
     */
    public static final String OCS_CHECK_INTERVAL_MS_PROP = "orrery.ocs.check.interval.ms";
    public static final long OCS_CHECK_INTERVAL_MS_DEFAULT = 100;
    /**
     * Cells tracked at once (hot, loading or occupied); cold cells take no room.
     */
    public static final String OCS_MAX_CELLS_PROP = "orrery.ocs.max.cells";
    public static final int OCS_MAX_CELLS_DEFAULT = 16 * 1024;

    private boolean isConcluded;
    private int tickRateHz = Integer.getInteger(TICK_RATE_HZ_PROP, TICK_RATE_HZ_DEFAULT);
    private int bandwidthBytesPerTick = Integer.getInteger(
        BANDWIDTH_BYTES_PER_TICK_PROP, BANDWIDTH_BYTES_PER_TICK_DEFAULT);
    private int maxEntities = Integer.getInteger(MAX_ENTITIES_PROP, MAX_ENTITIES_DEFAULT);
    private int maxStateBytes = Integer.getInteger(MAX_STATE_BYTES_PROP, MAX_STATE_BYTES_DEFAULT);
    private int maxViewEntities = Integer.getInteger(MAX_VIEW_ENTITIES_PROP, MAX_VIEW_ENTITIES_DEFAULT);
    private double bubbleRadiusM = Double.parseDouble(
        System.getProperty(BUBBLE_RADIUS_M_PROP, Double.toString(BUBBLE_RADIUS_M_DEFAULT)));
    private double sizeFactor = Double.parseDouble(
        System.getProperty(SIZE_FACTOR_PROP, Double.toString(SIZE_FACTOR_DEFAULT)));
    private double hysteresis = Double.parseDouble(
        System.getProperty(HYSTERESIS_PROP, Double.toString(HYSTERESIS_DEFAULT)));
    private boolean compactUpdates = Boolean.parseBoolean(
        System.getProperty(COMPACT_UPDATES_PROP, Boolean.toString(COMPACT_UPDATES_DEFAULT)));
    private int replicantId = Integer.getInteger(REPLICANT_ID_PROP, REPLICANT_ID_DEFAULT);
    private int replicants = Integer.getInteger(REPLICANTS_PROP, REPLICANTS_DEFAULT);
    private double[] replicantBoundariesM = parseBoundaries(System.getProperty(REPLICANT_BOUNDARIES_M_PROP));
    private double ownershipHysteresisM = Double.parseDouble(System.getProperty(
        OWNERSHIP_HYSTERESIS_M_PROP, Double.toString(OWNERSHIP_HYSTERESIS_M_DEFAULT)));
    private int feedRingBytes = Integer.getInteger(FEED_RING_BYTES_PROP, FEED_RING_BYTES_DEFAULT);
    private int handoffReserve = Integer.getInteger(HANDOFF_RESERVE_PROP, HANDOFF_RESERVE_DEFAULT);
    private double nearTierFraction = Double.parseDouble(System.getProperty(
        NEAR_TIER_FRACTION_PROP, Double.toString(InterestConfig.DEFAULT_NEAR_TIER_FRACTION)));
    private double farTierFraction = Double.parseDouble(System.getProperty(
        FAR_TIER_FRACTION_PROP, Double.toString(InterestConfig.DEFAULT_FAR_TIER_FRACTION)));
    private int midTierPeriod = Integer.getInteger(MID_TIER_PERIOD_PROP, InterestConfig.DEFAULT_MID_TIER_PERIOD);
    private int farTierPeriod = Integer.getInteger(FAR_TIER_PERIOD_PROP, InterestConfig.DEFAULT_FAR_TIER_PERIOD);
    private int interestWorkers = Integer.getInteger(INTEREST_WORKERS_PROP, INTEREST_WORKERS_DEFAULT);
    private boolean passProfile = Boolean.getBoolean(PassProfile.PASS_PROFILE_PROP);
    private int snapshotBytesPerTick = Integer.getInteger(
        SNAPSHOT_BYTES_PER_TICK_PROP, SNAPSHOT_BYTES_PER_TICK_DEFAULT);
    private long slowConsumerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(SLOW_CONSUMER_TIMEOUT_MS_PROP, SLOW_CONSUMER_TIMEOUT_MS_DEFAULT));
    private boolean ocsEnabled = Boolean.parseBoolean(
        System.getProperty(OCS_ENABLED_PROP, Boolean.toString(OCS_ENABLED_DEFAULT)));
    private double ocsCellSizeM = Double.parseDouble(
        System.getProperty(OCS_CELL_SIZE_M_PROP, Double.toString(OCS_CELL_SIZE_M_DEFAULT)));
    private double ocsStreamInMarginM = Double.parseDouble(System.getProperty(OCS_STREAM_IN_MARGIN_M_PROP, "0"));
    private double ocsStreamOutMarginM = Double.parseDouble(System.getProperty(OCS_STREAM_OUT_MARGIN_M_PROP, "0"));
    private long ocsStreamOutDelayNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(OCS_STREAM_OUT_DELAY_MS_PROP, OCS_STREAM_OUT_DELAY_MS_DEFAULT));
    private long ocsCheckIntervalNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(OCS_CHECK_INTERVAL_MS_PROP, OCS_CHECK_INTERVAL_MS_DEFAULT));
    private int ocsMaxCells = Integer.getInteger(OCS_MAX_CELLS_PROP, OCS_MAX_CELLS_DEFAULT);
    private Authority authority;

    /**
     * Validate the settings and fill in the OCS margins left at their defaults. Idempotent. The authority, when
     * not set, is chosen by the layer's Context (it depends on whether the shard is meshed).
     *
     * @return this.
     */
    public ReplicantContext conclude()
    {
        if (isConcluded)
        {
            return this;
        }
        requirePositive(tickRateHz, "tickRateHz");
        requirePositive(maxEntities, "maxEntities");
        requirePositive(maxViewEntities, "maxViewEntities");
        if (interestWorkers < 1 || interestWorkers > InterestConfig.MAX_WORKERS)
        {
            throw new IllegalArgumentException(
                "interestWorkers must be in 1.." + InterestConfig.MAX_WORKERS + ": " + interestWorkers);
        }
        requirePositive(bandwidthBytesPerTick, "bandwidthBytesPerTick");
        requirePositive(snapshotBytesPerTick, "snapshotBytesPerTick");
        if (replicantId < 0 || replicantId > ClientEgressProxy.MAX_REPLICANT_ID)
        {
            throw new IllegalArgumentException(
                "replicantId must be in 0.." + ClientEgressProxy.MAX_REPLICANT_ID + ": " + replicantId);
        }
        if (!(hysteresis >= 0 && hysteresis < 1))
        {
            throw new IllegalArgumentException("hysteresis must be in [0, 1): " + hysteresis);
        }
        concludeReplicants();
        if (ocsEnabled)
        {
            concludeOcs();
        }
        isConcluded = true;
        return this;
    }

    private void concludeReplicants()
    {
        if (replicants < 1 || replicants > MAX_REPLICANTS)
        {
            throw new IllegalArgumentException("replicants must be in 1.." + MAX_REPLICANTS + ": " + replicants);
        }
        if (1 == replicants)
        {
            return;
        }
        if (0 != replicantId)
        {
            throw new IllegalArgumentException(
                "replicants " + replicants + " > 1 take ids 0.." + (replicants - 1) + ": replicantId must be 0");
        }
        if (1 != interestWorkers)
        {
            throw new IllegalArgumentException("replicants > 1 with interestWorkers > 1 is not built yet: " +
                "give each Replicant one interest worker (the Replicants are the parallelism)");
        }
        if (null == replicantBoundariesM)
        {
            replicantBoundariesM = new double[replicants - 1];
            for (int i = 0; i < replicantBoundariesM.length; i++)
            {
                replicantBoundariesM[i] = (i - (replicants - 2) / 2.0) * 1000.0;
            }
        }
        if (replicantBoundariesM.length != replicants - 1)
        {
            throw new IllegalArgumentException("replicantBoundariesM needs " + (replicants - 1) + " values for " +
                replicants + " replicants: " + java.util.Arrays.toString(replicantBoundariesM));
        }
        for (int i = 1; i < replicantBoundariesM.length; i++)
        {
            if (!(replicantBoundariesM[i] > replicantBoundariesM[i - 1]))
            {
                throw new IllegalArgumentException(
                    "replicantBoundariesM must ascend: " + java.util.Arrays.toString(replicantBoundariesM));
            }
        }
        if (!(ownershipHysteresisM >= 0))
        {
            throw new IllegalArgumentException("ownershipHysteresisM must be >= 0: " + ownershipHysteresisM);
        }
        if (feedRingBytes < 4096 || Integer.bitCount(feedRingBytes) != 1)
        {
            throw new IllegalArgumentException("feedRingBytes must be a power of two >= 4096: " + feedRingBytes);
        }
        if (handoffReserve < 0)
        {
            throw new IllegalArgumentException("handoffReserve must be >= 0: " + handoffReserve);
        }
    }

    private static double[] parseBoundaries(final String value)
    {
        if (null == value || value.isBlank())
        {
            return null;
        }
        final String[] parts = value.split(",");
        final double[] boundaries = new double[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            boundaries[i] = Double.parseDouble(parts[i].trim());
        }
        return boundaries;
    }

    /**
     * @return Replicants of the shard in this process (see {@link #REPLICANTS_PROP}).
     */
    public int replicants()
    {
        return replicants;
    }

    /**
     * @param replicants see {@link #REPLICANTS_PROP}, 1..{@link #MAX_REPLICANTS}.
     */
    public ReplicantContext replicants(final int replicants)
    {
        this.replicants = replicants;
        return this;
    }

    /**
     * @return x boundaries between the Replicants' ranges in metres (see {@link #REPLICANT_BOUNDARIES_M_PROP}); set
     * by {@link #conclude()} with more than one Replicant.
     */
    public double[] replicantBoundariesM()
    {
        return replicantBoundariesM;
    }

    /**
     * @param boundariesM see {@link #REPLICANT_BOUNDARIES_M_PROP}.
     */
    public ReplicantContext replicantBoundariesM(final double... boundariesM)
    {
        this.replicantBoundariesM = boundariesM;
        return this;
    }

    public double ownershipHysteresisM()
    {
        return ownershipHysteresisM;
    }

    /**
     * @param ownershipHysteresisM see {@link #OWNERSHIP_HYSTERESIS_M_PROP}.
     */
    public ReplicantContext ownershipHysteresisM(final double ownershipHysteresisM)
    {
        this.ownershipHysteresisM = ownershipHysteresisM;
        return this;
    }

    public int feedRingBytes()
    {
        return feedRingBytes;
    }

    /**
     * @param feedRingBytes see {@link #FEED_RING_BYTES_PROP}.
     */
    public ReplicantContext feedRingBytes(final int feedRingBytes)
    {
        this.feedRingBytes = feedRingBytes;
        return this;
    }

    /**
     * @return see {@link #HANDOFF_RESERVE_PROP} (capped at {@code maxViewEntities} where used).
     */
    public int handoffReserve()
    {
        return handoffReserve;
    }

    /**
     * @param handoffReserve see {@link #HANDOFF_RESERVE_PROP}.
     */
    public ReplicantContext handoffReserve(final int handoffReserve)
    {
        this.handoffReserve = handoffReserve;
        return this;
    }

    private void concludeOcs()
    {
        if (!(ocsCellSizeM >= 1))
        {
            throw new IllegalArgumentException("ocsCellSizeM must be >= 1: " + ocsCellSizeM);
        }
        if (0 == ocsStreamInMarginM)
        {
            ocsStreamInMarginM = bubbleRadiusM + ocsCellSizeM * Math.sqrt(2);
        }
        if (0 == ocsStreamOutMarginM)
        {
            ocsStreamOutMarginM = ocsStreamInMarginM + ocsCellSizeM / 2;
        }
        if (!(ocsStreamInMarginM > 0 && ocsStreamOutMarginM > ocsStreamInMarginM))
        {
            throw new IllegalArgumentException("need 0 < ocsStreamInMarginM < ocsStreamOutMarginM: " +
                ocsStreamInMarginM + ", " + ocsStreamOutMarginM);
        }
        requirePositive(ocsMaxCells, "ocsMaxCells");
        if (ocsStreamOutDelayNs < 0 || ocsCheckIntervalNs < 0)
        {
            throw new IllegalArgumentException("OCS delay and check interval must be >= 0");
        }
    }

    private static void requirePositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    public int tickRateHz()
    {
        return tickRateHz;
    }

    public ReplicantContext tickRateHz(final int tickRateHz)
    {
        this.tickRateHz = tickRateHz;
        return this;
    }

    /**
     * Bytes of entity updates each client may be sent per tick.
     */
    public int bandwidthBytesPerTick()
    {
        return bandwidthBytesPerTick;
    }

    public ReplicantContext bandwidthBytesPerTick(final int bandwidthBytesPerTick)
    {
        this.bandwidthBytesPerTick = bandwidthBytesPerTick;
        return this;
    }

    public int maxEntities()
    {
        return maxEntities;
    }

    public ReplicantContext maxEntities(final int maxEntities)
    {
        this.maxEntities = maxEntities;
        return this;
    }

    public int maxStateBytes()
    {
        return maxStateBytes;
    }

    public ReplicantContext maxStateBytes(final int maxStateBytes)
    {
        this.maxStateBytes = maxStateBytes;
        return this;
    }

    public int maxViewEntities()
    {
        return maxViewEntities;
    }

    public ReplicantContext maxViewEntities(final int maxViewEntities)
    {
        this.maxViewEntities = maxViewEntities;
        return this;
    }

    public double bubbleRadiusM()
    {
        return bubbleRadiusM;
    }

    public ReplicantContext bubbleRadiusM(final double bubbleRadiusM)
    {
        this.bubbleRadiusM = bubbleRadiusM;
        return this;
    }

    /**
     * An entity of radius r is visible within {@code bubbleRadiusM + sizeFactor * r}.
     */
    public double sizeFactor()
    {
        return sizeFactor;
    }

    public ReplicantContext sizeFactor(final double sizeFactor)
    {
        this.sizeFactor = sizeFactor;
        return this;
    }

    public double hysteresis()
    {
        return hysteresis;
    }

    public ReplicantContext hysteresis(final double hysteresis)
    {
        this.hysteresis = hysteresis;
        return this;
    }

    public boolean compactUpdates()
    {
        return compactUpdates;
    }

    /**
     * @param compactUpdates see {@link #COMPACT_UPDATES_PROP}.
     */
    public ReplicantContext compactUpdates(final boolean compactUpdates)
    {
        this.compactUpdates = compactUpdates;
        return this;
    }

    public int replicantId()
    {
        return replicantId;
    }

    /**
     * @param replicantId see {@link #REPLICANT_ID_PROP}.
     */
    public ReplicantContext replicantId(final int replicantId)
    {
        this.replicantId = replicantId;
        return this;
    }

    public double nearTierFraction()
    {
        return nearTierFraction;
    }

    /**
     * @param nearTierFraction see {@link #NEAR_TIER_FRACTION_PROP}.
     */
    public ReplicantContext nearTierFraction(final double nearTierFraction)
    {
        this.nearTierFraction = nearTierFraction;
        return this;
    }

    public double farTierFraction()
    {
        return farTierFraction;
    }

    public ReplicantContext farTierFraction(final double farTierFraction)
    {
        this.farTierFraction = farTierFraction;
        return this;
    }

    public int midTierPeriod()
    {
        return midTierPeriod;
    }

    public ReplicantContext midTierPeriod(final int midTierPeriod)
    {
        this.midTierPeriod = midTierPeriod;
        return this;
    }

    public int farTierPeriod()
    {
        return farTierPeriod;
    }

    public ReplicantContext farTierPeriod(final int farTierPeriod)
    {
        this.farTierPeriod = farTierPeriod;
        return this;
    }

    public int interestWorkers()
    {
        return interestWorkers;
    }

    /**
     * @param interestWorkers see {@link #INTEREST_WORKERS_PROP}; {@code 1 <= interestWorkers <=}
     *                        {@link InterestConfig#MAX_WORKERS}.
     */
    public ReplicantContext interestWorkers(final int interestWorkers)
    {
        this.interestWorkers = interestWorkers;
        return this;
    }

    /**
     * @return whether the Replicant profiles its passes ({@link PassProfile}, {@link PassProfile#PASS_PROFILE_PROP}).
     */
    public boolean passProfile()
    {
        return passProfile;
    }

    /**
     * @param passProfile true to split every pass into phases and the thread's CPU time (diagnostics; off by
     *                    default).
     */
    public ReplicantContext passProfile(final boolean passProfile)
    {
        this.passProfile = passProfile;
        return this;
    }

    public int snapshotBytesPerTick()
    {
        return snapshotBytesPerTick;
    }

    /**
     * @param snapshotBytesPerTick see {@link #SNAPSHOT_BYTES_PER_TICK_PROP}; positive.
     */
    public ReplicantContext snapshotBytesPerTick(final int snapshotBytesPerTick)
    {
        this.snapshotBytesPerTick = snapshotBytesPerTick;
        return this;
    }

    /**
     * How long a client may stay back-pressured before it is disconnected as a slow consumer.
     */
    public long slowConsumerTimeoutNs()
    {
        return slowConsumerTimeoutNs;
    }

    public ReplicantContext slowConsumerTimeoutNs(final long slowConsumerTimeoutNs)
    {
        this.slowConsumerTimeoutNs = slowConsumerTimeoutNs;
        return this;
    }

    public boolean ocsEnabled()
    {
        return ocsEnabled;
    }

    /**
     * @param ocsEnabled stream regions with no player near out to the store and back in (persistent shards only;
     *                   see {@link #OCS_ENABLED_PROP}). With OCS the world is not loaded whole at launch: cells are
     *                   loaded as players join and approach them.
     */
    public ReplicantContext ocsEnabled(final boolean ocsEnabled)
    {
        this.ocsEnabled = ocsEnabled;
        return this;
    }

    public double ocsCellSizeM()
    {
        return ocsCellSizeM;
    }

    public ReplicantContext ocsCellSizeM(final double ocsCellSizeM)
    {
        this.ocsCellSizeM = ocsCellSizeM;
        return this;
    }

    public double ocsStreamInMarginM()
    {
        return ocsStreamInMarginM;
    }

    /**
     * @param ocsStreamInMarginM see {@link #OCS_STREAM_IN_MARGIN_M_PROP}; 0 for the default.
     */
    public ReplicantContext ocsStreamInMarginM(final double ocsStreamInMarginM)
    {
        this.ocsStreamInMarginM = ocsStreamInMarginM;
        return this;
    }

    public double ocsStreamOutMarginM()
    {
        return ocsStreamOutMarginM;
    }

    /**
     * @param ocsStreamOutMarginM see {@link #OCS_STREAM_OUT_MARGIN_M_PROP}; 0 for the default.
     */
    public ReplicantContext ocsStreamOutMarginM(final double ocsStreamOutMarginM)
    {
        this.ocsStreamOutMarginM = ocsStreamOutMarginM;
        return this;
    }

    public long ocsStreamOutDelayNs()
    {
        return ocsStreamOutDelayNs;
    }

    public ReplicantContext ocsStreamOutDelayNs(final long ocsStreamOutDelayNs)
    {
        this.ocsStreamOutDelayNs = ocsStreamOutDelayNs;
        return this;
    }

    public long ocsCheckIntervalNs()
    {
        return ocsCheckIntervalNs;
    }

    public ReplicantContext ocsCheckIntervalNs(final long ocsCheckIntervalNs)
    {
        this.ocsCheckIntervalNs = ocsCheckIntervalNs;
        return this;
    }

    public int ocsMaxCells()
    {
        return ocsMaxCells;
    }

    public ReplicantContext ocsMaxCells(final int ocsMaxCells)
    {
        this.ocsMaxCells = ocsMaxCells;
        return this;
    }

    /**
     * Who writes entity state: a {@code ScriptedAuthority} until game servers join, or Atlas's when the shard is
     * meshed (chosen by the layer's Context when not set).
     */
    public Authority authority()
    {
        return authority;
    }

    public ReplicantContext authority(final Authority authority)
    {
        this.authority = authority;
        return this;
    }
}
