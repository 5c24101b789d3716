/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import io.aeron.Aeron;
import io.orrery.core.replicant.bridge.RemoteReplicantHost;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;

/**
 * A {@link TestShard} of two Replicants split at x = 0 whose Replicant 1 runs behind the layer's bridge in a
 * {@link RemoteReplicantHost} on the same embedded media driver over IPC, stepped with the layer on its controlled
 * clock. The bridge never takes the Replicant's subtrees over on silence: what the tests built on it check is the
 * streaming, not the liveness (a loaded box that starves the test's thread must not move the world).
 */
final class RemoteReplicantRig implements AutoCloseable
{
    static final String CHANNEL = "aeron:ipc";
    /**
     * Room on the link publication a test waits for before a tick, so that the Replicant is never back-pressured.
     */
    static final int LINK_ROOM_BYTES = 24 * 1024;

    final TestShard shard;
    final Aeron remoteAeron;
    final RemoteReplicantHost host;

    /**
     * @param feedStreamId the stream the host receives the feed on (one per test class: classes may share a driver).
     * @param counterLabel the label of the host's counters.
     */
    RemoteReplicantRig(final int feedStreamId, final String counterLabel)
    {
        shard = new TestShard((ctx) ->
        {
            ctx.compactUpdates(true).replicant().replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5);
            ctx.replicantBridge().remoteIds(1).channel(CHANNEL).returnAfterMs(300).takeoverAfterMs(600_000);
        });
        remoteAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(shard.layer.aeronDirectoryName()));
        host = new RemoteReplicantHost(shard.layer.context().replicant(), 1, remoteAeron, shard.clock, CHANNEL,
            ReplicantBridge.STREAM_ID_BASE + 1, CHANNEL, feedStreamId, TestShard.SECRET, 64,
            OrreryCounter.allocate(remoteAeron, counterLabel), (line) -> {});
        shard.sideAgent(host);
    }

    /**
     * Step until the host is linked and the bridge has made Replicant 1 available (its subtrees went to it).
     */
    void awaitAvailable()
    {
        shard.await(host::isLinked, "the remote Replicant's handshake");
        shard.ticksUntil(() -> shard.layer.replicant().ownership().isAvailable(1), 300, "Replicant 1 available");
    }

    /**
     * Wait until the host's link publication takes {@link #LINK_ROOM_BYTES}: its limit moves on the media driver's
     * thread, and on a loaded box the test's thread can outrun it (back-pressure, which the tests built on this are
     * not about).
     */
    void awaitLinkRoom()
    {
        awaitLinkRoom(shard, host);
    }

    /**
     * {@link #awaitLinkRoom()} for a host outside a rig.
     */
    static void awaitLinkRoom(final TestShard shard, final RemoteReplicantHost host)
    {
        shard.await(() -> host.linkWindow() >= LINK_ROOM_BYTES, "the link publication's window");
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(remoteAeron);
        shard.close();
    }
}
