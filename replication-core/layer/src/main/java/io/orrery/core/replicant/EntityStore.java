/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant;

import io.orrery.wire.EntityFields;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The shard's entity cache in struct-of-arrays form, with the zone tree and per-field change tracking.
 * <p>
 * Threading: single writer and single reader, the Replicant's duty-cycle thread. Not thread safe.
 * <p>
 * Capacity is fixed at construction; nothing allocates after construction. Every entity lives in a slot
 * {@code 0 <= slot < capacity}; slots of removed entities are recycled in FIFO order (the longest-free slot first)
 * so that a slot is reused as late as possible. A reused slot has a new {@link #createdSeq(int)}, so holders of a
 * {@code (slot, createdSeq)} pair can always tell an old entity from a new one.
 * <p>
 * Slot accessors take a slot obtained from {@link #slotOf(long)} or {@link #create}; they do not validate it
 * (the caller owns that contract, as with Agrona buffers with bounds checks off).
 * <p>
 * Change tracking: a store-wide {@link #changeSeq()} is incremented on every write that changes a field; each
 * entity keeps, per field, the sequence at which that field last changed. A reader that remembers the
 * {@code changeSeq()} at which it last sent an entity asks {@link #changedSince(int, long)} for the mask of fields
 * to send: no per-observer dirty masks are kept. Setters that write an unchanged value do not count as a change.
 * <pre>
 *   fieldChangeSeq, 8 longs per slot, indexed [slot * 8 + bit]:
 *   +----------+----------+-------------+------+-------------+-----------------+------------------+----------------+
 *   | position | velocity | orientation | size | parentZone  | componentState  | lastAppliedInput | authorityEpoch |
 *   +----------+----------+-------------+------+-------------+-----------------+------------------+----------------+
 *     bit 0      bit 1      bit 2         bit 3  bit 4         bit 5             bit 6              bit 7
 *
 *   componentState buffer, one region of maxStateBytes per slot:
 *   0                maxStateBytes     2 * maxStateBytes                    capacity * maxStateBytes
 *   +----------------+-----------------+---------- ... ---------+-----------+
 *   | slot 0 state   | slot 1 state    |                        | last slot |
 *   +----------------+-----------------+---------- ... ---------+-----------+
 *   (the first componentStateLength(slot) bytes of a region are valid)
 * </pre>
 * <p>
 * Zones: an entity created with {@code isZone} owns a translation-only coordinate frame (zone rotation is not
 * modelled yet: a child's world position is its zone's world position plus its local position). Zones nest;
 * {@code parentZoneId == 0} is the world root. Positions are millimetres relative to the parent zone; world
 * positions are derived by {@link #updateWorldPositions()}, which visits zones in an array kept in depth order
 * (parents before children). That array is reordered only on the control path (zone created, removed or
 * reparented), never per tick.
 * <p>
 * Removing a zone that still has children never fails: its children are reparented to the removed zone's own
 * parent, keeping their world position (their local position is rebased and marked changed, as is their parent
 * zone), so nothing is left dangling and nothing visibly jumps.
 * <p>
 * The parts: this class holds the entity fields (struct of arrays) and the component state, and keeps the parts
 * consistent on create, remove and reparent; {@link EntitySlots} maps ids to slots and recycles slots;
 * {@link ZoneTree} holds the hierarchy (parents, zones, depth order, world positions); {@link EntityChangeTracker}
 * the change sequences.
 */
public final class EntityStore
{
    /**
     * No slot: the entity is unknown.
     */
    public static final int NULL_SLOT = -1;

    /**
     * The store is full.
     */
    public static final int ERR_FULL = -2;

    /**
     * An entity with this id exists already.
     */
    public static final int ERR_DUPLICATE = -3;

    /**
     * The parent zone id does not name an existing zone entity.
     */
    public static final int ERR_UNKNOWN_ZONE = -4;

    /**
     * Component state longer than {@link #maxStateBytes()}.
     */
    public static final int ERR_STATE_TOO_LONG = -5;

    /**
     * Entity id 0 is reserved for the world root.
     */
    public static final int ERR_INVALID_ID = -6;

    /**
     * Reparenting a zone under itself or one of its descendants.
     */
    public static final int ERR_ZONE_CYCLE = -7;

    /**
     * Success code of the int-returning setters.
     */
    public static final int OK = 0;

    /**
     * The id of the world root zone, the parent of top-level entities.
     */
    public static final long ROOT_ZONE_ID = 0;

    /**
     * Field bits: aliases of {@link EntityFields}, the choices of the SBE {@code fieldMask} set.
     */
    public static final int POSITION = EntityFields.POSITION;
    public static final int VELOCITY = EntityFields.VELOCITY;
    public static final int ORIENTATION = EntityFields.ORIENTATION;
    public static final int SIZE = EntityFields.SIZE;
    public static final int PARENT_ZONE = EntityFields.PARENT_ZONE;
    public static final int COMPONENT_STATE = EntityFields.COMPONENT_STATE;
    public static final int LAST_APPLIED_INPUT = EntityFields.LAST_APPLIED_INPUT;
    public static final int AUTHORITY_EPOCH = EntityFields.AUTHORITY_EPOCH;

    /**
     * All field bits.
     */
    public static final int ALL_FIELDS = EntityFields.ALL;

    /**
     * Number of tracked fields.
     */
    public static final int FIELD_COUNT = EntityFields.COUNT;

    private static final int POSITION_INDEX = 0;
    private static final int VELOCITY_INDEX = 1;
    private static final int ORIENTATION_INDEX = 2;
    private static final int SIZE_INDEX = 3;
    private static final int PARENT_ZONE_INDEX = 4;
    private static final int COMPONENT_STATE_INDEX = 5;
    private static final int LAST_APPLIED_INPUT_INDEX = 6;
    private static final int AUTHORITY_EPOCH_INDEX = 7;

    /**
     * Largest component state a slot may hold: the SBE var-data limit.
     */
    public static final int MAX_STATE_BYTES_LIMIT = 65534;

    private final int capacity;
    private final int maxStateBytes;
    private final EntitySlots slots;
    private final ZoneTree tree;
    private final EntityChangeTracker tracker;

    private final long[] entityIds;
    private final int[] archetypeIds;
    private final long[] ownerPlayerIds;
    private final long[] positionX;
    private final long[] positionY;
    private final long[] positionZ;
    private final float[] velocityX;
    private final float[] velocityY;
    private final float[] velocityZ;
    private final float[] orientationX;
    private final float[] orientationY;
    private final float[] orientationZ;
    private final float[] orientationW;
    private final float[] radii;
    private final long[] lastAppliedInputSequences;
    private final long[] authorityEpochs;
    private final int[] stateLengths;
    private final UnsafeBuffer stateBuffer;
    private final short[] removalReasons;
    private final boolean[] pinned;
    private final byte[] ownerReplicants;
    private final long[] ownerEpochs;
    private RemovalListener removalListener;

    /**
     * Create a store of fixed capacity.
     *
     * @param capacity      maximum number of entities.
     * @param maxStateBytes maximum component state per entity, at most {@link #MAX_STATE_BYTES_LIMIT}.
     */
    public EntityStore(final int capacity, final int maxStateBytes)
    {
        if (capacity <= 0)
        {
            throw new IllegalArgumentException("capacity must be > 0: " + capacity);
        }
        if (maxStateBytes < 0 || maxStateBytes > MAX_STATE_BYTES_LIMIT)
        {
            throw new IllegalArgumentException("maxStateBytes out of range: " + maxStateBytes);
        }
        if ((long)capacity * maxStateBytes > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("capacity * maxStateBytes too large: " + capacity + " * " +
                maxStateBytes);
        }

        this.capacity = capacity;
        this.maxStateBytes = maxStateBytes;

        entityIds = new long[capacity];
        archetypeIds = new int[capacity];
        ownerPlayerIds = new long[capacity];
        positionX = new long[capacity];
        positionY = new long[capacity];
        positionZ = new long[capacity];
        velocityX = new float[capacity];
        velocityY = new float[capacity];
        velocityZ = new float[capacity];
        orientationX = new float[capacity];
        orientationY = new float[capacity];
        orientationZ = new float[capacity];
        orientationW = new float[capacity];
        radii = new float[capacity];
        lastAppliedInputSequences = new long[capacity];
        authorityEpochs = new long[capacity];
        stateLengths = new int[capacity];
        stateBuffer = new UnsafeBuffer(new byte[Math.max(1, capacity * maxStateBytes)]);
        removalReasons = new short[capacity];
        pinned = new boolean[capacity];
        ownerReplicants = new byte[capacity];
        ownerEpochs = new long[capacity];

        slots = new EntitySlots(capacity);
        tree = new ZoneTree(slots, positionX, positionY, positionZ);
        tracker = new EntityChangeTracker(capacity);
    }

    /**
     * Told about every removal, after the entity has left the id map (its slot's fields are still readable until the
     * slot is reused). Persistence uses it to remove destroyed entities from the EntityGraph.
     */
    @FunctionalInterface
    public interface RemovalListener
    {
        /**
         * @param slot          the slot the entity occupied.
         * @param entityId      the removed entity.
         * @param despawnReason {@code io.orrery.wire.codec.DespawnReason} value it was removed with.
         */
        void onEntityRemoved(int slot, long entityId, short despawnReason);
    }

    /**
     * @param listener told about every removal, or null; one at a time.
     * @return this.
     */
    public EntityStore removalListener(final RemovalListener listener)
    {
        this.removalListener = listener;
        return this;
    }

    /**
     * Pin an entity while a transaction moves it (a stow in flight): authorities must not destroy a pinned entity,
     * and persistence does not write its world changes. Cleared when the slot is reused.
     */
    public void pinned(final int slot, final boolean isPinned)
    {
        pinned[slot] = isPinned;
    }

    public boolean isPinned(final int slot)
    {
        return pinned[slot];
    }

    /**
     * Set the Replicant that streams this entity to clients and the owner epoch of that ownership (several
     * Replicants per shard: a handoff between Replicants gives the entity a higher epoch). Not a tracked field: the
     * primary Replicant's {@link ReplicantOwnership} writes it and its state feed carries it. A new entity starts
     * with Replicant 0 at epoch 0 (the one-Replicant shard never changes that).
     *
     * @param slot        of the entity.
     * @param replicantId 0..255.
     * @param ownerEpoch  the owner epoch.
     */
    public void owner(final int slot, final int replicantId, final long ownerEpoch)
    {
        ownerReplicants[slot] = (byte)replicantId;
        ownerEpochs[slot] = ownerEpoch;
        tracker.list(slot);
    }

    /**
     * @return the Replicant that streams the entity (0..255).
     */
    public int ownerReplicant(final int slot)
    {
        return ownerReplicants[slot] & 0xFF;
    }

    /**
     * @return the owner epoch of the entity's current ownership (0 with one Replicant).
     */
    public long ownerEpoch(final int slot)
    {
        return ownerEpochs[slot];
    }

    /**
     * @return maximum number of entities.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return number of entities in the store.
     */
    public int size()
    {
        return slots.activeCount();
    }

    /**
     * @return maximum component state bytes per entity.
     */
    public int maxStateBytes()
    {
        return maxStateBytes;
    }

    /**
     * The store-wide change sequence: the sequence of the latest write. A reader that has sent an entity at
     * {@code changeSeq() == s} later sends {@link #changedSince(int, long) changedSince(slot, s)}.
     *
     * @return the latest change sequence.
     */
    public long changeSeq()
    {
        return tracker.changeSeq();
    }

    /**
     * Create an entity. Its transform starts at the origin of its zone with the identity orientation, zero
     * velocity, radius 0 and empty component state; all fields count as changed at {@link #createdSeq(int)}.
     *
     * @param entityId      unique id, not 0.
     * @param archetypeId   object container it spawns from.
     * @param ownerPlayerId player controlling it, or 0.
     * @param parentZoneId  zone whose frame its position is in, or 0 for the world root.
     * @param isZone        true if it owns a coordinate frame.
     * @return the slot, or {@link #ERR_FULL}, {@link #ERR_DUPLICATE}, {@link #ERR_UNKNOWN_ZONE},
     * {@link #ERR_INVALID_ID}.
     */
    public int create(
        final long entityId,
        final int archetypeId,
        final long ownerPlayerId,
        final long parentZoneId,
        final boolean isZone)
    {
        if (entityId == ROOT_ZONE_ID)
        {
            return ERR_INVALID_ID;
        }
        if (slots.slotOf(entityId) != NULL_SLOT)
        {
            return ERR_DUPLICATE;
        }
        final int parentSlot = tree.zoneSlotOf(parentZoneId);
        if (parentSlot == ERR_UNKNOWN_ZONE)
        {
            return ERR_UNKNOWN_ZONE;
        }
        if (slots.isFull())
        {
            return ERR_FULL;
        }

        final int slot = slots.allocate(entityId);
        entityIds[slot] = entityId;
        archetypeIds[slot] = archetypeId;
        ownerPlayerIds[slot] = ownerPlayerId;
        positionX[slot] = 0;
        positionY[slot] = 0;
        positionZ[slot] = 0;
        velocityX[slot] = 0;
        velocityY[slot] = 0;
        velocityZ[slot] = 0;
        orientationX[slot] = 0;
        orientationY[slot] = 0;
        orientationZ[slot] = 0;
        orientationW[slot] = 1;
        radii[slot] = 0;
        lastAppliedInputSequences[slot] = 0;
        authorityEpochs[slot] = 0;
        stateLengths[slot] = 0;
        removalReasons[slot] = 0;
        pinned[slot] = false;
        ownerReplicants[slot] = 0;
        ownerEpochs[slot] = 0;

        tracker.onCreated(slot);
        tree.add(slot, parentZoneId, parentSlot, isZone);

        return slot;
    }

    /**
     * @param entityId to look up.
     * @return its slot or {@link #NULL_SLOT}.
     */
    public int slotOf(final long entityId)
    {
        return slots.slotOf(entityId);
    }

    /**
     * Remove an entity as destroyed. See {@link #remove(long, short)}.
     *
     * @param entityId to remove.
     * @return true if it existed.
     */
    public boolean remove(final long entityId)
    {
        return remove(entityId, (short)1);
    }

    /**
     * Remove an entity. A removed zone's children (entities and zones) are reparented to the removed zone's own
     * parent, keeping their world position; their position and parent zone count as changed.
     *
     * @param entityId      to remove.
     * @param despawnReason {@code io.orrery.wire.codec.DespawnReason} value that observers will see, available
     *                      through {@link #removalReason(int)} until the slot is reused.
     * @return true if it existed.
     */
    public boolean remove(final long entityId, final short despawnReason)
    {
        final int slot = slots.unmap(entityId);
        if (NULL_SLOT == slot)
        {
            return false;
        }

        if (tree.isZone(slot) && tree.childCount(slot) > 0)
        {
            reparentChildrenOf(slot);
        }
        tree.remove(slot);
        removalReasons[slot] = despawnReason;
        slots.free(slot);
        tracker.onRemoved(slot);

        if (null != removalListener)
        {
            removalListener.onEntityRemoved(slot, entityId, despawnReason);
        }

        return true;
    }

    /**
     * @param slot of an entity that may have been removed.
     * @return true if the slot holds an entity.
     */
    public boolean isActive(final int slot)
    {
        return slots.isActive(slot);
    }

    /**
     * @return slots listed as created, changed or given another owner since {@link #clearChangedSlots()} (each once;
     * a listed slot may have been freed or re-used since: check {@link #isActive(int)} and {@link #createdSeq(int)}).
     */
    public int changedSlotCount()
    {
        return tracker.changedSlotCount();
    }

    /**
     * @param index 0 .. {@link #changedSlotCount()} - 1.
     * @return a listed slot.
     */
    public int changedSlot(final int index)
    {
        return tracker.changedSlot(index);
    }

    /**
     * Clear the list of changed slots: for its one reader (the primary Replicant's state feed), after each visit.
     */
    public void clearChangedSlots()
    {
        tracker.clearChangedSlots();
    }

    /**
     * @return removals so far: a reader that remembers this count finds the slots removed since with
     * {@link #removedSlot(long)}, if it is at most {@link #removalJournalLength()} behind.
     */
    public long removals()
    {
        return tracker.removals();
    }

    /**
     * @return removals the store's journal holds (its capacity rounded up to a power of two).
     */
    public int removalJournalLength()
    {
        return tracker.removalJournalLength();
    }

    /**
     * @param removal a removal's number, at least {@code removals() - removalJournalLength()} and below
     *                {@link #removals()}.
     * @return the slot that removal freed (it may hold another entity since: compare {@link #createdSeq(int)}).
     */
    public int removedSlot(final long removal)
    {
        return tracker.removedSlot(removal);
    }

    /**
     * @param slot of a removed entity whose slot has not been reused yet.
     * @return the despawn reason it was removed with.
     */
    public short removalReason(final int slot)
    {
        return removalReasons[slot];
    }

    /**
     * @return number of entities: the bound for {@link #activeSlot(int)}.
     */
    public int activeCount()
    {
        return slots.activeCount();
    }

    /**
     * Iterate entities without allocation: {@code for (int i = 0; i < activeCount(); i++) activeSlot(i)}.
     * The order changes when entities are removed.
     *
     * @param index {@code 0 <= index < activeCount()}.
     * @return the slot.
     */
    public int activeSlot(final int index)
    {
        return slots.activeSlot(index);
    }

    /**
     * @param slot of the entity.
     * @return the change sequence at which the entity in this slot was created.
     */
    public long createdSeq(final int slot)
    {
        return tracker.createdSeq(slot);
    }

    /**
     * @param slot of the entity.
     * @return the latest change sequence of any field of the entity.
     */
    public long lastChangeSeq(final int slot)
    {
        return tracker.lastChangeSeq(slot);
    }

    /**
     * @param slot of the entity.
     * @param seq  the {@link #changeSeq()} at which the reader last sent the entity.
     * @return mask of the fields changed after {@code seq} (0 if none).
     */
    public int changedSince(final int slot, final long seq)
    {
        return tracker.changedSince(slot, seq);
    }

    public long entityId(final int slot)
    {
        return entityIds[slot];
    }

    public int archetypeId(final int slot)
    {
        return archetypeIds[slot];
    }

    public long ownerPlayerId(final int slot)
    {
        return ownerPlayerIds[slot];
    }

    public long parentZoneId(final int slot)
    {
        return tree.parentZoneId(slot);
    }

    /**
     * @param slot of the entity.
     * @return slot of its parent zone, or {@link #NULL_SLOT} for the world root.
     */
    public int parentSlot(final int slot)
    {
        return tree.parentSlot(slot);
    }

    public boolean isZone(final int slot)
    {
        return tree.isZone(slot);
    }

    /**
     * @param slot of a zone.
     * @return number of entities whose parent zone it is.
     */
    public int childCount(final int slot)
    {
        return tree.childCount(slot);
    }

    /**
     * @param slot of the entity.
     * @return 0 for a child of the world root, parent's depth + 1 otherwise.
     */
    public int depth(final int slot)
    {
        return tree.depth(slot);
    }

    /**
     * @return number of zones.
     */
    public int zoneCount()
    {
        return tree.zoneCount();
    }

    /**
     * @param index {@code 0 <= index < zoneCount()}.
     * @return slot of the zone at this position of the depth order (parents before children).
     */
    public int zoneSlot(final int index)
    {
        return tree.zoneSlot(index);
    }

    // ------------------------------------------------------------------ setters

    /**
     * Set the local position in millimetres relative to the parent zone. The world position follows at the next
     * {@link #updateWorldPositions()}.
     */
    public void position(final int slot, final long x, final long y, final long z)
    {
        if (positionX[slot] != x || positionY[slot] != y || positionZ[slot] != z)
        {
            positionX[slot] = x;
            positionY[slot] = y;
            positionZ[slot] = z;
            markChanged(slot, POSITION_INDEX);
        }
    }

    /**
     * Set the velocity in metres per second.
     */
    public void velocity(final int slot, final float x, final float y, final float z)
    {
        if (differ(velocityX[slot], x) || differ(velocityY[slot], y) || differ(velocityZ[slot], z))
        {
            velocityX[slot] = x;
            velocityY[slot] = y;
            velocityZ[slot] = z;
            markChanged(slot, VELOCITY_INDEX);
        }
    }

    /**
     * Set the orientation quaternion.
     */
    public void orientation(final int slot, final float x, final float y, final float z, final float w)
    {
        if (differ(orientationX[slot], x) || differ(orientationY[slot], y) || differ(orientationZ[slot], z) ||
            differ(orientationW[slot], w))
        {
            orientationX[slot] = x;
            orientationY[slot] = y;
            orientationZ[slot] = z;
            orientationW[slot] = w;
            markChanged(slot, ORIENTATION_INDEX);
        }
    }

    /**
     * Set the bounding radius in metres (the {@link #SIZE} field).
     */
    public void radius(final int slot, final float r)
    {
        if (differ(radii[slot], r))
        {
            radii[slot] = r;
            markChanged(slot, SIZE_INDEX);
        }
    }

    /**
     * Move the entity to another zone. Its local position is kept as given: the writer sends the new local position
     * with the new zone. Control path for zones (the depth order is rebuilt).
     *
     * @param slot   of the entity.
     * @param zoneId new parent zone, or 0 for the world root.
     * @return {@link #OK}, {@link #ERR_UNKNOWN_ZONE}, or {@link #ERR_ZONE_CYCLE} if a zone would become its own
     * ancestor.
     */
    public int parentZone(final int slot, final long zoneId)
    {
        if (tree.parentZoneId(slot) == zoneId)
        {
            return OK;
        }

        final int newParentSlot = tree.zoneSlotOf(zoneId);
        if (ERR_UNKNOWN_ZONE == newParentSlot)
        {
            return ERR_UNKNOWN_ZONE;
        }
        if (tree.wouldCycle(slot, newParentSlot))
        {
            return ERR_ZONE_CYCLE;
        }

        tree.setParent(slot, zoneId, newParentSlot);
        markChanged(slot, PARENT_ZONE_INDEX);

        return OK;
    }

    /**
     * Replace the component state (opaque bytes).
     *
     * @return {@link #OK} or {@link #ERR_STATE_TOO_LONG} (state unchanged).
     */
    public int componentState(final int slot, final DirectBuffer src, final int offset, final int length)
    {
        if (length < 0 || length > maxStateBytes)
        {
            return ERR_STATE_TOO_LONG;
        }

        stateBuffer.putBytes(slot * maxStateBytes, src, offset, length);
        stateLengths[slot] = length;
        markChanged(slot, COMPONENT_STATE_INDEX);

        return OK;
    }

    public void lastAppliedInputSequence(final int slot, final long seq)
    {
        if (lastAppliedInputSequences[slot] != seq)
        {
            lastAppliedInputSequences[slot] = seq;
            markChanged(slot, LAST_APPLIED_INPUT_INDEX);
        }
    }

    public void authorityEpoch(final int slot, final long epoch)
    {
        if (authorityEpochs[slot] != epoch)
        {
            authorityEpochs[slot] = epoch;
            markChanged(slot, AUTHORITY_EPOCH_INDEX);
        }
    }

    // ------------------------------------------------------------------ getters

    /**
     * @return local x in millimetres, relative to the parent zone.
     */
    public long positionX(final int slot)
    {
        return positionX[slot];
    }

    public long positionY(final int slot)
    {
        return positionY[slot];
    }

    public long positionZ(final int slot)
    {
        return positionZ[slot];
    }

    /**
     * @return world x in millimetres as of the last {@link #updateWorldPositions()} (or creation).
     */
    public long worldX(final int slot)
    {
        return tree.worldX(slot);
    }

    public long worldY(final int slot)
    {
        return tree.worldY(slot);
    }

    public long worldZ(final int slot)
    {
        return tree.worldZ(slot);
    }

    public float velocityX(final int slot)
    {
        return velocityX[slot];
    }

    public float velocityY(final int slot)
    {
        return velocityY[slot];
    }

    public float velocityZ(final int slot)
    {
        return velocityZ[slot];
    }

    public float orientationX(final int slot)
    {
        return orientationX[slot];
    }

    public float orientationY(final int slot)
    {
        return orientationY[slot];
    }

    public float orientationZ(final int slot)
    {
        return orientationZ[slot];
    }

    public float orientationW(final int slot)
    {
        return orientationW[slot];
    }

    /**
     * @return bounding radius in metres.
     */
    public float radius(final int slot)
    {
        return radii[slot];
    }

    public long lastAppliedInputSequence(final int slot)
    {
        return lastAppliedInputSequences[slot];
    }

    public long authorityEpoch(final int slot)
    {
        return authorityEpochs[slot];
    }

    public int componentStateLength(final int slot)
    {
        return stateLengths[slot];
    }

    /**
     * @return the buffer holding every entity's component state; see {@link #componentStateOffset(int)}.
     */
    public DirectBuffer componentStateBuffer()
    {
        return stateBuffer;
    }

    /**
     * @return offset of the slot's component state in {@link #componentStateBuffer()}.
     */
    public int componentStateOffset(final int slot)
    {
        return slot * maxStateBytes;
    }

    /**
     * Copy the slot's component state out.
     *
     * @return bytes copied.
     */
    public int getComponentState(final int slot, final MutableDirectBuffer dst, final int offset)
    {
        final int length = stateLengths[slot];
        dst.putBytes(offset, stateBuffer, slot * maxStateBytes, length);
        return length;
    }

    // ------------------------------------------------------------------ zone tree

    /**
     * Recompute every entity's world position from its local position and its zone's world position, zones
     * first in depth order (parents before children). Once per tick, before the spatial index is updated.
     *
     * @return number of entities visited.
     */
    public int updateWorldPositions()
    {
        return tree.updateWorldPositions();
    }

    /**
     * A zone is removed: its children move to its own parent, keeping their world position.
     */
    private void reparentChildrenOf(final int zoneSlot)
    {
        for (int i = 0, n = slots.activeCount(); i < n; i++)
        {
            final int slot = slots.activeSlot(i);
            if (tree.parentSlot(slot) == zoneSlot)
            {
                position(
                    slot,
                    positionX[slot] + positionX[zoneSlot],
                    positionY[slot] + positionY[zoneSlot],
                    positionZ[slot] + positionZ[zoneSlot]);
                tree.moveToGrandparent(slot, zoneSlot);
                tracker.markChanged(slot, PARENT_ZONE_INDEX);
            }
        }
        tree.rebuildZoneOrder();
    }

    private void markChanged(final int slot, final int fieldIndex)
    {
        tracker.markChanged(slot, fieldIndex);
    }

    private static boolean differ(final float a, final float b)
    {
        return Float.floatToRawIntBits(a) != Float.floatToRawIntBits(b);
    }
}
