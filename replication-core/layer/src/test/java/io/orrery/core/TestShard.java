/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.AllocationMeter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Replication Layer in INVOKER mode over a real embedded media driver, plus a client link, both stepped by the test
 * on one thread with one controlled clock. Conditions are awaited with a wall-clock deadline, never a sleep.
 */
final class TestShard implements AutoCloseable
{
    static final byte[] SECRET = "test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(34);
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);
    static final long MM = 1000;

    final CachedNanoClock clock = new CachedNanoClock();
    final TestAuthority authority = new TestAuthority();
    final ReplicationLayer layer;
    final Aeron clientAeron;
    final ClientLink link;
    /**
     * The login service's Ed25519 player token key pair of shards run with {@code playerTokenPublicKey}.
     */
    static final byte[][] ED25519_KEYS = Ed25519PlayerTokens.generateKeyPair();

    final SessionTokens tokens = new SessionTokens(SECRET);
    final Ed25519PlayerTokens ed25519Tokens = Ed25519PlayerTokens.forPrivateKey(ED25519_KEYS[0]);
    private final boolean isEd25519;
    private final BooleanSupplier egressWindowOpen;
    private boolean metering;
    private long layerBytes;
    private long linkBytes;
    private long sideBytes;
    private org.agrona.concurrent.Agent sideAgent;

    TestShard(final java.util.function.Consumer<ReplicationLayer.Context> customise)
    {
        clock.update(TimeUnit.SECONDS.toNanos(1000));
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .tokenSecret(SECRET)
            .authority(authority)
            .maxSessions(64)
            .maxEntities(4096)
            .maxViewEntities(512)
            .bubbleRadiusM(300)
            .sizeFactor(10)
            .hysteresis(0.1)
            .tickRateHz(30);
        customise.accept(ctx);
        isEd25519 = null != ctx.playerTokenPublicKey();
        layer = ReplicationLayer.launch(ctx);
        clientAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(layer.aeronDirectoryName()));
        final io.orrery.core.replicant.ReplicantAgent replicant = layer.replicant();
        egressWindowOpen = replicant::isEgressWindowOpen;
        link = new ClientLink(clientAeron, new ClientLink.Settings().clock(clock).responseStreamId(2001));
    }

    TestShard()
    {
        this((ctx) -> {});
    }

    /**
     * @return a player token as the login service issues it: Ed25519 if the shard runs with a player token public
     * key, else HMAC.
     */
    byte[] token(final long playerId)
    {
        final long expiryEpochMs = System.currentTimeMillis() + 60_000;
        return isEd25519 ? ed25519Tokens.issue(playerId, expiryEpochMs) : tokens.issue(playerId, expiryEpochMs);
    }

    ClientSession connect(final long playerId, final long spawnXm)
    {
        authority.spawnPlayerAt(playerId, spawnXm * MM);
        final ClientSession session = link.connect(token(playerId), ClientListener.NO_OP);
        await(() -> session.state() != ClientSession.State.CONNECTING &&
            session.state() != ClientSession.State.AWAITING_WELCOME, "session " + playerId + " handshake");
        return session;
    }

    ClientSession connectWithToken(final byte[] token)
    {
        final ClientSession session = link.connect(token, ClientListener.NO_OP);
        await(() -> session.state() != ClientSession.State.CONNECTING &&
            session.state() != ClientSession.State.AWAITING_WELCOME, "handshake");
        return session;
    }

    EntityStore store()
    {
        return layer.replicant().store();
    }

    long counter(final OrreryCounter counter)
    {
        return layer.counter(counter);
    }

    /**
     * Poll everything without moving the clock.
     */
    int poll()
    {
        return layerDoWork() + sideDoWork() + linkDoWork();
    }

    /**
     * @param agent an agent stepped with the layer on every poll (a Replicant in its own process, played in-JVM).
     */
    void sideAgent(final org.agrona.concurrent.Agent agent)
    {
        this.sideAgent = agent;
    }

    long sideBytesAllocated()
    {
        return sideBytes;
    }

    private int sideDoWork()
    {
        if (null == sideAgent)
        {
            return 0;
        }
        if (!metering)
        {
            try
            {
                return sideAgent.doWork();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        final long before = AllocationMeter.threadAllocatedBytes();
        try
        {
            return sideAgent.doWork();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            sideBytes += AllocationMeter.threadAllocatedBytes() - before;
        }
    }

    /**
     * Count bytes allocated by the layer's and the link's duty cycles only (not by the test around them).
     */
    void meterAllocations(final boolean enabled)
    {
        metering = enabled;
    }

    long layerBytesAllocated()
    {
        return layerBytes;
    }

    long linkBytesAllocated()
    {
        return linkBytes;
    }

    private int layerDoWork()
    {
        if (!metering)
        {
            return layer.doWork();
        }
        final long before = AllocationMeter.threadAllocatedBytes();
        final int work = layer.doWork();
        layerBytes += AllocationMeter.threadAllocatedBytes() - before;
        return work;
    }

    private int linkDoWork()
    {
        if (!metering)
        {
            return link.doWork();
        }
        final long before = AllocationMeter.threadAllocatedBytes();
        final int work = link.doWork();
        linkBytes += AllocationMeter.threadAllocatedBytes() - before;
        return work;
    }

    /**
     * Advance the clock one tick, run the tick, then poll until the clients have drained what was sent.
     */
    void tick()
    {
        clock.advance(TICK_NS);
        layerDoWork();
        sideDoWork();
        drain();
        await(egressWindowOpen, "media driver to reopen egress windows");
    }

    void drain()
    {
        int idle = 0;
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (idle < 3)
        {
            idle = poll() == 0 ? idle + 1 : 0;
            if (System.nanoTime() > deadline)
            {
                fail("shard did not go idle");
            }
        }
    }

    void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (poll() == 0)
            {
                Thread.onSpinWait();
            }
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what);
            }
        }
    }

    void ticksUntil(final BooleanSupplier condition, final int maxTicks, final String what)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            tick();
        }
        if (!condition.getAsBoolean())
        {
            fail("not reached within " + maxTicks + " ticks: " + what);
        }
    }

    int createEntity(final long id, final long xM, final float radiusM)
    {
        final int slot = store().create(id, 7, 0, 0, false);
        store().position(slot, xM * MM, 0, 0);
        store().radius(slot, radiusM);
        return slot;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(link);
        CloseHelper.quietClose(clientAeron);
        CloseHelper.quietClose(layer);
    }
}
