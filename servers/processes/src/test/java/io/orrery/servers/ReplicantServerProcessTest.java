/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import io.orrery.core.auth.SessionTokens;
import io.orrery.core.authority.ScriptedAuthority;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.bridge.ReplicantBridge;
import io.orrery.core.replicant.bridge.ReplicantBridgeSettings;
import io.orrery.core.status.OrreryCounter;
import io.orrery.test.ChildJvm;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@link ReplicantServer} process as Replicant 1 of a layer (in the test's JVM, INVOKER, a controlled clock)
 * on one external media driver, IPC: clients' views composed from the primary and the remote Replicant equal the
 * layer's truth as entities cross between them; the process is SIGKILLed, the primary takes its subtrees over and
 * the views equal the truth while it is down, the clients keep their sessions, a new process links, gets a snapshot
 * and its range back, and the views equal the truth again.
 */
@Tag("system")
class ReplicantServerProcessTest
{
    private static final String SECRET_TEXT = "replicant-process-test-secret-0123456789";
    private static final byte[] SECRET = SECRET_TEXT.getBytes(StandardCharsets.UTF_8);
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(34);
    private static final long MM = 1000;
    private static final int ENTITIES = 24;
    private static final long FIRST_ENTITY = 1000;
    private static final List<String> CHILD_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Dorrery.replicants=2", "-Dorrery.replicant.boundaries.m=0",
        "-Dorrery.replicant.ownership.hysteresis.m=5", "-Dorrery.bubble.radius.m=300",
        "-Dorrery.bubble.size.factor=10", "-Dorrery.bubble.hysteresis=0.1", "-Dorrery.tick.rate.hz=30",
        "-Dorrery.compact.updates=true", "-Dorrery.max.entities=4096", "-Dorrery.max.view.entities=512");
    private static final List<String> WITH_LINK_SECRET =
        List.of("env", ReplicantBridgeSettings.LINK_SECRET_ENV + "=" + SECRET_TEXT);

    private final CachedNanoClock clock = new CachedNanoClock();
    private ReplicationLayer layer;
    private ClientLink link;

    @Test
    @Timeout(240)
    void shouldKeepClientsAndResyncWhenTheReplicantProcessIsKilledAndRestarted() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-replicant-process").toFile();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final String[] replicantArgs = { "--replicant-id=1", "--layer-channel=aeron:ipc", "--feed-channel=aeron:ipc",
            "--feed-stream=7360", "--max-sessions=64", "--aeron-dir=" + driver.aeronDirectoryName() };
        final List<String> output1 = Collections.synchronizedList(new ArrayList<>());
        final List<String> output2 = Collections.synchronizedList(new ArrayList<>());
        Process replicant = null;
        Aeron aeron = null;
        try
        {
            clock.update(TimeUnit.SECONDS.toNanos(1000));
            final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
                .threadingMode(ThreadingMode.INVOKER)
                .nanoClock(clock)
                .aeronDirectoryName(driver.aeronDirectoryName())
                .tokenSecret(SECRET)
                .authority(new ScriptedAuthority(new ScriptedAuthority.Settings().npcCount(0).shipCount(0)
                    .playerSpawnHalfExtentM(30)))
                .maxSessions(64)
                .maxEntities(4096)
                .maxViewEntities(512)
                .bubbleRadiusM(300)
                .sizeFactor(10)
                .hysteresis(0.1)
                .tickRateHz(30)
                .compactUpdates(true);
            ctx.replicant().replicants(2).replicantBoundariesM(0).ownershipHysteresisM(5);
            // the layer's clock is the test's, advanced a pass at a time and paced to the wall clock (pass()); the
            // child's heartbeats are on its own clock: a takeover time above the default for a loaded box's child JVM
            ctx.replicantBridge().remoteIds(1).channel("aeron:ipc").linkSecret(SECRET).takeoverAfterMs(3000)
                .returnAfterMs(500);
            layer = ReplicationLayer.launch(ctx);
            final ReplicantBridge bridge = layer.bridges()[0];
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            link = new ClientLink(aeron, new ClientLink.Settings().clock(clock).responseStreamId(2003));

            replicant = ChildJvm.startWithPrefix(WITH_LINK_SECRET, output1, CHILD_OPTIONS,
                ReplicantServer.class.getName(), replicantArgs);
            await(bridge::isLinked, 60, () -> "the Replicant process linked: " + output1);

            final SessionTokens tokens = new SessionTokens(SECRET);
            final ClientSession west = link.connect(tokens.issue(1, System.currentTimeMillis() + 600_000),
                ClientListener.NO_OP);
            final ClientSession east = link.connect(tokens.issue(2, System.currentTimeMillis() + 600_000),
                ClientListener.NO_OP);
            await(() -> west.isConnected() && east.isConnected(), 30, () -> "clients welcomed");
            final long westSession = west.sessionId();
            final long eastSession = east.sessionId();
            final EntityStore store = layer.replicant().store();
            for (int i = 0; i < ENTITIES; i++)
            {
                final int slot = store.create(FIRST_ENTITY + i, 7, 0, 0, false);
                store.position(slot, (i - ENTITIES / 2) * 8L * MM, 0, 0);
                store.radius(slot, 1);
            }

            for (int t = 0; t < 90; t++)
            {
                move(store, t);
                pass();
            }
            settle(west, east, store, "before the kill: " + output1);
            assertEquals(0, bridge.linksLost(), "no loss while the process runs");
            assertTrue(countOwned(store, 1) > 0, "the process owns its range");
            final long relayedBefore = bridge.framesRelayed();
            assertTrue(relayedBefore > 0, "the Replicant process's frames reach the clients");
            assertTrue(layer.counter(OrreryCounter.REPLICANT_HANDOFFS) > 0);

            replicant.destroyForcibly().waitFor();
            await(() -> !bridge.isLinked(), 30, () -> "the bridge to notice the process gone");
            for (int t = 90; t < 100; t++)
            {
                move(store, t);
                pass();
            }
            // while it is down the primary owns its subtrees and the entities move in the views
            assertEquals(0, countOwned(store, 1), "every entity of the lost process taken over");
            assertEquals(1, layer.counter(OrreryCounter.REPLICANTS_LOST));
            assertTrue(layer.counter(OrreryCounter.REPLICANT_TAKEOVERS) > 0);
            settle(west, east, store, "while the process is down");
            replicant = ChildJvm.startWithPrefix(WITH_LINK_SECRET, output2, CHILD_OPTIONS,
                ReplicantServer.class.getName(), replicantArgs);
            await(() -> bridge.isLinked() && 2 == bridge.handshakesProven(), 60,
                () -> "the restarted process linked: " + output2);
            for (int t = 100; t < 160; t++)
            {
                move(store, t);
                pass();
            }
            settle(west, east, store, "after the restart: " + output2);
            assertTrue(countOwned(store, 1) > 0, "the restarted process owns its range again");
            assertEquals(2, layer.counter(OrreryCounter.REPLICANT_RETURNS), "the first link and the return");
            assertEquals(1, layer.counter(OrreryCounter.REPLICANTS_LOST), "no flapping");
            assertTrue(west.isConnected() && east.isConnected(), "the clients kept their sessions");
            assertEquals(westSession, west.sessionId());
            assertEquals(eastSession, east.sessionId());
            assertEquals(0, west.resumesStarted() + east.resumesStarted());
            assertTrue(bridge.framesRelayed() > relayedBefore, "the restarted process streams");
            assertEquals(0, bridge.relayDropped());
            System.out.printf("replicant process: %d frames relayed, %d feed messages forwarded, %d handoffs, " +
                "feed resyncs %d, proven %d%n", bridge.framesRelayed(), bridge.feedMessagesForwarded(),
                layer.counter(OrreryCounter.REPLICANT_HANDOFFS), layer.counter(OrreryCounter.REPLICANT_FEED_RESYNCS),
                bridge.handshakesProven());
        }
        finally
        {
            ChildJvm.destroy(replicant);
            CloseHelper.quietClose(link);
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(layer);
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }

    private static void move(final EntityStore store, final int t)
    {
        for (int i = 0; i < ENTITIES; i++)
        {
            final int slot = store.slotOf(FIRST_ENTITY + i);
            final double phase = t / 9.0 + i;
            store.position(slot, Math.round(((i - ENTITIES / 2) * 4 + 60 * Math.sin(phase)) * MM), i * 100L, 0);
        }
    }

    private int poll()
    {
        return layer.doWork() + link.doWork();
    }

    /**
     * One pass, then poll until the primary's egress windows are open again (the process streams on its own).
     */
    private void pass()
    {
        final long startNs = System.nanoTime();
        clock.advance(TICK_NS);
        poll();
        await(() -> layer.replicant().isEgressWindowOpen(), 20, () -> "egress windows to reopen");
        // paced to the wall clock (a pass takes at least a tick): the layer's clock never runs ahead of the child's,
        // whose heartbeats it times
        final long until = startNs + TICK_NS;
        while (System.nanoTime() - until < 0)
        {
            if (0 == poll())
            {
                Thread.yield();
            }
        }
    }

    private static int countOwned(final EntityStore store, final int replicantId)
    {
        int count = 0;
        for (int i = 0; i < store.activeCount(); i++)
        {
            count += store.ownerReplicant(store.activeSlot(i)) == replicantId ? 1 : 0;
        }
        return count;
    }

    private void settle(final ClientSession west, final ClientSession east, final EntityStore store, final String what)
    {
        for (int t = 0; t < 10; t++)
        {
            pass();
        }
        await(() -> null == mismatch(west, store) && null == mismatch(east, store), 30,
            () -> "views equal the truth " + what + ": west " + mismatch(west, store) + ", east " +
            mismatch(east, store));
        for (final ClientSession client : new ClientSession[]{ west, east })
        {
            assertTrue(client.ownerChanges() > 0, "owner changes seen");
            assertEquals(0, client.ownerEpochConflicts());
            assertEquals(0, client.updatesForUnknownEntities());
            assertEquals(0, client.despawnsForUnknownEntities());
            assertEquals(0, client.unknownReplicantMessages());
        }
    }

    private static String mismatch(final ClientSession client, final EntityStore store)
    {
        final ClientEntityView view = client.view();
        if (store.size() != view.size())
        {
            return "view " + view.size() + " of " + store.size();
        }
        for (int i = 0; i < store.activeCount(); i++)
        {
            final int slot = store.activeSlot(i);
            final long id = store.entityId(slot);
            final int viewSlot = view.slotOf(id);
            if (viewSlot < 0 || view.awaitingOwner(viewSlot) ||
                store.ownerReplicant(slot) != view.ownerReplicant(viewSlot) ||
                store.ownerEpoch(slot) != view.ownerEpoch(viewSlot) ||
                Math.abs(store.positionX(slot) - view.positionX(viewSlot)) > 5)
            {
                return "entity " + id + " (owner " + store.ownerReplicant(slot) + ")";
            }
        }
        return null;
    }

    private void await(final BooleanSupplier condition, final int seconds, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (0 == poll())
            {
                Thread.yield();
            }
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what.get());
            }
        }
    }
}
