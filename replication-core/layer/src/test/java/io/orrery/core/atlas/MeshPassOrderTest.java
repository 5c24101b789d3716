/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.authority.ForwardingAuthority;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.replicant.EntityStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order of a meshed pass (issue 17, the layer's residence): the clients are offered the pass's updates before
 * the mesh does the tick's Atlas work and sends the servers their views, so that work is no part of any client's
 * residence; the views still carry the state the clients got in that pass.
 */
@Tag("system")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshPassOrderTest
{
    private static final long PLAYER = 1;
    private static final int TICKS = 20;

    @Test
    void shouldOfferClientsThePassBeforeServersGetItsViews()
    {
        final PassOrderAuthority[] orders = new PassOrderAuthority[1];
        try (MeshTestShard shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS,
            (ctx) -> ctx.authority(orders[0] = new PassOrderAuthority(new MeshAuthority(ctx.atlas())))))
        {
            final PassOrderAuthority order = orders[0];
            order.shard = shard;
            final TestGameServer one = shard.startServer(1, null);
            final TestGameServer two = shard.startServer(2, null);
            final ClientSession bot = shard.connect(PLAYER, ClientListener.NO_OP);
            order.bot = bot;
            shard.ticksUntil(() -> one.owns(PLAYER) && bot.view().contains(PLAYER) &&
                two.views.indexOf(PLAYER) >= 0, 20, "player streamed in and viewed by the neighbour");

            one.vx[one.indexOf(PLAYER)] = 3; // moves every tick: every pass has an update and a view delta
            shard.tick();
            order.checking = true;
            for (int t = 0; t < TICKS; t++)
            {
                shard.tick();
            }
            order.checking = false;

            assertEquals(0, order.viewsInOnTick, "views sent ahead of the clients");
            assertTrue(order.passesChecked >= TICKS - 1, "passes checked: " + order.passesChecked);
            assertEquals(order.passesChecked, order.clientHadPassBeforeViews,
                "passes whose client had the pass's state before the views went out");
            assertEquals(order.passesChecked, order.viewsAfterClients, "passes whose views went out after the clients");
        }
    }

    /**
     * The layer's {@link MeshAuthority}, watched at the two points of the pass it is called.
     */
    private static final class PassOrderAuthority extends ForwardingAuthority
    {
        private final MeshAuthority mesh;
        MeshTestShard shard;
        ClientSession bot;
        boolean checking;
        int passesChecked;
        int viewsInOnTick;
        int clientHadPassBeforeViews;
        int viewsAfterClients;
        private long xBeforePass;

        PassOrderAuthority(final MeshAuthority mesh)
        {
            super(mesh);
            this.mesh = mesh;
        }

        private long viewMessagesOut()
        {
            return mesh.mesh().proxy().viewMessagesOut();
        }

        @Override
        public int onTick(final long nowNs, final EntityStore store)
        {
            if (!checking)
            {
                return mesh.onTick(nowNs, store);
            }
            xBeforePass = bot.view().positionX(bot.view().slotOf(PLAYER));
            final long viewsBefore = viewMessagesOut();
            final int work = mesh.onTick(nowNs, store);
            viewsInOnTick += viewMessagesOut() == viewsBefore ? 0 : 1;
            shard.layer.replicant().stateResidence().reset();
            return work;
        }

        @Override
        public int onPassStreamed(final long nowNs, final EntityStore store)
        {
            if (!checking)
            {
                return mesh.onPassStreamed(nowNs, store);
            }
            passesChecked++;
            final long viewsBefore = viewMessagesOut();
            final long offered = shard.layer.replicant().stateResidence().getIntervalHistogram().getTotalCount();
            shard.clientLink.doWork(); // the client reads what its publication took in this pass
            if (1 == offered && bot.view().positionX(bot.view().slotOf(PLAYER)) > xBeforePass)
            {
                clientHadPassBeforeViews++;
            }
            final int work = mesh.onPassStreamed(nowNs, store);
            viewsAfterClients += viewMessagesOut() > viewsBefore ? 1 : 0;
            return work;
        }
    }
}
