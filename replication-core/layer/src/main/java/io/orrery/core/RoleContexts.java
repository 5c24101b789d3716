/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.orrery.core.atlas.AtlasContext;
import io.orrery.core.atlas.ServerViewsEncoding;
import io.orrery.core.gateway.GatewayContext;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.replicant.ReplicantContext;

/**
 * The role contexts a Replication Layer composes, one per role ({@link GatewayContext}, {@link ReplicantContext},
 * {@link AtlasContext}, {@link ScribeContext}), and the layer Context's flat setters and getters of role settings,
 * each a delegate to the role context that owns the setting (documented there). The layer hands each role only its
 * own context.
 *
 * @param <S> the layer's Context, returned by the fluent setters.
 */
abstract class RoleContexts<S extends RoleContexts<S>>
{
    private final GatewayContext gateway = new GatewayContext();
    private final ReplicantContext replicant = new ReplicantContext();
    private final AtlasContext atlas = new AtlasContext();
    private final ScribeContext scribe = new ScribeContext()
        .ringSize(Integer.getInteger(
            ReplicationLayer.Context.SCRIBE_RING_SIZE_PROP, ReplicationLayer.Context.SCRIBE_RING_SIZE_DEFAULT));

    abstract S self();

    /**
     * The Gateway's settings (client ingress, sessions, heartbeats and timeouts, input rate, ingress limits).
     */
    public GatewayContext gateway()
    {
        return gateway;
    }

    /**
     * The Replicant's settings (tick rate, bandwidth, cache and view sizes, bubbles, tiers, interest workers,
     * slow consumers, server OCS, authority).
     */
    public ReplicantContext replicant()
    {
        return replicant;
    }

    /**
     * Atlas's settings (shard configuration, server ingress and egress, server ingress limits).
     */
    public AtlasContext atlas()
    {
        return atlas;
    }

    /**
     * Scribe's settings: with an {@link ScribeContext#adapter(io.orrery.core.persistence.PersistenceAdapter)
     * adapter} the shard is persistent; Scribe's name, Aeron client, thread factory and error handler are the
     * layer's.
     */
    public ScribeContext scribe()
    {
        return scribe;
    }

    public String clientIngressChannel()
    {
        return gateway.clientIngressChannel();
    }

    public S clientIngressChannel(final String clientIngressChannel)
    {
        gateway.clientIngressChannel(clientIngressChannel);
        return self();
    }

    public int clientIngressStreamId()
    {
        return gateway.clientIngressStreamId();
    }

    public S clientIngressStreamId(final int clientIngressStreamId)
    {
        gateway.clientIngressStreamId(clientIngressStreamId);
        return self();
    }

    public int egressTermLength()
    {
        return gateway.egressTermLength();
    }

    public S egressTermLength(final int egressTermLength)
    {
        gateway.egressTermLength(egressTermLength);
        return self();
    }

    public io.orrery.core.ingress.IngressLimits clientIngressLimits()
    {
        return gateway.clientIngressLimits();
    }

    public S clientIngressLimits(final io.orrery.core.ingress.IngressLimits clientIngressLimits)
    {
        gateway.clientIngressLimits(clientIngressLimits);
        return self();
    }

    public int maxSessions()
    {
        return gateway.maxSessions();
    }

    public S maxSessions(final int maxSessions)
    {
        gateway.maxSessions(maxSessions);
        return self();
    }

    public long heartbeatIntervalNs()
    {
        return gateway.heartbeatIntervalNs();
    }

    public S heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        gateway.heartbeatIntervalNs(heartbeatIntervalNs);
        return self();
    }

    public long sessionTimeoutNs()
    {
        return gateway.sessionTimeoutNs();
    }

    public S sessionTimeoutNs(final long sessionTimeoutNs)
    {
        gateway.sessionTimeoutNs(sessionTimeoutNs);
        return self();
    }

    public int maxInputRateHz()
    {
        return gateway.maxInputRateHz();
    }

    public S maxInputRateHz(final int maxInputRateHz)
    {
        gateway.maxInputRateHz(maxInputRateHz);
        return self();
    }

    public long slowConsumerTimeoutNs()
    {
        return replicant.slowConsumerTimeoutNs();
    }

    public S slowConsumerTimeoutNs(final long slowConsumerTimeoutNs)
    {
        replicant.slowConsumerTimeoutNs(slowConsumerTimeoutNs);
        return self();
    }

    public int tickRateHz()
    {
        return replicant.tickRateHz();
    }

    public S tickRateHz(final int tickRateHz)
    {
        replicant.tickRateHz(tickRateHz);
        return self();
    }

    public int bandwidthBytesPerTick()
    {
        return replicant.bandwidthBytesPerTick();
    }

    public S bandwidthBytesPerTick(final int bandwidthBytesPerTick)
    {
        replicant.bandwidthBytesPerTick(bandwidthBytesPerTick);
        return self();
    }

    public int maxEntities()
    {
        return replicant.maxEntities();
    }

    public S maxEntities(final int maxEntities)
    {
        replicant.maxEntities(maxEntities);
        return self();
    }

    public int maxStateBytes()
    {
        return replicant.maxStateBytes();
    }

    public S maxStateBytes(final int maxStateBytes)
    {
        replicant.maxStateBytes(maxStateBytes);
        return self();
    }

    public int maxViewEntities()
    {
        return replicant.maxViewEntities();
    }

    public S maxViewEntities(final int maxViewEntities)
    {
        replicant.maxViewEntities(maxViewEntities);
        return self();
    }

    public double bubbleRadiusM()
    {
        return replicant.bubbleRadiusM();
    }

    public S bubbleRadiusM(final double bubbleRadiusM)
    {
        replicant.bubbleRadiusM(bubbleRadiusM);
        return self();
    }

    public double sizeFactor()
    {
        return replicant.sizeFactor();
    }

    public S sizeFactor(final double sizeFactor)
    {
        replicant.sizeFactor(sizeFactor);
        return self();
    }

    public double hysteresis()
    {
        return replicant.hysteresis();
    }

    public S hysteresis(final double hysteresis)
    {
        replicant.hysteresis(hysteresis);
        return self();
    }

    public boolean compactUpdates()
    {
        return replicant.compactUpdates();
    }

    public S compactUpdates(final boolean compactUpdates)
    {
        replicant.compactUpdates(compactUpdates);
        return self();
    }

    public double nearTierFraction()
    {
        return replicant.nearTierFraction();
    }

    public S nearTierFraction(final double nearTierFraction)
    {
        replicant.nearTierFraction(nearTierFraction);
        return self();
    }

    public double farTierFraction()
    {
        return replicant.farTierFraction();
    }

    public S farTierFraction(final double farTierFraction)
    {
        replicant.farTierFraction(farTierFraction);
        return self();
    }

    public int midTierPeriod()
    {
        return replicant.midTierPeriod();
    }

    public S midTierPeriod(final int midTierPeriod)
    {
        replicant.midTierPeriod(midTierPeriod);
        return self();
    }

    public int farTierPeriod()
    {
        return replicant.farTierPeriod();
    }

    public S farTierPeriod(final int farTierPeriod)
    {
        replicant.farTierPeriod(farTierPeriod);
        return self();
    }

    public int interestWorkers()
    {
        return replicant.interestWorkers();
    }

    public S interestWorkers(final int interestWorkers)
    {
        replicant.interestWorkers(interestWorkers);
        return self();
    }

    /**
     * @return whether the Replicant profiles its passes (diagnostics, see {@link ReplicantContext#passProfile()}).
     */
    public boolean passProfile()
    {
        return replicant.passProfile();
    }

    public S passProfile(final boolean passProfile)
    {
        replicant.passProfile(passProfile);
        return self();
    }

    public int snapshotBytesPerTick()
    {
        return replicant.snapshotBytesPerTick();
    }

    public S snapshotBytesPerTick(final int snapshotBytesPerTick)
    {
        replicant.snapshotBytesPerTick(snapshotBytesPerTick);
        return self();
    }

    public io.orrery.core.ingress.IngressLimits serverIngressLimits()
    {
        return atlas.serverIngressLimits();
    }

    public S serverIngressLimits(final io.orrery.core.ingress.IngressLimits serverIngressLimits)
    {
        atlas.serverIngressLimits(serverIngressLimits);
        return self();
    }

    public ServerViewsEncoding serverViewsEncoding()
    {
        return atlas.serverViewsEncoding();
    }

    public S serverViewsEncoding(final ServerViewsEncoding serverViewsEncoding)
    {
        atlas.serverViewsEncoding(serverViewsEncoding);
        return self();
    }

    public int serverEgressTermLength()
    {
        return atlas.serverEgressTermLength();
    }

    public S serverEgressTermLength(final int serverEgressTermLength)
    {
        atlas.serverEgressTermLength(serverEgressTermLength);
        return self();
    }

    public String serverIngressChannel()
    {
        return atlas.serverIngressChannel();
    }

    public S serverIngressChannel(final String serverIngressChannel)
    {
        atlas.serverIngressChannel(serverIngressChannel);
        return self();
    }

    public int serverIngressStreamId()
    {
        return atlas.serverIngressStreamId();
    }

    public S serverIngressStreamId(final int serverIngressStreamId)
    {
        atlas.serverIngressStreamId(serverIngressStreamId);
        return self();
    }

    /**
     * @see io.orrery.core.atlas.AtlasContext#serverTickWaitNs()
     */
    public long serverTickWaitNs()
    {
        return atlas.serverTickWaitNs();
    }

    public S serverTickWaitNs(final long serverTickWaitNs)
    {
        atlas.serverTickWaitNs(serverTickWaitNs);
        return self();
    }

    public io.orrery.core.atlas.ShardConfig shardConfig()
    {
        return atlas.shardConfig();
    }

    public S shardConfig(final io.orrery.core.atlas.ShardConfig shardConfig)
    {
        atlas.shardConfig(shardConfig);
        return self();
    }

    public io.orrery.core.persistence.PersistenceAdapter persistenceAdapter()
    {
        return scribe.adapter();
    }

    public S persistenceAdapter(final io.orrery.core.persistence.PersistenceAdapter persistenceAdapter)
    {
        scribe.adapter(persistenceAdapter);
        return self();
    }

    public long persistenceFlushIntervalNs()
    {
        return scribe.flushIntervalNs();
    }

    public S persistenceFlushIntervalNs(final long persistenceFlushIntervalNs)
    {
        scribe.flushIntervalNs(persistenceFlushIntervalNs);
        return self();
    }

    public int scribeRingSize()
    {
        return scribe.ringSize();
    }

    public S scribeRingSize(final int scribeRingSize)
    {
        scribe.ringSize(scribeRingSize);
        return self();
    }

    public boolean ocsEnabled()
    {
        return replicant.ocsEnabled();
    }

    public S ocsEnabled(final boolean ocsEnabled)
    {
        replicant.ocsEnabled(ocsEnabled);
        return self();
    }

    public double ocsCellSizeM()
    {
        return replicant.ocsCellSizeM();
    }

    public S ocsCellSizeM(final double ocsCellSizeM)
    {
        replicant.ocsCellSizeM(ocsCellSizeM);
        return self();
    }

    public double ocsStreamInMarginM()
    {
        return replicant.ocsStreamInMarginM();
    }

    public S ocsStreamInMarginM(final double ocsStreamInMarginM)
    {
        replicant.ocsStreamInMarginM(ocsStreamInMarginM);
        return self();
    }

    public double ocsStreamOutMarginM()
    {
        return replicant.ocsStreamOutMarginM();
    }

    public S ocsStreamOutMarginM(final double ocsStreamOutMarginM)
    {
        replicant.ocsStreamOutMarginM(ocsStreamOutMarginM);
        return self();
    }

    public long ocsStreamOutDelayNs()
    {
        return replicant.ocsStreamOutDelayNs();
    }

    public S ocsStreamOutDelayNs(final long ocsStreamOutDelayNs)
    {
        replicant.ocsStreamOutDelayNs(ocsStreamOutDelayNs);
        return self();
    }

    public long ocsCheckIntervalNs()
    {
        return replicant.ocsCheckIntervalNs();
    }

    public S ocsCheckIntervalNs(final long ocsCheckIntervalNs)
    {
        replicant.ocsCheckIntervalNs(ocsCheckIntervalNs);
        return self();
    }

    public int ocsMaxCells()
    {
        return replicant.ocsMaxCells();
    }

    public S ocsMaxCells(final int ocsMaxCells)
    {
        replicant.ocsMaxCells(ocsMaxCells);
        return self();
    }

    public io.orrery.core.authority.Authority authority()
    {
        return replicant.authority();
    }

    public S authority(final io.orrery.core.authority.Authority authority)
    {
        replicant.authority(authority);
        return self();
    }
}
