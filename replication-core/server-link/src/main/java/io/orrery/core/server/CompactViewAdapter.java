/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.CompactViews;
import io.orrery.wire.EntityFields;
import io.orrery.wire.codec.ClientViewsCompactDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Decodes {@code ClientViewsCompact} (layout in {@link CompactViews}) into the same {@link ServerListener} callbacks
 * as {@code ClientViewBatch}: it keeps what the Replication Layer sent this server per handle (entity id, archetype,
 * owner and every field as last sent) and rebuilds the whole view from each entry, so the listener sees absolute
 * values: {@link ServerListener#onClientView} with every field in the mask when a view starts, with the mask of the
 * fields sent after (0 when only the owner changed), {@link ServerListener#onClientViewRemoved} when it ends or a
 * reset drops it. Each view gets at most one {@code onClientView} per message.
 * <p>
 * What the validator cannot see (it checks every byte's framing) is checked here and dropped, counted, never applied:
 * an entry or removal for a handle not held, a head that rebinds a held handle to another entity, a component state
 * longer than the link's snapshots hold. The table is kept across a lost layer session: the new session's first
 * message resets it, which reports every view it held as removed.
 * <p>
 * Threading: the link's duty-cycle thread only. The per-handle arrays grow by doubling while the server views more
 * entities than ever before (warm-up); nothing allocates per message after that.
 */
final class CompactViewAdapter
{
    private static final int INITIAL_HANDLES = 64;
    private static final byte FREE = 0;
    private static final byte FRESH = 1;
    private static final byte LIVE = 2;

    private final ClientViewsCompactDecoder decoder = new ClientViewsCompactDecoder();
    private final CompactViews.Reader blockReader = new CompactViews.Reader();
    private final CompactUpdates.Reader entryReader = new CompactUpdates.Reader();
    private final UnsafeBuffer removedBlock = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer headsBlock = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer entriesBlock = new UnsafeBuffer(0, 0);

    private byte[] state = new byte[INITIAL_HANDLES];
    private boolean[] ownerChanged = new boolean[INITIAL_HANDLES];
    private long[] entityId = new long[INITIAL_HANDLES];
    private int[] archetypeId = new int[INITIAL_HANDLES];
    private int[] ownerServerId = new int[INITIAL_HANDLES];
    private long[] zoneId = new long[INITIAL_HANDLES];
    private long[] positions = new long[INITIAL_HANDLES * 3];
    private int[] velocities = new int[INITIAL_HANDLES * 3];
    private int[] orientation = new int[INITIAL_HANDLES];
    private float[] radius = new float[INITIAL_HANDLES];
    private long[] epoch = new long[INITIAL_HANDLES];
    private int handleLimit;
    private int viewCount;

    /**
     * Apply one validated message and call the listener back.
     *
     * @return elements dropped as inconsistent with what this server holds.
     */
    int onMessage(
        final DirectBuffer buffer,
        final int offset,
        final MessageHeaderDecoder headerDecoder,
        final ServerLink link,
        final ServerListener listener,
        final EntitySnapshot snapshot)
    {
        decoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        decoder.tick();
        final int flags = decoder.flags();
        decoder.wrapRemoved(removedBlock);
        decoder.wrapHeads(headsBlock);
        decoder.wrapEntries(entriesBlock);

        int dropped = 0;
        if (0 != (flags & CompactViews.RESET))
        {
            removeAll(link, listener);
        }
        dropped += applyRemovals(link, listener);
        dropped += applyHeads();
        dropped += applyEntries(link, listener, snapshot);

        final CompactViews.Reader heads = blockReader.wrap(headsBlock, 0, headsBlock.capacity());
        while (heads.hasNext())
        {
            final int handle = heads.nextHead().handle();
            if (handle < handleLimit && ownerChanged[handle])
            {
                ownerChanged[handle] = false;
                snapshot.componentStateLength(0);
                deliver(link, listener, snapshot, handle, 0);
            }
        }
        return dropped;
    }

    /**
     * @return views held.
     */
    int viewCount()
    {
        return viewCount;
    }

    private void removeAll(final ServerLink link, final ServerListener listener)
    {
        for (int handle = 0; handle < handleLimit; handle++)
        {
            remove(link, listener, handle);
        }
    }

    private int applyRemovals(final ServerLink link, final ServerListener listener)
    {
        int dropped = 0;
        final CompactViews.Reader removed = blockReader.wrap(removedBlock, 0, removedBlock.capacity());
        while (removed.hasNext())
        {
            final int handle = removed.nextRemoved();
            if (handle >= handleLimit || FREE == state[handle])
            {
                dropped++;
            }
            else
            {
                remove(link, listener, handle);
            }
        }
        return dropped;
    }

    private void remove(final ServerLink link, final ServerListener listener, final int handle)
    {
        final byte was = state[handle];
        if (FREE != was)
        {
            state[handle] = FREE;
            ownerChanged[handle] = false;
            viewCount--;
            if (LIVE == was)
            {
                listener.onClientViewRemoved(link, entityId[handle]);
            }
        }
    }

    private int applyHeads()
    {
        int dropped = 0;
        final CompactViews.Reader heads = blockReader.wrap(headsBlock, 0, headsBlock.capacity());
        while (heads.hasNext())
        {
            heads.nextHead();
            final int handle = heads.handle();
            if (handle >= handleLimit)
            {
                ensureCapacity(handle);
            }
            if (FREE == state[handle])
            {
                state[handle] = FRESH;
                viewCount++;
                entityId[handle] = heads.entityId();
                archetypeId[handle] = heads.archetypeId();
                ownerServerId[handle] = heads.ownerServerId();
                zoneId[handle] = 0;
                positions[3 * handle] = 0;
                positions[3 * handle + 1] = 0;
                positions[3 * handle + 2] = 0;
                velocities[3 * handle] = 0;
                velocities[3 * handle + 1] = 0;
                velocities[3 * handle + 2] = 0;
                orientation[handle] = CompactViews.IDENTITY_ORIENTATION;
                radius[handle] = 0f;
                epoch[handle] = 0;
            }
            else if (entityId[handle] == heads.entityId())
            {
                ownerServerId[handle] = heads.ownerServerId();
                ownerChanged[handle] = LIVE == state[handle];
            }
            else
            {
                dropped++;
            }
        }
        return dropped;
    }

    private int applyEntries(final ServerLink link, final ServerListener listener, final EntitySnapshot snapshot)
    {
        int dropped = 0;
        final CompactUpdates.Reader entries = entryReader.wrap(entriesBlock, 0, entriesBlock.capacity());
        while (entries.hasNext())
        {
            entries.next();
            final int handle = entries.handle();
            if (handle >= handleLimit || FREE == state[handle])
            {
                dropped++;
                continue;
            }
            final int mask = entries.mask();
            final int p = 3 * handle;
            if (0 != (mask & CompactUpdates.PARENT_ZONE))
            {
                zoneId[handle] = entries.parentZoneId();
                positions[p] = entries.positionX();
                positions[p + 1] = entries.positionY();
                positions[p + 2] = entries.positionZ();
            }
            else if (0 != (mask & CompactUpdates.POSITION))
            {
                positions[p] += entries.positionX() * CompactUpdates.POSITION_UNIT_MM;
                positions[p + 1] += entries.positionY() * CompactUpdates.POSITION_UNIT_MM;
                positions[p + 2] += entries.positionZ() * CompactUpdates.POSITION_UNIT_MM;
            }
            if (0 != (mask & CompactUpdates.VELOCITY))
            {
                velocities[p] = entries.velocityX();
                velocities[p + 1] = entries.velocityY();
                velocities[p + 2] = entries.velocityZ();
            }
            if (0 != (mask & CompactUpdates.ORIENTATION))
            {
                orientation[handle] = entries.orientation();
            }
            if (0 != (mask & CompactUpdates.SIZE))
            {
                radius[handle] = entries.radius();
            }
            if (0 != (mask & CompactUpdates.AUTHORITY_EPOCH))
            {
                epoch[handle] = entries.authorityEpoch();
            }
            snapshot.componentStateLength(0);
            if (0 != (mask & CompactUpdates.COMPONENT_STATE) &&
                !snapshot.componentState(entries.buffer(), entries.stateOffset(), entries.stateLength()))
            {
                dropped++;
            }
            final boolean fresh = FRESH == state[handle];
            state[handle] = LIVE;
            ownerChanged[handle] = false;
            deliver(link, listener, snapshot, handle, fresh ? EntityFields.ALL : mask);
        }
        return dropped;
    }

    private void deliver(
        final ServerLink link,
        final ServerListener listener,
        final EntitySnapshot snapshot,
        final int handle,
        final int mask)
    {
        final int p = 3 * handle;
        final int packed = orientation[handle];
        snapshot.entityId(entityId[handle])
            .archetypeId(archetypeId[handle])
            .ownerPlayerId(0)
            .parentZoneId(zoneId[handle])
            .position(positions[p], positions[p + 1], positions[p + 2])
            .orientation(
                CompactUpdates.orientationComponent(packed, 0), CompactUpdates.orientationComponent(packed, 1),
                CompactUpdates.orientationComponent(packed, 2), CompactUpdates.orientationComponent(packed, 3))
            .velocity(CompactUpdates.velocityOf(velocities[p]), CompactUpdates.velocityOf(velocities[p + 1]),
                CompactUpdates.velocityOf(velocities[p + 2]))
            .radius(radius[handle])
            .authorityEpoch(epoch[handle])
            .lastAppliedInputSequence(0);
        listener.onClientView(link, snapshot, ownerServerId[handle], mask);
    }

    private void ensureCapacity(final int handle)
    {
        if (handle >= state.length)
        {
            final int length = Math.max(handle + 1, state.length * 2);
            state = Arrays.copyOf(state, length);
            ownerChanged = Arrays.copyOf(ownerChanged, length);
            entityId = Arrays.copyOf(entityId, length);
            archetypeId = Arrays.copyOf(archetypeId, length);
            ownerServerId = Arrays.copyOf(ownerServerId, length);
            zoneId = Arrays.copyOf(zoneId, length);
            positions = Arrays.copyOf(positions, 3 * length);
            velocities = Arrays.copyOf(velocities, 3 * length);
            orientation = Arrays.copyOf(orientation, length);
            radius = Arrays.copyOf(radius, length);
            epoch = Arrays.copyOf(epoch, length);
        }
        handleLimit = handle + 1;
    }
}
