/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.EntityFields;
import io.orrery.wire.codec.DespawnReason;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.orrery.core.client.ReplicantFrames.ENTITY_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client composing its view from two Replicants' streams during handoffs of one entity between them: the Gateway
 * may interleave the two streams in any way that keeps each Replicant's own order, so every such interleaving is fed
 * to a fresh session (exhaustively) and, after every message, the view is checked against a reference model: the
 * entity is held from the first spawn on, by the Replicant of the highest owner epoch seen, with that Replicant's
 * latest state; every Replicant holding it has its own baseline equal to what that Replicant last sent; the listener
 * sees one spawn, never a despawn, and one update of every field per change of owner.
 */
class ReplicantCompositionTest
{
    private static final int A = 0;
    private static final int B = 1;
    private static final short HANDED_OFF = DespawnReason.handedOff.value();
    private static final short LEFT = DespawnReason.leftBubble.value();

    @Test
    void shouldComposeHandoffFromAToBInEveryInterleaving()
    {
        final List<Step> a = List.of(
            Step.spawn(A, 1, 0, 1_000, 5), Step.update(A, 10, 1), Step.update(A, 10, 1), Step.despawn(A, HANDED_OFF));
        final List<Step> b = List.of(
            Step.spawn(B, 2, 0, 1_200, 7), Step.update(B, 3, 1), Step.update(B, -4, 2));

        final int interleavings = runEveryInterleaving(a, b, B);

        assertEquals(35, interleavings);
    }

    @Test
    void shouldComposeHandoffFromAToBAndBackInEveryInterleaving()
    {
        final List<Step> a = List.of(
            Step.spawn(A, 1, 0, 1_000, 5), Step.update(A, 10, 1), Step.despawn(A, HANDED_OFF),
            Step.spawn(A, 3, 2, 1_500, 9), Step.update(A, 5, 1), Step.update(A, -7, 3));
        final List<Step> b = List.of(
            Step.spawn(B, 2, 0, 1_200, 7), Step.update(B, 3, 1), Step.update(B, 3, 1), Step.despawn(B, HANDED_OFF));

        final int interleavings = runEveryInterleaving(a, b, A);

        assertEquals(210, interleavings);
    }

    @Test
    void shouldKeepNewOwnersStateWhileLosingReplicantSendsLateUpdatesInEveryInterleaving()
    {
        final List<Step> a = List.of(
            Step.spawn(A, 4, 1, 1_000, 5), Step.update(A, 10, 1), Step.update(A, 10, 1), Step.update(A, 10, 1),
            Step.despawn(A, HANDED_OFF));
        final List<Step> b = List.of(Step.spawn(B, 5, 1, 1_030, 8), Step.update(B, 2, 1));

        assertEquals(21, runEveryInterleaving(a, b, B));
    }

    @Test
    void shouldRemoveEntityOnceWhenNewOwnerRemovesItInEveryInterleaving()
    {
        final List<Step> a = List.of(
            Step.spawn(A, 1, 0, 1_000, 5), Step.update(A, 10, 1), Step.despawn(A, HANDED_OFF));
        final List<Step> b = List.of(
            Step.spawn(B, 2, 0, 1_200, 7), Step.update(B, 3, 1), Step.despawn(B, LEFT));

        assertEquals(20, runEveryInterleavingWithRemoval(a, b));
    }

    @Test
    void shouldRemoveEntityOnceWhenOwnerRemovesItAfterHandoffBackInEveryInterleaving()
    {
        final List<Step> a = List.of(
            Step.spawn(A, 1, 0, 1_000, 5), Step.update(A, 10, 1), Step.despawn(A, HANDED_OFF),
            Step.spawn(A, 3, 2, 1_500, 9), Step.update(A, 5, 1), Step.despawn(A, LEFT));
        final List<Step> b = List.of(
            Step.spawn(B, 2, 0, 1_200, 7), Step.update(B, 3, 1), Step.despawn(B, HANDED_OFF));

        assertEquals(84, runEveryInterleavingWithRemoval(a, b));
    }

    /**
     * Streams that end with the entity removed by its last owner: in every interleaving the entity is held from the
     * first spawn until that removal and never after it (a late spawn of a Replicant that had lost it must not bring
     * it back), with one spawn and one despawn seen by the listener.
     */
    private static int runEveryInterleavingWithRemoval(final List<Step> a, final List<Step> b)
    {
        final int[] count = new int[1];
        interleave(a, b, 0, 0, new ArrayList<>(), order ->
        {
            count[0]++;
            final int[] events = new int[2];
            final ClientResponseAdapterTest.FakeLink link = new ClientResponseAdapterTest.FakeLink();
            final ClientResponseAdapter adapter = new ClientResponseAdapter(link);
            final ClientSession session = new ClientSession(null, 1, new byte[0], new ClientListener()
            {
                @Override
                public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
                {
                    events[0]++;
                }

                @Override
                public void onDespawn(final ClientSession session, final long entityId, final int reason)
                {
                    events[1]++;
                }
            }, 16, 2);
            link.session = session;
            final ReplicantFrames frames = new ReplicantFrames();
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
            final int[] handle = new int[2];
            boolean removed = false;
            for (int n = 0; n < order.size(); n++)
            {
                final Step step = order.get(n);
                if ('S' == step.kind())
                {
                    handle[step.replicant()] = step.handle();
                }
                adapter.onMessage(buffer, 0, encode(frames, buffer, step, handle),
                    ClientResponseAdapterTest.IMAGE_SESSION_ID);
                removed |= 'D' == step.kind() && LEFT == step.reason();
                final String where = order + " after message " + (n + 1);
                assertEquals(!removed, session.view().contains(ENTITY_ID), where);
                assertEquals(1, events[0], where + ": one spawn");
                assertEquals(removed ? 1 : 0, events[1], where + ": one despawn, at the removal");
            }
            assertEquals(0, session.ownerEpochConflicts(), order.toString());
            assertEquals(0, session.view().size(), order.toString());
        });
        return count[0];
    }

    /**
     * Feed every interleaving of the two streams to a fresh session, checking the view after every message.
     *
     * @return the number of interleavings.
     */
    private static int runEveryInterleaving(final List<Step> a, final List<Step> b, final int finalOwner)
    {
        final int[] count = new int[1];
        interleave(a, b, 0, 0, new ArrayList<>(), order ->
        {
            count[0]++;
            new Run(order).check(finalOwner);
        });
        return count[0];
    }

    private static void interleave(
        final List<Step> a, final List<Step> b, final int i, final int j, final List<Step> prefix,
        final java.util.function.Consumer<List<Step>> each)
    {
        if (i == a.size() && j == b.size())
        {
            each.accept(prefix);
            return;
        }
        if (i < a.size())
        {
            prefix.add(a.get(i));
            interleave(a, b, i + 1, j, prefix, each);
            prefix.remove(prefix.size() - 1);
        }
        if (j < b.size())
        {
            prefix.add(b.get(j));
            interleave(a, b, i, j + 1, prefix, each);
            prefix.remove(prefix.size() - 1);
        }
    }

    /**
     * Encode a step into the buffer; an update names the handle its Replicant's last spawn carried.
     *
     * @return the message length.
     */
    private static int encode(
        final ReplicantFrames frames, final ExpandableArrayBuffer buffer, final Step step, final int[] handle)
    {
        return switch (step.kind())
        {
            case 'S' -> frames.spawn(buffer, step.replicant(), step.epoch(), step.handle(), step.x(),
                step.lastApplied());
            case 'U' -> frames.update(buffer, step.replicant(), handle[step.replicant()], step.x(),
                step.lastApplied());
            default -> frames.despawn(buffer, step.replicant(), step.reason());
        };
    }

    /**
     * One message of a Replicant's stream.
     */
    record Step(int replicant, char kind, long epoch, int handle, long x, long lastApplied, short reason)
    {
        static Step spawn(final int replicant, final long epoch, final int handle, final long x, final long last)
        {
            return new Step(replicant, 'S', epoch, handle, x, last, (short)0);
        }

        /**
         * @param units position change along x in centimetres; {@code last} the change of the last applied input.
         */
        static Step update(final int replicant, final long units, final long last)
        {
            return new Step(replicant, 'U', 0, 0, units, last, (short)0);
        }

        static Step despawn(final int replicant, final short reason)
        {
            return new Step(replicant, 'D', 0, 0, 0, 0, reason);
        }

        @Override
        public String toString()
        {
            return (A == replicant ? "A" : "B") + kind + ('S' == kind ? epoch : "");
        }
    }

    /**
     * One interleaving through a fresh session, with the reference model of what each Replicant sent.
     */
    private static final class Run implements ClientListener
    {
        private final List<Step> order;
        private final ClientResponseAdapterTest.FakeLink link = new ClientResponseAdapterTest.FakeLink();
        private final ClientResponseAdapter adapter = new ClientResponseAdapter(link);
        private final ClientSession session;
        private final ReplicantFrames frames = new ReplicantFrames();
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        private final boolean[] holds = new boolean[2];
        private final int[] handle = new int[2];
        private final long[] x = new long[2];
        private final long[] lastApplied = new long[2];
        private int owner = -1;
        private long ownerEpoch = Long.MIN_VALUE;
        private int ownerChanges;
        private int spawns;
        private int despawns;
        private int fullUpdates;

        Run(final List<Step> order)
        {
            this.order = List.copyOf(order);
            session = new ClientSession(null, 1, new byte[0], this, 16, 2);
            link.session = session;
            adapter.nowNs(1_000);
        }

        void check(final int finalOwner)
        {
            for (int n = 0; n < order.size(); n++)
            {
                final Step step = order.get(n);
                adapter.onMessage(
                    buffer, 0, encode(frames, buffer, step, handle), ClientResponseAdapterTest.IMAGE_SESSION_ID);
                model(step);
                checkView(order + " after message " + (n + 1));
            }
            final String where = order.toString();
            assertEquals(finalOwner, owner, where);
            final ClientEntityView view = session.view();
            final int slot = view.slotOf(ENTITY_ID);
            assertFalse(view.awaitingOwner(slot), where);
            assertTrue(holds[finalOwner], where);
            assertEquals(ownerChanges, fullUpdates, where + ": one update of every field per change of owner");
            assertEquals(ownerChanges, session.ownerChanges(), where);
            assertEquals(0, session.ownerEpochConflicts(), where);
            assertEquals(0, session.updatesForUnknownEntities(), where);
            assertEquals(0, session.despawnsForUnknownEntities(), where);
            assertEquals(0, session.unknownReplicantMessages(), where);
        }

        private void model(final Step step)
        {
            final int r = step.replicant();
            switch (step.kind())
            {
                case 'S' ->
                {
                    holds[r] = true;
                    handle[r] = step.handle();
                    x[r] = step.x();
                    lastApplied[r] = step.lastApplied();
                    if (step.epoch() > ownerEpoch)
                    {
                        if (-1 != owner)
                        {
                            ownerChanges++;
                        }
                        owner = r;
                        ownerEpoch = step.epoch();
                    }
                }
                case 'U' ->
                {
                    x[r] += step.x() * CompactUpdates.POSITION_UNIT_MM;
                    lastApplied[r] += step.lastApplied();
                }
                default -> holds[r] = false;
            }
        }

        private void checkView(final String where)
        {
            final ClientEntityView view = session.view();
            assertEquals(1, spawns, where + ": one spawn, from the first spawn on");
            assertEquals(0, despawns, where + ": never a despawn");
            final int slot = view.slotOf(ENTITY_ID);
            assertTrue(slot >= 0, where);
            assertEquals(owner, view.ownerReplicant(slot), where);
            assertEquals(ownerEpoch, view.ownerEpoch(slot), where);
            assertEquals(!holds[owner], view.awaitingOwner(slot), where);
            assertEquals(x[owner], view.positionX(slot), where + ": the owner's latest position");
            assertEquals(lastApplied[owner], view.lastAppliedInputSequence(slot), where);
            for (int r = 0; r < 2; r++)
            {
                final ReplicantBindings bindings = view.replicant(r);
                assertEquals(holds[r], bindings.holds(slot), where + " replicant " + r);
                if (holds[r])
                {
                    assertEquals(slot, view.slotOfHandle(r, handle[r]), where);
                    if (r != owner)
                    {
                        assertEquals(x[r], bindings.baseX(handle[r]), where + ": baseline of non-owner " + r);
                        assertEquals(lastApplied[r], bindings.baseLastApplied(handle[r]), where);
                    }
                }
            }
        }

        @Override
        public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
        {
            spawns++;
        }

        @Override
        public void onUpdate(final ClientSession session, final ClientEntityView view, final int slot, final int mask)
        {
            if (EntityFields.ALL == mask)
            {
                fullUpdates++;
            }
        }

        @Override
        public void onDespawn(final ClientSession session, final long entityId, final int reason)
        {
            despawns++;
        }
    }
}
