/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.CompactViews;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes one observer's {@code EntityUpdatesCompact} entries (layout in {@link CompactUpdates}) from the
 * {@link EntityStore} against that observer's {@link CompactBaselines}, and moves the baselines on.
 * <p>
 * <b>What is sent.</b> The engine's change mask says which fields changed since the observer was last sent the
 * entity; of those, a field goes on the wire only if its wire value differs from the baseline: a position that
 * moved by at least half a centimetre from what the client holds, a velocity that changed by a centimetre per
 * second, an orientation whose packed
 * bits changed. {@code lastAppliedInputSequence} goes only to the observer's own entity (the only one whose client
 * measures input latency with it). A zone change sends the zone and the absolute position. An entry left with
 * nothing to send is not written.
 * <p>
 * <b>Shared per tick.</b> Packing an orientation (the only costly quantisation) is done once per entity per store
 * change: a per-slot cache keyed by {@link EntityStore#lastChangeSeq(int)} is shared by every observer.
 * <p>
 * <b>Exactness.</b> A position delta is the change from the baseline rounded to whole centimetres, and the baseline
 * moves by exactly what was sent: the client's sum of deltas is the baseline, never more than 5 mm from the store's
 * value when the entity is sent, with nothing to drift. Baselines are moved on when the entry is written; a message
 * that is then not
 * delivered makes the engine resynchronise the observer (fresh spawns reset every baseline) before any further
 * delta.
 * <p>
 * Threading: the Replicant's duty-cycle thread only; no allocation once the slot cache is sized (first use).
 */
public final class CompactUpdateWriter
{
    /**
     * Handles below this take at most two varint bytes: the limit of the one-write path for small moves.
     */
    static final int TWO_BYTE_HANDLES = 1 << 14;

    private int[] packedOrientation;
    private long[] packedSeq;
    private EntityStore cachedStore;

    /**
     * Reset the observer's baselines for an entity just spawned to it with the store's current values.
     */
    public void onSpawned(final CompactBaselines baselines, final int handle, final EntityStore store, final int slot)
    {
        final long[] longs = baselines.longs;
        final int[] ints = baselines.ints;
        final int l = handle * CompactBaselines.STRIDE;
        longs[l + CompactBaselines.X] = store.positionX(slot);
        longs[l + CompactBaselines.Y] = store.positionY(slot);
        longs[l + CompactBaselines.Z] = store.positionZ(slot);
        longs[l + CompactBaselines.LAST_APPLIED_INPUT] = store.lastAppliedInputSequence(slot);
        ints[l + CompactBaselines.VX] = CompactUpdates.quantiseVelocity(store.velocityX(slot));
        ints[l + CompactBaselines.VY] = CompactUpdates.quantiseVelocity(store.velocityY(slot));
        ints[l + CompactBaselines.VZ] = CompactUpdates.quantiseVelocity(store.velocityZ(slot));
        ints[l + CompactBaselines.ORIENTATION] = packedOrientation(store, slot);
    }

    /**
     * Reset the observer's baselines for an entity it is about to be sent from nothing: the blank baseline of a
     * {@code ClientViewsCompact} head ({@link io.orrery.wire.CompactViews}: velocity 0, the identity orientation,
     * input 0); its first entry, written with every field in the changed mask, then sends the zone, the absolute
     * position and every field that differs from blank.
     */
    public void onBlank(final CompactBaselines baselines, final int handle)
    {
        final long[] longs = baselines.longs;
        final int[] ints = baselines.ints;
        final int l = handle * CompactBaselines.STRIDE;
        longs[l + CompactBaselines.X] = 0;
        longs[l + CompactBaselines.Y] = 0;
        longs[l + CompactBaselines.Z] = 0;
        longs[l + CompactBaselines.LAST_APPLIED_INPUT] = 0;
        ints[l + CompactBaselines.VX] = 0;
        ints[l + CompactBaselines.VY] = 0;
        ints[l + CompactBaselines.VZ] = 0;
        ints[l + CompactBaselines.ORIENTATION] = CompactViews.IDENTITY_ORIENTATION;
    }

    /**
     * Write one entry at {@code index}; the buffer must have {@link CompactUpdates#MAX_ENTRY_BASE_LENGTH} plus the
     * component state's length free.
     *
     * @param changedMask fields changed since last sent (store / {@code fieldMask} bits).
     * @param ownEntity   true if the entity is the one the observer follows.
     * @return the index after the entry; {@code index} if nothing needed sending.
     */
    public int writeEntry(
        final MutableDirectBuffer buffer,
        final int index,
        final CompactBaselines baselines,
        final int handle,
        final EntityStore store,
        final int slot,
        final int changedMask,
        final boolean ownEntity)
    {
        final long[] longs = baselines.longs;
        final int[] ints = baselines.ints;
        final int b = handle * CompactBaselines.STRIDE;
        final boolean zoneChanged = 0 != (changedMask & EntityStore.PARENT_ZONE);
        final long x = store.positionX(slot);
        final long y = store.positionY(slot);
        final long z = store.positionZ(slot);
        final long dx;
        final long dy;
        final long dz;
        int mask = changedMask & (EntityStore.SIZE | EntityStore.PARENT_ZONE | EntityStore.COMPONENT_STATE |
            EntityStore.AUTHORITY_EPOCH);
        if (zoneChanged)
        {
            dx = x;
            dy = y;
            dz = z;
            mask |= CompactUpdates.POSITION;
        }
        else
        {
            dx = CompactUpdates.positionDelta(x - longs[b + CompactBaselines.X]);
            dy = CompactUpdates.positionDelta(y - longs[b + CompactBaselines.Y]);
            dz = CompactUpdates.positionDelta(z - longs[b + CompactBaselines.Z]);
            if (0 != (changedMask & EntityStore.POSITION) && (0 != dx || 0 != dy || 0 != dz))
            {
                mask |= CompactUpdates.POSITION;
            }
        }

        int vx = 0;
        int vy = 0;
        int vz = 0;
        if (0 != (changedMask & EntityStore.VELOCITY))
        {
            vx = CompactUpdates.quantiseVelocity(store.velocityX(slot));
            vy = CompactUpdates.quantiseVelocity(store.velocityY(slot));
            vz = CompactUpdates.quantiseVelocity(store.velocityZ(slot));
            if (vx != ints[b + CompactBaselines.VX] || vy != ints[b + CompactBaselines.VY] ||
                vz != ints[b + CompactBaselines.VZ])
            {
                mask |= CompactUpdates.VELOCITY;
            }
        }

        int orientation = 0;
        if (0 != (changedMask & EntityStore.ORIENTATION))
        {
            orientation = packedOrientation(store, slot);
            if (orientation != ints[b + CompactBaselines.ORIENTATION])
            {
                mask |= CompactUpdates.ORIENTATION;
            }
        }

        long inputDelta = 0;
        if (ownEntity && 0 != (changedMask & EntityStore.LAST_APPLIED_INPUT))
        {
            inputDelta = store.lastAppliedInputSequence(slot) - longs[b + CompactBaselines.LAST_APPLIED_INPUT];
            if (0 != inputDelta)
            {
                mask |= CompactUpdates.LAST_APPLIED_INPUT;
            }
        }

        if (0 == mask)
        {
            return index;
        }

        if (CompactUpdates.POSITION == mask && handle < TWO_BYTE_HANDLES)
        {
            final long zx = (dx << 1) ^ (dx >> 63);
            final long zy = (dy << 1) ^ (dy >> 63);
            final long zz = (dz << 1) ^ (dz >> 63);
            if (0 == (zx | zy | zz) >>> 7)
            {
                // the common entry, a small move: the handle's varint (one byte, or two from handle 128: a view of
                // more than 128 entities), the mask and three one-byte deltas in one little-endian write (the buffer
                // has MAX_ENTRY_BASE_LENGTH free, so the bytes past the entry are inside it and overwritten later)
                final int handleBytes = handle < 128 ? 1 : 2;
                final long handleVarint = handle < 128 ? handle : (handle & 0x7F | 0x80) | (long)(handle >>> 7) << 8;
                final int shift = handleBytes << 3;
                buffer.putLong(index, handleVarint | ((long)CompactUpdates.POSITION | zx << 8 | zy << 16 | zz << 24)
                    << shift, ByteOrder.LITTLE_ENDIAN);
                longs[b + CompactBaselines.X] += dx * CompactUpdates.POSITION_UNIT_MM;
                longs[b + CompactBaselines.Y] += dy * CompactUpdates.POSITION_UNIT_MM;
                longs[b + CompactBaselines.Z] += dz * CompactUpdates.POSITION_UNIT_MM;
                return index + handleBytes + 4;
            }
        }

        int position = CompactUpdates.putVarUInt(buffer, index, handle);
        buffer.putByte(position++, (byte)mask);
        if (0 != (mask & CompactUpdates.POSITION))
        {
            position = CompactUpdates.putVarSInt(buffer, position, dx);
            position = CompactUpdates.putVarSInt(buffer, position, dy);
            position = CompactUpdates.putVarSInt(buffer, position, dz);
            if (zoneChanged)
            {
                longs[b + CompactBaselines.X] = x;
                longs[b + CompactBaselines.Y] = y;
                longs[b + CompactBaselines.Z] = z;
            }
            else
            {
                longs[b + CompactBaselines.X] += dx * CompactUpdates.POSITION_UNIT_MM;
                longs[b + CompactBaselines.Y] += dy * CompactUpdates.POSITION_UNIT_MM;
                longs[b + CompactBaselines.Z] += dz * CompactUpdates.POSITION_UNIT_MM;
            }
        }
        if (0 != (mask & CompactUpdates.VELOCITY))
        {
            position = CompactUpdates.putVarSInt(buffer, position, vx);
            position = CompactUpdates.putVarSInt(buffer, position, vy);
            position = CompactUpdates.putVarSInt(buffer, position, vz);
            ints[b + CompactBaselines.VX] = vx;
            ints[b + CompactBaselines.VY] = vy;
            ints[b + CompactBaselines.VZ] = vz;
        }
        if (0 != (mask & CompactUpdates.ORIENTATION))
        {
            buffer.putInt(position, orientation, ByteOrder.LITTLE_ENDIAN);
            position += 4;
            ints[b + CompactBaselines.ORIENTATION] = orientation;
        }
        if (0 != (mask & CompactUpdates.SIZE))
        {
            buffer.putFloat(position, store.radius(slot), ByteOrder.LITTLE_ENDIAN);
            position += 4;
        }
        if (zoneChanged)
        {
            position = CompactUpdates.putVarUInt(buffer, position, store.parentZoneId(slot));
        }
        if (0 != (mask & CompactUpdates.COMPONENT_STATE))
        {
            final int length = store.componentStateLength(slot);
            position = CompactUpdates.putVarUInt(buffer, position, length);
            buffer.putBytes(position, store.componentStateBuffer(), store.componentStateOffset(slot), length);
            position += length;
        }
        if (0 != (mask & CompactUpdates.LAST_APPLIED_INPUT))
        {
            position = CompactUpdates.putVarSInt(buffer, position, inputDelta);
            longs[b + CompactBaselines.LAST_APPLIED_INPUT] = store.lastAppliedInputSequence(slot);
        }
        if (0 != (mask & CompactUpdates.AUTHORITY_EPOCH))
        {
            position = CompactUpdates.putVarUInt(buffer, position, store.authorityEpoch(slot));
        }
        return position;
    }

    private int packedOrientation(final EntityStore store, final int slot)
    {
        if (store != cachedStore)
        {
            cachedStore = store;
            packedOrientation = new int[store.capacity()];
            packedSeq = new long[store.capacity()];
            Arrays.fill(packedSeq, -1);
        }
        final long seq = store.lastChangeSeq(slot);
        if (packedSeq[slot] != seq)
        {
            packedSeq[slot] = seq;
            packedOrientation[slot] = CompactUpdates.packOrientation(
                store.orientationX(slot), store.orientationY(slot), store.orientationZ(slot),
                store.orientationW(slot));
        }
        return packedOrientation[slot];
    }
}
