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
        final long[] records = baselines.records;
        final int r = handle * CompactBaselines.STRIDE;
        records[r + CompactBaselines.X] = store.positionX(slot);
        records[r + CompactBaselines.Y] = store.positionY(slot);
        records[r + CompactBaselines.Z] = store.positionZ(slot);
        records[r + CompactBaselines.LAST_APPLIED_INPUT] = store.lastAppliedInputSequence(slot);
        records[r + CompactBaselines.VXY] = pair(CompactUpdates.quantiseVelocity(store.velocityX(slot)),
            CompactUpdates.quantiseVelocity(store.velocityY(slot)));
        records[r + CompactBaselines.VZ_ORIENTATION] = pair(CompactUpdates.quantiseVelocity(store.velocityZ(slot)),
            packedOrientation(store, slot));
    }

    /**
     * Reset the observer's baselines for an entity it is about to be sent from nothing: the blank baseline of a
     * {@code ClientViewsCompact} head ({@link io.orrery.wire.CompactViews}: velocity 0, the identity orientation,
     * input 0); its first entry, written with every field in the changed mask, then sends the zone, the absolute
     * position and every field that differs from blank.
     */
    public void onBlank(final CompactBaselines baselines, final int handle)
    {
        final long[] records = baselines.records;
        final int r = handle * CompactBaselines.STRIDE;
        records[r + CompactBaselines.X] = 0;
        records[r + CompactBaselines.Y] = 0;
        records[r + CompactBaselines.Z] = 0;
        records[r + CompactBaselines.LAST_APPLIED_INPUT] = 0;
        records[r + CompactBaselines.VXY] = 0;
        records[r + CompactBaselines.VZ_ORIENTATION] = pair(0, CompactViews.IDENTITY_ORIENTATION);
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
        final long[] records = baselines.records;
        final int r = handle * CompactBaselines.STRIDE;
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
        else if (0 != (changedMask & EntityStore.POSITION))
        {
            dx = positionDelta(x - records[r + CompactBaselines.X]);
            dy = positionDelta(y - records[r + CompactBaselines.Y]);
            dz = positionDelta(z - records[r + CompactBaselines.Z]);
            if (0 != dx || 0 != dy || 0 != dz)
            {
                mask |= CompactUpdates.POSITION;
            }
        }
        else
        {
            // not sent: the deltas are read only when the mask has POSITION
            dx = 0;
            dy = 0;
            dz = 0;
        }

        int vx = 0;
        int vy = 0;
        int vz = 0;
        if (0 != (changedMask & EntityStore.VELOCITY))
        {
            vx = CompactUpdates.quantiseVelocity(store.velocityX(slot));
            vy = CompactUpdates.quantiseVelocity(store.velocityY(slot));
            vz = CompactUpdates.quantiseVelocity(store.velocityZ(slot));
            if (pair(vx, vy) != records[r + CompactBaselines.VXY] ||
                vz != (int)(records[r + CompactBaselines.VZ_ORIENTATION] >> 32))
            {
                mask |= CompactUpdates.VELOCITY;
            }
        }

        int orientation = 0;
        if (0 != (changedMask & EntityStore.ORIENTATION))
        {
            orientation = packedOrientation(store, slot);
            if (orientation != (int)records[r + CompactBaselines.VZ_ORIENTATION])
            {
                mask |= CompactUpdates.ORIENTATION;
            }
        }

        long inputDelta = 0;
        if (ownEntity && 0 != (changedMask & EntityStore.LAST_APPLIED_INPUT))
        {
            inputDelta = store.lastAppliedInputSequence(slot) -
                records[r + CompactBaselines.LAST_APPLIED_INPUT];
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
                moveBaseline(records, r, dx, dy, dz);
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
                records[r + CompactBaselines.X] = x;
                records[r + CompactBaselines.Y] = y;
                records[r + CompactBaselines.Z] = z;
            }
            else
            {
                moveBaseline(records, r, dx, dy, dz);
            }
        }
        if (0 != (mask & CompactUpdates.VELOCITY))
        {
            position = CompactUpdates.putVarSInt(buffer, position, vx);
            position = CompactUpdates.putVarSInt(buffer, position, vy);
            position = CompactUpdates.putVarSInt(buffer, position, vz);
            records[r + CompactBaselines.VXY] = pair(vx, vy);
            records[r + CompactBaselines.VZ_ORIENTATION] = pair(vz, (int)records[r + CompactBaselines.VZ_ORIENTATION]);
        }
        if (0 != (mask & CompactUpdates.ORIENTATION))
        {
            buffer.putInt(position, orientation, ByteOrder.LITTLE_ENDIAN);
            position += 4;
            records[r + CompactBaselines.VZ_ORIENTATION] =
                pair((int)(records[r + CompactBaselines.VZ_ORIENTATION] >> 32), orientation);
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
            records[r + CompactBaselines.LAST_APPLIED_INPUT] = store.lastAppliedInputSequence(slot);
        }
        if (0 != (mask & CompactUpdates.AUTHORITY_EPOCH))
        {
            position = CompactUpdates.putVarUInt(buffer, position, store.authorityEpoch(slot));
        }
        return position;
    }

    private static void moveBaseline(
        final long[] records, final int r, final long dx, final long dy, final long dz)
    {
        records[r + CompactBaselines.X] += dx * CompactUpdates.POSITION_UNIT_MM;
        records[r + CompactBaselines.Y] += dy * CompactUpdates.POSITION_UNIT_MM;
        records[r + CompactBaselines.Z] += dz * CompactUpdates.POSITION_UNIT_MM;
    }

    /**
     * Two ints in one baseline long: {@code high} in the upper half.
     */
    private static long pair(final int high, final int low)
    {
        return (long)high << 32 | (low & 0xFFFF_FFFFL);
    }

    /**
     * {@link CompactUpdates#positionDelta(long)} without its branch: the sign of a move is a coin toss per entity and
     * axis, which the branch of {@code Math.floorDiv} mispredicts. Exact for every {@code long}: the truncated
     * quotient's remainder is negative exactly when the floor is one below it.
     */
    static long positionDelta(final long changeMm)
    {
        final long n = changeMm + CompactUpdates.POSITION_UNIT_MM / 2;
        final long q = n / CompactUpdates.POSITION_UNIT_MM;
        return q + ((n - q * CompactUpdates.POSITION_UNIT_MM) >> 63);
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
