/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.replicant.EntityStore;
import io.orrery.core.server.EntitySnapshot;
import io.orrery.wire.CompactUpdates;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compact server views ({@code ClientViewsCompact}) end to end over a real media driver: three servers (one west of
 * x = 0, two east of it split at y = 0) each simulate NPCs that wander across every border, so views start and end,
 * entities are handed off (a view's owner changes while the server west of the border keeps viewing it: a head for a
 * held handle), and every few hundred ticks a view message is refused (the connection's views reset, the next message
 * carries RESET). After every layer tick, each server's views (as a game server keeps them: fields applied by mask)
 * must be exactly the entities the layer counts as viewed by it, and each view of an entity the cache has not changed
 * since it was sent must match the cache within {@link CompactUpdates}' resolution.
 */
@Tag("system")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ServerViewsCompactTest
{
    static final String THREE_SERVERS = String.join("\n",
        "servers 1,2,3",
        "territory 1 server 1 box -inf -inf -inf 0 inf inf",
        "territory 2 server 2 box 0 -inf -inf inf 0 inf",
        "territory 3 server 3 box 0 0 -inf inf inf inf",
        "view-margin 50",
        "heartbeat-timeout 500",
        "handoff-timeout 250",
        "spawn -1.5 0 0 0");
    private static final int NPCS_PER_SERVER = 8;
    private static final int TICKS = 3000;
    private static final int RESET_PERIOD = 400;
    private static final long X_BOUND_MM = 90_000;
    private static final long Y_BOUND_MM = 70_000;
    private static final double VELOCITY_TOLERANCE = CompactUpdates.VELOCITY_UNIT_MPS / 2 + 1e-4;

    private MeshTestShard shard;
    private TestGameServer[] servers;
    private boolean skipCheck;
    private long checkedViews;
    private long ticksChecked;

    @Test
    void shouldKeepEveryViewWithinResolutionWhenEntitiesWanderChangeOwnerAndViewsReset()
    {
        try (MeshTestShard shard = new MeshTestShard(THREE_SERVERS))
        {
            this.shard = shard;
            servers = new TestGameServer[]
            {
                shard.startServer(1, null), shard.startServer(2, null), shard.startServer(3, null),
            };
            createNpcs();
            shard.ticksUntil(() -> owned() == 3 * NPCS_PER_SERVER, 20, "npcs streamed in");
            shard.afterLayerTick = this::checkViews;

            final long failedBefore = shard.mesh().proxy().messagesFailed();
            final long handoffsBefore = shard.atlas().handoffsCommitted();
            int resets = 0;
            for (int t = 1; t <= TICKS; t++)
            {
                bounce();
                skipCheck = 0 == t % RESET_PERIOD;
                if (skipCheck)
                {
                    shard.mesh().proxy().failViewOffers(1); // the layer no longer knows what the server holds
                    resets++;
                }
                shard.tick();
            }
            shard.afterLayerTick = null;

            for (final TestGameServer server : servers)
            {
                assertEquals(0, server.views.contractBreaches, "view callbacks out of contract at " + server.serverId);
                assertEquals(0, server.link.malformedReceived(), "dropped at " + server.serverId);
            }
            assertEquals(resets, shard.mesh().proxy().messagesFailed() - failedBefore, "refused view messages");
            assertTrue(shard.atlas().handoffsCommitted() - handoffsBefore > 20, "entities changed owner");
            assertTrue(servers[0].views.ownerChanges > 0, "owner changes reached a server that kept viewing");
            assertTrue(ticksChecked > TICKS - resets - 10, "ticks checked " + ticksChecked);
            assertTrue(checkedViews > 10L * TICKS, "views compared with the cache: " + checkedViews);
            System.out.println("compact views: " + checkedViews + " views compared over " + ticksChecked +
                " ticks, handoffs " + (shard.atlas().handoffsCommitted() - handoffsBefore) + ", owner changes seen " +
                servers[0].views.ownerChanges + ", view bytes " + shard.mesh().proxy().viewBytesOut() +
                " in " + shard.mesh().proxy().viewMessagesOut() + " messages");
        }
    }

    private void createNpcs()
    {
        final EntitySnapshot npc = new EntitySnapshot();
        for (int s = 0; s < servers.length; s++)
        {
            final TestGameServer server = servers[s];
            for (int i = 0; i < NPCS_PER_SERVER; i++)
            {
                final long x = 0 == s ? -(5_000 + 9_000L * i) : 5_000 + 9_000L * i;
                final long y = 0 == s ? 3_000L * i - 10_000 : 1 == s ? -(5_000 + 7_000L * i) : 5_000 + 7_000L * i;
                npc.reset().entityId(server.link.nextEntityId()).archetypeId(2 + s).position(x, y, 0).radius(0.5f);
                assertEquals(0, server.link.createEntity(npc, false));
            }
        }
        shard.ticksUntil(() -> owned() == 3 * NPCS_PER_SERVER, 20, "npcs created");
        for (int s = 0; s < servers.length; s++)
        {
            final TestGameServer server = servers[s];
            for (int i = 0; i < server.count; i++)
            {
                server.vx[i] = (float)((0 == s ? 1 : -1) * (3.1 + 0.7 * i));
                server.vy[i] = (float)((1 == s ? 1 : -1) * (1.3 + 0.9 * ((i + s) % 5)));
            }
        }
    }

    private int owned()
    {
        int owned = 0;
        for (final TestGameServer server : servers)
        {
            owned += server.count;
        }
        return owned;
    }

    /**
     * Keep the NPCs within the region where views start and end: turn them back at the bounds.
     */
    private void bounce()
    {
        for (final TestGameServer server : servers)
        {
            for (int i = 0; i < server.count; i++)
            {
                if (server.x[i] > X_BOUND_MM && server.vx[i] > 0 || server.x[i] < -X_BOUND_MM && server.vx[i] < 0)
                {
                    server.vx[i] = -server.vx[i];
                }
                if (server.y[i] > Y_BOUND_MM && server.vy[i] > 0 || server.y[i] < -Y_BOUND_MM && server.vy[i] < 0)
                {
                    server.vy[i] = -server.vy[i];
                }
            }
        }
    }

    private void checkViews()
    {
        if (skipCheck)
        {
            return; // the refused message never reached the server: it catches up from the next message on
        }
        ticksChecked++;
        final EntityStore store = shard.store();
        final ServerMesh mesh = shard.mesh();
        for (final TestGameServer server : servers)
        {
            final ServerConnection connection = mesh.connectionOf(server.serverId);
            final ViewRecord views = server.views;
            int expected = 0;
            for (int i = 0, n = store.size(); i < n; i++)
            {
                final int slot = store.activeSlot(i);
                expected += connection.viewCreatedSeq[slot] == store.createdSeq(slot) ? 1 : 0;
            }
            assertEquals(expected, views.count, "views held by server " + server.serverId);

            for (int v = 0; v < views.count; v++)
            {
                final long entityId = views.ids[v];
                final int slot = store.slotOf(entityId);
                final String what = "server " + server.serverId + " view of " + entityId;
                assertNotEquals(EntityStore.NULL_SLOT, slot, what);
                assertEquals(store.createdSeq(slot), connection.viewCreatedSeq[slot], what);
                assertEquals(store.archetypeId(slot), views.archetype[v], what);
                final int sentOwner = connection.viewHandles.ownerOfSlot[slot];
                assertNotEquals(server.serverId, sentOwner, what + ": viewing its own entity");
                assertEquals(sentOwner, views.owner[v], what + ": owner");
                if (store.lastChangeSeq(slot) > connection.viewSentSeq[slot])
                {
                    continue; // changed since sent (a handoff's epoch): compared once sent again
                }
                checkedViews++;
                assertWithin(store.positionX(slot), views.x[v], what + " x");
                assertWithin(store.positionY(slot), views.y[v], what + " y");
                assertWithin(store.positionZ(slot), views.z[v], what + " z");
                assertEquals(store.parentZoneId(slot), views.zone[v], what + " zone");
                assertEquals(store.velocityX(slot), views.vx[v], VELOCITY_TOLERANCE, what + " vx");
                assertEquals(store.velocityY(slot), views.vy[v], VELOCITY_TOLERANCE, what + " vy");
                assertEquals(store.radius(slot), views.radius[v], what + " radius");
                assertEquals(store.authorityEpoch(slot), views.epoch[v], what + " epoch");
            }
        }
    }

    private static void assertWithin(final long expectedMm, final long actualMm, final String what)
    {
        assertTrue(Math.abs(expectedMm - actualMm) <= CompactUpdates.POSITION_TOLERANCE_MM,
            () -> what + ": cache " + expectedMm + " mm, view " + actualMm + " mm");
    }
}
