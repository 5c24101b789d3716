/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.EntityIdSpace;
import io.orrery.wire.codec.EntityCreateRequestDecoder;
import io.orrery.wire.codec.EntityDestroyRequestDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What game servers write, checked against the authority map Atlas decided (the {@link ServerMesh}'s replica of
 * it) and applied to the cache: state batches
 * (the hot path: each entry only if its sender is the entity's authority, at the current epoch, and not releasing
 * it), a releasing server's final state of a handoff, creations from a server's id block and destructions. Rejected
 * writes are counted ({@code STALE_EPOCH_WRITES}, {@code UNAUTHORISED_WRITES}) and the sender is told once per
 * entity in a row.
 * <p>
 * Threading: Replicant thread only. Zero allocation per write.
 */
final class ServerWrites
{
    private static final int WRITABLE_FIELDS = EntityStore.POSITION | EntityStore.VELOCITY |
        EntityStore.ORIENTATION | EntityStore.SIZE | EntityStore.PARENT_ZONE | EntityStore.COMPONENT_STATE |
        EntityStore.LAST_APPLIED_INPUT;

    private final ServerMesh mesh;
    private final AuthorityReplica replica;
    private final EntityStore store;
    private final ServerEgressProxy proxy;
    private final Counter[] counters;
    private final UnsafeBuffer stateView = new UnsafeBuffer(0, 0);

    ServerWrites(
        final ServerMesh mesh,
        final AuthorityReplica replica,
        final EntityStore store,
        final ServerEgressProxy proxy,
        final Counter[] counters)
    {
        this.mesh = mesh;
        this.replica = replica;
        this.store = store;
        this.proxy = proxy;
        this.counters = counters;
    }

    /**
     * The releasing server's final state of entities being handed over.
     */
    void onStreamOut(final ServerConnection sender, final EntityStreamOutDecoder streamOut)
    {
        streamOut.territoryId();
        streamOut.epoch();
        for (final EntityStreamOutDecoder.EntitiesDecoder entity : streamOut.entities())
        {
            final long entityId = entity.entityId();
            entity.archetypeId();
            entity.ownerPlayerId();
            final long zone = entity.parentZoneId();
            final long x = entity.position().x();
            final long y = entity.position().y();
            final long z = entity.position().z();
            final float qx = entity.orientation().x();
            final float qy = entity.orientation().y();
            final float qz = entity.orientation().z();
            final float qw = entity.orientation().w();
            final float vx = entity.velocity().x();
            final float vy = entity.velocity().y();
            final float vz = entity.velocity().z();
            final float radius = entity.radius();
            final long epoch = entity.authorityEpoch();
            final long lastApplied = entity.lastAppliedInputSequence();

            final int slot = store.slotOf(entityId);
            // no handoff in flight: a release that crossed the abandonment of its handoff (its target's session
            // ended); still the authority's final state, so it is kept (ServerMesh#onReleased)
            if (EntityStore.NULL_SLOT == slot || !replica.isReported(slot) || replica.handoffReleased[slot] ||
                replica.owner[slot] != sender.index || epoch != store.authorityEpoch(slot))
            {
                entity.skipComponentState();
                onRejectedWrite(sender, entityId, slot, epoch, EntityStreamOutDecoder.TEMPLATE_ID);
                continue;
            }
            entity.wrapComponentState(stateView);
            if (EntityStore.OK != store.parentZone(slot, zone))
            {
                counters[OrreryCounter.ERRORS.id()].increment(); // every thread counts errors: atomic
            }
            store.position(slot, x, y, z);
            store.orientation(slot, qx, qy, qz, qw);
            store.velocity(slot, vx, vy, vz);
            store.radius(slot, radius);
            store.componentState(slot, stateView, 0, stateView.capacity());
            store.lastAppliedInputSequence(slot, lastApplied);
            mesh.onReleased(sender, slot, epoch);
        }
    }

    /**
     * Hot path: authoritative writes. Each entry is applied only if the sender is the entity's authority and the
     * entry's epoch is the current one.
     */
    void onStateBatch(final ServerConnection sender, final EntityStateBatchDecoder batch)
    {
        batch.serverId();
        batch.tick();
        batch.serverTimeNs();
        for (final EntityStateBatchDecoder.StatesDecoder entry : batch.states())
        {
            final long entityId = entry.entityId();
            final long epoch = entry.authorityEpoch();
            final int mask = entry.changed().getRaw() & WRITABLE_FIELDS;
            final long zone = entry.parentZoneId();
            final long x = entry.position().x();
            final long y = entry.position().y();
            final long z = entry.position().z();
            final float qx = entry.orientation().x();
            final float qy = entry.orientation().y();
            final float qz = entry.orientation().z();
            final float qw = entry.orientation().w();
            final float vx = entry.velocity().x();
            final float vy = entry.velocity().y();
            final float vz = entry.velocity().z();
            final float radius = entry.radius();
            final long lastApplied = entry.lastAppliedInputSequence();

            final int slot = store.slotOf(entityId);
            if (EntityStore.NULL_SLOT == slot || replica.owner[slot] != sender.index || replica.handoffReleased[slot] ||
                epoch != store.authorityEpoch(slot) || !replica.isReported(slot))
            {
                entry.skipComponentState();
                onRejectedWrite(sender, entityId, slot, epoch, EntityStateBatchDecoder.TEMPLATE_ID);
                continue;
            }

            if (0 != (mask & EntityStore.PARENT_ZONE) && EntityStore.OK != store.parentZone(slot, zone))
            {
                counters[OrreryCounter.ERRORS.id()].increment(); // every thread counts errors: atomic
            }
            if (0 != (mask & EntityStore.POSITION))
            {
                store.position(slot, x, y, z);
            }
            if (0 != (mask & EntityStore.ORIENTATION))
            {
                store.orientation(slot, qx, qy, qz, qw);
            }
            if (0 != (mask & EntityStore.VELOCITY))
            {
                store.velocity(slot, vx, vy, vz);
            }
            if (0 != (mask & EntityStore.SIZE))
            {
                store.radius(slot, radius);
            }
            if (0 != (mask & EntityStore.LAST_APPLIED_INPUT))
            {
                store.lastAppliedInputSequence(slot, lastApplied);
                if (sender.claimsSuspended)
                {
                    mesh.inputs.onConfirmedWhileSuspended(sender, entityId, lastApplied);
                }
            }
            if (0 != (mask & EntityStore.COMPONENT_STATE))
            {
                entry.wrapComponentState(stateView);
                if (EntityStore.OK != store.componentState(slot, stateView, 0, stateView.capacity()))
                {
                    counters[OrreryCounter.ERRORS.id()].increment(); // every thread counts errors: atomic
                }
            }
            else
            {
                entry.skipComponentState();
            }
        }
    }

    private void onRejectedWrite(
        final ServerConnection sender, final long entityId, final int slot, final long epoch, final int templateId)
    {
        if (EntityStore.NULL_SLOT != slot && Atlas.NO_SERVER == replica.owner[slot] && 0 == epoch &&
            0 == store.authorityEpoch(slot) && EntityIdSpace.isInServerBlock(entityId, sender.serverId))
        {
            // the sender created the entity and writes it before Atlas's first assignment of it has come back through
            // the rings: not a violation; its state is streamed to its authority at epoch 1 right after
            increment(OrreryCounter.WRITES_BEFORE_ASSIGNMENT);
            return;
        }
        final boolean stale = EntityStore.NULL_SLOT != slot &&
            (epoch < store.authorityEpoch(slot) ||
            (replica.handoffReleased[slot] && replica.owner[slot] == sender.index));
        if (stale)
        {
            increment(OrreryCounter.STALE_EPOCH_WRITES);
            if (sender.lastStaleToldEntityId != entityId)
            {
                sender.lastStaleToldEntityId = entityId;
                if (!proxy.reject(sender, sender.serverId, RejectReason.staleEpoch, templateId, entityId, epoch, null))
                {
                    mesh.onControlFailure(sender);
                }
            }
        }
        else
        {
            increment(OrreryCounter.UNAUTHORISED_WRITES);
            if (sender.lastUnauthorisedToldEntityId != entityId)
            {
                sender.lastUnauthorisedToldEntityId = entityId;
                if (!proxy.reject(sender, sender.serverId, RejectReason.notAuthority, templateId, entityId, epoch,
                    null))
                {
                    mesh.onControlFailure(sender);
                }
            }
        }
    }

    /**
     * A server creates an entity with an id from its block; the territory's server becomes its authority.
     */
    void onCreate(final ServerConnection sender, final EntityCreateRequestDecoder create)
    {
        create.serverId();
        final long entityId = create.entityId();
        final int archetypeId = create.archetypeId();
        final long ownerPlayerId = create.ownerPlayerId();
        final long zone = create.parentZoneId();
        final long x = create.position().x();
        final long y = create.position().y();
        final long z = create.position().z();
        final float qx = create.orientation().x();
        final float qy = create.orientation().y();
        final float qz = create.orientation().z();
        final float qw = create.orientation().w();
        final float vx = create.velocity().x();
        final float vy = create.velocity().y();
        final float vz = create.velocity().z();
        final float radius = create.radius();
        final boolean isZone = 1 == create.isZone();
        final long base = Atlas.entityIdBase(sender.serverId);
        if (entityId < base || entityId >= base + Atlas.ENTITY_ID_BLOCK)
        {
            create.skipComponentState();
            onRejectedWrite(sender, entityId, EntityStore.NULL_SLOT, 0, EntityCreateRequestDecoder.TEMPLATE_ID);
            return;
        }
        final int slot = store.create(entityId, archetypeId, ownerPlayerId, zone, isZone);
        if (slot < 0)
        {
            create.skipComponentState();
            counters[OrreryCounter.ERRORS.id()].increment(); // every thread counts errors: atomic
            if (!proxy.reject(sender, sender.serverId, RejectReason.unspecified,
                EntityCreateRequestDecoder.TEMPLATE_ID, entityId, null))
            {
                mesh.onControlFailure(sender);
            }
            return;
        }
        create.wrapComponentState(stateView);
        store.position(slot, x, y, z);
        store.orientation(slot, qx, qy, qz, qw);
        store.velocity(slot, vx, vy, vz);
        store.radius(slot, radius);
        store.componentState(slot, stateView, 0, Math.min(stateView.capacity(), store.maxStateBytes()));
        mesh.onCreated(slot);
    }

    void onDestroy(final ServerConnection sender, final long entityId, final long epoch)
    {
        final int slot = store.slotOf(entityId);
        if (EntityStore.NULL_SLOT == slot || replica.owner[slot] != sender.index ||
            epoch != store.authorityEpoch(slot) || replica.handoffReleased[slot] || !replica.isReported(slot))
        {
            onRejectedWrite(sender, entityId, slot, epoch, EntityDestroyRequestDecoder.TEMPLATE_ID);
            return;
        }
        if (mesh.inputs.hasRing(entityId) || store.isPinned(slot))
        {
            increment(OrreryCounter.UNAUTHORISED_WRITES);
            return;
        }
        mesh.removeEntityOfAuthority(slot);
    }

    private void increment(final OrreryCounter counter)
    {
        counters[counter.id()].incrementOrdered();
    }
}
