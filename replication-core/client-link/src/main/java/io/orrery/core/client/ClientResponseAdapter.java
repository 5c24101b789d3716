/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.link.EntityState;
import io.orrery.wire.CompactUpdates;
import io.orrery.wire.EntityFields;
import io.orrery.wire.MessageValidator;
import io.orrery.wire.ReplicantStamp;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.DisconnectDecoder;
import io.orrery.wire.codec.EntityDespawnDecoder;
import io.orrery.wire.codec.EntitySpawnDecoder;
import io.orrery.wire.codec.EntityUpdateBatchDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;
import io.orrery.wire.codec.ReplicantResetDecoder;
import io.orrery.wire.codec.HeartbeatDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.RejectDecoder;
import io.orrery.wire.codec.StowResultDecoder;
import io.orrery.wire.codec.TimeDilationDecoder;
import io.orrery.wire.codec.WelcomeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes the responses of a Replication Layer (reassembled messages from the link's response subscription) and
 * dispatches them: entity spawns, updates and despawns are applied to the {@link ClientEntityView} of the session the
 * response image is bound to, with the session's {@link ClientListener} told; welcomes, hello rejects and disconnects
 * go to the {@link ClientResponseListener} (the link), which owns the handshake and resumption state.
 * <p>
 * Every message is validated ({@link MessageValidator}) before any decoder runs; malformed ones are counted and
 * dropped. The hottest message (compact updates) is tested first.
 * <p>
 * Threading: the link's duty cycle thread only. Zero allocation.
 */
final class ClientResponseAdapter implements ControlledFragmentHandler
{
    private static final int HANDED_OFF = DespawnReason.handedOff.value();
    private static final int RESYNC = DespawnReason.resync.value();

    private final ClientResponseListener listener;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final WelcomeDecoder welcomeDecoder = new WelcomeDecoder();
    private final RejectDecoder rejectDecoder = new RejectDecoder();
    private final TimeDilationDecoder timeDilationDecoder = new TimeDilationDecoder();
    private final DisconnectDecoder disconnectDecoder = new DisconnectDecoder();
    private final EntitySpawnDecoder spawnDecoder = new EntitySpawnDecoder();
    private final EntityUpdateBatchDecoder batchDecoder = new EntityUpdateBatchDecoder();
    private final EntityDespawnDecoder despawnDecoder = new EntityDespawnDecoder();
    private final ReplicantResetDecoder resetDecoder = new ReplicantResetDecoder();
    private final EntityUpdatesCompactDecoder compactDecoder = new EntityUpdatesCompactDecoder();
    private final UnsafeBuffer compactEntries = new UnsafeBuffer(0, 0);
    private final CompactUpdates.Reader compactReader = new CompactUpdates.Reader();
    private final EntityState decoded = new EntityState(0);
    private final StowResultDecoder stowResultDecoder = new StowResultDecoder();

    private long nowNs;
    private long bytesReceived;
    private long unknownImageMessages;
    private long malformedMessages;
    private long untrustedRejects;

    ClientResponseAdapter(final ClientResponseListener listener)
    {
        this.listener = listener;
    }

    /**
     * Set the time of this duty cycle, stamped on the entities the responses update.
     */
    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    /**
     * @return bytes of the messages received (without Aeron's frame headers).
     */
    long bytesReceived()
    {
        return bytesReceived;
    }

    /**
     * @return messages from images bound to no session that were neither a welcome nor a trusted reject.
     */
    long unknownImageMessages()
    {
        return unknownImageMessages;
    }

    long malformedMessages()
    {
        return malformedMessages;
    }

    /**
     * @return rejects before a welcome that answered no session awaiting its welcome.
     */
    long untrustedRejects()
    {
        return untrustedRejects;
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onMessage(buffer, offset, length, header.sessionId());
        return Action.CONTINUE;
    }

    /**
     * Decode and dispatch one whole message.
     *
     * @param imageSessionId Aeron session id of the response image it came on.
     */
    void onMessage(final DirectBuffer buffer, final int offset, final int length, final int imageSessionId)
    {
        bytesReceived += length;
        if (MessageValidator.validate(buffer, offset, length) < 0)
        {
            malformedMessages++;
            final ClientSession session = listener.sessionByImage(imageSessionId);
            if (null != session)
            {
                session.malformedReceived++;
            }
            return;
        }

        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        final ClientSession session = listener.sessionByImage(imageSessionId);
        if (null == session)
        {
            onUnboundImage(templateId, buffer, offset, imageSessionId);
            return;
        }

        session.lastReceivedNs = nowNs;
        switch (templateId)
        {
            case EntityUpdatesCompactDecoder.TEMPLATE_ID:
                onCompactUpdates(session, buffer, offset);
                break;

            case EntityUpdateBatchDecoder.TEMPLATE_ID:
                onUpdateBatch(session, buffer, offset);
                break;

            case EntitySpawnDecoder.TEMPLATE_ID:
                onSpawn(session, buffer, offset);
                break;

            case EntityDespawnDecoder.TEMPLATE_ID:
                onDespawn(session, buffer, offset);
                break;

            case ReplicantResetDecoder.TEMPLATE_ID:
                onReplicantReset(session, buffer, offset);
                break;

            case HeartbeatDecoder.TEMPLATE_ID:
                break;

            case TimeDilationDecoder.TEMPLATE_ID:
                timeDilationDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                session.onTimeDilation(timeDilationDecoder.timeDilationPerMille(), timeDilationDecoder.serverId());
                break;

            case StowResultDecoder.TEMPLATE_ID:
                stowResultDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                session.stowResultsReceived++;
                session.listener.onStowResult(session, stowResultDecoder.operationId(),
                    stowResultDecoder.itemEntityId(), 0 != stowResultDecoder.stowed(), stowResultDecoder.statusRaw());
                break;

            case RejectDecoder.TEMPLATE_ID:
                rejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                session.rejectsReceived++;
                session.listener.onReject(session, rejectDecoder.reasonRaw(), rejectDecoder.rejectedTemplateId());
                break;

            case DisconnectDecoder.TEMPLATE_ID:
                disconnectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                listener.onDisconnect(session, disconnectDecoder.reasonRaw());
                break;

            default:
                break;
        }
    }

    private void onUnboundImage(
        final int templateId, final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        if (WelcomeDecoder.TEMPLATE_ID == templateId)
        {
            welcomeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            if (listener.onWelcome(imageSessionId, welcomeDecoder))
            {
                return;
            }
        }
        else if (RejectDecoder.TEMPLATE_ID == templateId)
        {
            rejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            if (listener.onHelloRejected(
                rejectDecoder.clientCorrelationId(), rejectDecoder.reasonRaw(), rejectDecoder.rejectedTemplateId()))
            {
                return;
            }
            untrustedRejects++;
        }
        unknownImageMessages++;
    }

    private void onDespawn(final ClientSession session, final DirectBuffer buffer, final int offset)
    {
        despawnDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long entityId = despawnDecoder.entityId();
        final int reason = despawnDecoder.reasonRaw();
        despawnDecoder.serverTimeNs();
        final int replicantId = ReplicantStamp.replicantId(despawnDecoder);
        final ClientEntityView view = session.view;
        final ReplicantBindings replicant = view.replicant(replicantId);
        if (null == replicant)
        {
            session.unknownReplicantMessages++;
            return;
        }
        final int slot = view.slotOf(entityId);
        if (ClientEntityView.NULL_SLOT == slot || !replicant.holds(slot))
        {
            session.despawnsForUnknownEntities++;
            return;
        }
        if (view.ownerReplicant(slot) != replicantId || view.awaitingOwner(slot))
        {
            replicant.release(slot);
            session.despawnsOfNonOwners++;
        }
        else if (HANDED_OFF == reason)
        {
            replicant.release(slot);
            view.awaitOwner(slot, nowNs);
            session.onOwnerHandoffAwaited(nowNs);
        }
        else
        {
            view.rememberRemoval(entityId, view.ownerEpoch(slot));
            view.release(entityId);
            session.despawnsReceived++;
            session.listener.onDespawn(session, entityId, reason);
        }
    }

    /**
     * A Replicant restarted: what its predecessor spawned here is void. The entities it owns (not awaiting their
     * next owner) leave the view, as despawns with reason {@code resync}, without a remembered removal (its snapshot
     * may spawn them again at the same owner epoch); the ones it held without owning keep their owner's state; its
     * handles and baselines go. Entities of the other Replicants, and the ones it handed off, are left alone.
     * Control path: a pass over the view's slots, no allocation.
     */
    private void onReplicantReset(final ClientSession session, final DirectBuffer buffer, final int offset)
    {
        resetDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int replicantId = resetDecoder.replicantId();
        final ClientEntityView view = session.view;
        final ReplicantBindings replicant = view.replicant(replicantId);
        if (null == replicant)
        {
            session.unknownReplicantMessages++;
            return;
        }
        session.replicantResets++;
        for (int slot = 0, capacity = view.capacity(); slot < capacity; slot++)
        {
            if (!replicant.holds(slot))
            {
                continue;
            }
            if (view.ownerReplicant(slot) == replicantId && !view.awaitingOwner(slot))
            {
                final long entityId = view.entityId(slot);
                view.release(entityId);
                session.entitiesDroppedByResets++;
                session.listener.onDespawn(session, entityId, RESYNC);
            }
            else
            {
                replicant.release(slot);
            }
        }
        replicant.clear();
    }

    private void onSpawn(final ClientSession session, final DirectBuffer buffer, final int offset)
    {
        final EntitySpawnDecoder spawn = spawnDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long entityId = spawn.entityId();
        final EntityState state = decoded.reset().entityId(entityId)
            .archetypeId(spawn.archetypeId())
            .parentZoneId(spawn.parentZoneId())
            .position(spawn.position().x(), spawn.position().y(), spawn.position().z())
            .orientation(spawn.orientation().x(), spawn.orientation().y(), spawn.orientation().z(),
                spawn.orientation().w())
            .velocity(spawn.velocity().x(), spawn.velocity().y(), spawn.velocity().z())
            .radius(spawn.radius())
            .authorityEpoch(spawn.authorityEpoch())
            .lastAppliedInputSequence(spawn.lastAppliedInputSequence());
        spawn.serverTimeNs();
        final int handle = spawn.updateHandle();
        final int replicantId = ReplicantStamp.replicantId(spawn);
        final long ownerEpoch = ReplicantStamp.ownerEpoch(spawn);
        spawn.skipComponentState();

        final ClientEntityView view = session.view;
        final ReplicantBindings replicant = view.replicant(replicantId);
        if (null == replicant)
        {
            session.unknownReplicantMessages++;
            return;
        }
        int slot = view.slotOf(entityId);
        if (ClientEntityView.NULL_SLOT == slot)
        {
            if (view.isRemovedAbove(entityId, ownerEpoch))
            {
                // the late spawn of a Replicant that lost the entity before its new owner removed it
                session.spawnsNotOwning++;
                return;
            }
            slot = view.acquire(entityId);
            if (ClientEntityView.NULL_SLOT == slot)
            {
                session.viewOverflows++;
                return;
            }
            view.owner(slot, replicantId, ownerEpoch);
            applySpawn(session, view, slot, replicant, handle, state);
            session.listener.onSpawn(session, view, slot);
            return;
        }

        final int owner = view.ownerReplicant(slot);
        final long heldEpoch = view.ownerEpoch(slot);
        if (owner == replicantId && !view.awaitingOwner(slot))
        {
            // a resync, or an incarnation the layer despawned in a message this link has not seen: replace, never drop
            session.spawnsReplacingHeld++;
            if (ownerEpoch < heldEpoch)
            {
                session.ownerEpochConflicts++;
            }
            view.owner(slot, replicantId, Math.max(heldEpoch, ownerEpoch));
            applySpawn(session, view, slot, replicant, handle, state);
            session.listener.onSpawn(session, view, slot);
        }
        else if (ownerEpoch > heldEpoch || owner == replicantId)
        {
            // a handoff between Replicants: the entity continues under its new owner, no despawn and spawn
            keepBaselineOfLosingOwner(view, slot);
            view.owner(slot, replicantId, Math.max(heldEpoch, ownerEpoch));
            session.ownerChanges++;
            applySpawn(session, view, slot, replicant, handle, state);
            onUpdated(session, view, slot, EntityFields.ALL);
        }
        else
        {
            // the losing side of a handoff, late: bind its handle and baseline, leave the view alone
            if (ownerEpoch == heldEpoch)
            {
                session.ownerEpochConflicts++;
            }
            session.spawnsNotOwning++;
            if (!replicant.bind(slot, handle))
            {
                session.viewOverflows++;
            }
            else if (handle >= 0)
            {
                replicant.baseline(handle, state.x(), state.y(), state.z(), state.lastAppliedInputSequence());
            }
        }
    }

    /**
     * Write an owner's spawn into the view: state, handle, counts and the session's own entity.
     */
    private void applySpawn(
        final ClientSession session, final ClientEntityView view, final int slot, final ReplicantBindings replicant,
        final int handle, final EntityState state)
    {
        view.set(slot, state, nowNs);
        if (!replicant.bind(slot, handle))
        {
            session.viewOverflows++;
        }
        session.spawnsReceived++;
        session.lastSpawnNs = nowNs;
        if (state.entityId() == session.playerEntityId)
        {
            session.onOwnEntity(state.lastAppliedInputSequence(), state.authorityEpoch(), nowNs);
        }
    }

    /**
     * The slot's owner is about to lose it; if it still holds it (its despawn is still to come, and maybe late
     * entries), its baseline moves out of the view.
     */
    private static void keepBaselineOfLosingOwner(final ClientEntityView view, final int slot)
    {
        if (view.awaitingOwner(slot))
        {
            return;
        }
        final ReplicantBindings loser = view.replicant(view.ownerReplicant(slot));
        final int handle = loser.handleOf(slot);
        if (handle >= 0)
        {
            loser.baseline(handle, view.positionX(slot), view.positionY(slot), view.positionZ(slot),
                view.lastAppliedInputSequence(slot));
        }
    }

    private void onCompactUpdates(final ClientSession session, final DirectBuffer buffer, final int offset)
    {
        final EntityUpdatesCompactDecoder message = compactDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        message.tick();
        final int replicantId = ReplicantStamp.replicantId(message);
        message.wrapEntries(compactEntries);
        final ClientEntityView view = session.view;
        final ReplicantBindings replicant = view.replicant(replicantId);
        if (null == replicant)
        {
            session.unknownReplicantMessages++;
            return;
        }
        final CompactUpdates.Reader entry = compactReader.wrap(compactEntries, 0, compactEntries.capacity());
        while (entry.hasNext())
        {
            entry.next();
            final int handle = entry.handle();
            final int slot = replicant.slotOfHandle(handle);
            if (ClientEntityView.NULL_SLOT == slot)
            {
                session.updatesForUnknownEntities++;
            }
            else if (view.ownerReplicant(slot) == replicantId)
            {
                view.apply(slot, entry, nowNs);
                onUpdated(session, view, slot, entry.mask());
            }
            else
            {
                replicant.apply(handle, entry);
                session.nonOwnerEntries++;
            }
        }
    }

    /**
     * The legacy full-field batch: every entry carries the entity's whole state (position, orientation, velocity,
     * radius, epoch, last applied input); the archetype is the one of the spawn.
     */
    private void onUpdateBatch(final ClientSession session, final DirectBuffer buffer, final int offset)
    {
        final EntityUpdateBatchDecoder batch = batchDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        batch.serverTimeNs();
        batch.tick();
        final ClientEntityView view = session.view;
        for (final EntityUpdateBatchDecoder.UpdatesDecoder update : batch.updates())
        {
            final long entityId = update.entityId();
            final int mask = update.changed().getRaw();
            final EntityState state = decoded.reset().entityId(entityId)
                .parentZoneId(update.parentZoneId())
                .position(update.position().x(), update.position().y(), update.position().z())
                .orientation(update.orientation().x(), update.orientation().y(), update.orientation().z(),
                    update.orientation().w())
                .velocity(update.velocity().x(), update.velocity().y(), update.velocity().z())
                .radius(update.radius())
                .authorityEpoch(update.authorityEpoch())
                .lastAppliedInputSequence(update.lastAppliedInputSequence());
            update.skipComponentState();

            final int slot = view.slotOf(entityId);
            if (ClientEntityView.NULL_SLOT == slot)
            {
                session.updatesForUnknownEntities++;
                continue;
            }
            state.archetypeId(view.archetypeId(slot));
            applyUpdate(session, view, slot, state, mask);
        }
    }

    private void applyUpdate(
        final ClientSession session, final ClientEntityView view, final int slot, final EntityState state,
        final int mask)
    {
        view.set(slot, state, nowNs);
        onUpdated(session, view, slot, mask);
    }

    /**
     * An entity's slot was updated: count it, check the session's own entity, tell the listener.
     */
    private void onUpdated(final ClientSession session, final ClientEntityView view, final int slot, final int mask)
    {
        session.updatesReceived++;
        if (view.entityId(slot) == session.playerEntityId)
        {
            session.onOwnEntity(view.lastAppliedInputSequence(slot), view.authorityEpoch(slot), nowNs);
        }
        session.listener.onUpdate(session, view, slot, mask);
    }
}
