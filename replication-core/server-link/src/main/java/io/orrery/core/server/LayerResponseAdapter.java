/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

import io.orrery.wire.codec.ClientViewBatchDecoder;
import io.orrery.wire.codec.ClientViewsCompactDecoder;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.EntityStreamInDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.ForwardedInputDecoder;
import io.orrery.wire.codec.HandoffCommitDecoder;
import io.orrery.wire.codec.HandoffPrepareDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.ServerRejectDecoder;
import io.orrery.wire.codec.TerritoryGrantDecoder;
import io.orrery.wire.codec.TerritoryRevokeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

/**
 * Decodes what the Replication Layer sends a welcomed {@link ServerLink} (validated messages of the bound image
 * only: the link checks binding and validity first) and dispatches it to the {@link ServerListener}: one
 * {@code switch} on the template id, the hottest messages (forwarded input, client views) first; compact views
 * ({@code ClientViewsCompact}) go through a {@link CompactViewAdapter}, which keeps the views' baselines. Entity state
 * reaches the listener in one reused {@link EntitySnapshot}, input in one reused {@link ForwardedInput}. It keeps the
 * handoffs announced to this server (prepare seen, commit not yet) so that the entity's stream-in is reported as
 * {@link ServerListener#onHandoffPrepare}, and answers each prepare addressed to this server with an accept.
 * <p>
 * Threading: the link's duty-cycle thread only. Nothing allocates per message.
 */
final class LayerResponseAdapter
{
    private final ServerLink link;
    private final ServerListener listener;
    private final LayerProxy proxy;
    private final int serverId;
    private final MessageHeaderDecoder headerDecoder;
    private final EntitySnapshot snapshot;
    private final ForwardedInput forwardedInput = new ForwardedInput();
    private final Long2LongHashMap incomingFrom = new Long2LongHashMap(0);
    private final Long2LongHashMap incomingEpoch = new Long2LongHashMap(0);

    private final TerritoryGrantDecoder grantDecoder = new TerritoryGrantDecoder();
    private final TerritoryRevokeDecoder revokeDecoder = new TerritoryRevokeDecoder();
    private final HandoffPrepareDecoder prepareDecoder = new HandoffPrepareDecoder();
    private final HandoffCommitDecoder commitDecoder = new HandoffCommitDecoder();
    private final ForwardedInputDecoder inputDecoder = new ForwardedInputDecoder();
    private final EntityStreamInDecoder streamInDecoder = new EntityStreamInDecoder();
    private final EntityStreamOutDecoder streamOutDecoder = new EntityStreamOutDecoder();
    private final ClientViewBatchDecoder viewDecoder = new ClientViewBatchDecoder();
    private final CompactViewAdapter compactViews = new CompactViewAdapter();
    private final ServerRejectDecoder rejectDecoder = new ServerRejectDecoder();

    private long inputsReceived;
    private long malformedReceived;
    private long rejectsReceived;

    LayerResponseAdapter(
        final ServerLink link,
        final ServerListener listener,
        final LayerProxy proxy,
        final int serverId,
        final int maxStateBytes,
        final MessageHeaderDecoder headerDecoder)
    {
        this.link = link;
        this.listener = listener;
        this.proxy = proxy;
        this.serverId = serverId;
        this.headerDecoder = headerDecoder;
        this.snapshot = new EntitySnapshot(maxStateBytes);
    }

    /**
     * Forget the handoffs in flight (the connection went away).
     */
    void reset()
    {
        incomingFrom.clear();
        incomingEpoch.clear();
    }

    /**
     * Dispatch one validated message whose header {@code headerDecoder} has wrapped.
     */
    void onMessage(final int templateId, final DirectBuffer buffer, final int offset)
    {
        switch (templateId)
        {
            case ForwardedInputDecoder.TEMPLATE_ID:
                onForwardedInput(buffer, offset);
                break;

            case ClientViewsCompactDecoder.TEMPLATE_ID:
                malformedReceived += compactViews.onMessage(buffer, offset, headerDecoder, link, listener, snapshot);
                break;

            case ClientViewBatchDecoder.TEMPLATE_ID:
                onViewBatch(buffer, offset);
                break;

            case EntityStreamInDecoder.TEMPLATE_ID:
                onStreamIn(buffer, offset);
                break;

            case HandoffPrepareDecoder.TEMPLATE_ID:
                onHandoffPrepare(buffer, offset);
                break;

            case HandoffCommitDecoder.TEMPLATE_ID:
                onHandoffCommit(buffer, offset);
                break;

            case EntityStreamOutDecoder.TEMPLATE_ID:
                onEvict(buffer, offset);
                break;

            case TerritoryGrantDecoder.TEMPLATE_ID:
                onTerritoryGrant(buffer, offset);
                break;

            case TerritoryRevokeDecoder.TEMPLATE_ID:
            {
                revokeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final int territoryId = revokeDecoder.territoryId();
                revokeDecoder.serverId();
                final long epoch = revokeDecoder.epoch();
                listener.onTerritoryRevoked(link, territoryId, epoch, revokeDecoder.reasonRaw());
                break;
            }

            case ServerRejectDecoder.TEMPLATE_ID:
            {
                rejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                rejectDecoder.serverId();
                final int reason = rejectDecoder.reasonRaw();
                final int rejectedTemplateId = rejectDecoder.rejectedTemplateId();
                final long entityId = rejectDecoder.entityId();
                final long rejectedEpoch = rejectDecoder.rejectedEpoch();
                rejectDecoder.skipReasonText();
                rejectsReceived++;
                listener.onServerReject(link, reason, rejectedTemplateId, entityId, rejectedEpoch);
                break;
            }

            default:
                break;
        }
    }

    long inputsReceived()
    {
        return inputsReceived;
    }

    /**
     * @return entries dropped for component state longer than the link's snapshots hold, and compact view elements
     * inconsistent with what this server holds ({@link CompactViewAdapter}).
     */
    long malformedReceived()
    {
        return malformedReceived;
    }

    long rejectsReceived()
    {
        return rejectsReceived;
    }

    private void onForwardedInput(final DirectBuffer buffer, final int offset)
    {
        final ForwardedInputDecoder decoder = inputDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final ForwardedInput input = forwardedInput;
        input.set(decoder.entityId(), decoder.playerId(), decoder.authorityEpoch(), decoder.inputSequence(),
            decoder.clientTimestampNs(), decoder.receivedTimeNs());
        input.move(decoder.move().x(), decoder.move().y(), decoder.move().z());
        input.aim(decoder.aimYaw(), decoder.aimPitch(), (int)decoder.actions().getRaw());
        inputsReceived++;
        listener.onForwardedInput(link, input);
    }

    private void onTerritoryGrant(final DirectBuffer buffer, final int offset)
    {
        grantDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int territoryId = grantDecoder.territoryId();
        grantDecoder.serverId();
        final long epoch = grantDecoder.epoch();
        final long rootZoneId = grantDecoder.rootZoneId();
        final long minX = grantDecoder.boundsMin().x();
        final long minY = grantDecoder.boundsMin().y();
        final long minZ = grantDecoder.boundsMin().z();
        final long maxX = grantDecoder.boundsMax().x();
        final long maxY = grantDecoder.boundsMax().y();
        final long maxZ = grantDecoder.boundsMax().z();
        listener.onTerritoryGranted(link, territoryId, epoch, rootZoneId, minX, minY, minZ, maxX, maxY, maxZ);
    }

    private void onHandoffCommit(final DirectBuffer buffer, final int offset)
    {
        commitDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        commitDecoder.handoffId();
        final long entityId = commitDecoder.entityId();
        final int fromServerId = commitDecoder.fromServerId();
        commitDecoder.toServerId();
        final long newEpoch = commitDecoder.newEpoch();
        final long lastDelivered = commitDecoder.lastDeliveredInputSequence();
        incomingFrom.remove(entityId);
        incomingEpoch.remove(entityId);
        listener.onHandoffCommit(link, entityId, fromServerId, newEpoch, lastDelivered);
    }

    private void onStreamIn(final DirectBuffer buffer, final int offset)
    {
        final EntityStreamInDecoder streamIn = streamInDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        streamIn.territoryId();
        streamIn.epoch();
        for (final EntityStreamInDecoder.EntitiesDecoder entity : streamIn.entities())
        {
            final EntitySnapshot s = snapshot;
            s.entityId(entity.entityId())
                .archetypeId(entity.archetypeId())
                .ownerPlayerId(entity.ownerPlayerId())
                .parentZoneId(entity.parentZoneId())
                .position(entity.position().x(), entity.position().y(), entity.position().z())
                .orientation(entity.orientation().x(), entity.orientation().y(), entity.orientation().z(),
                    entity.orientation().w())
                .velocity(entity.velocity().x(), entity.velocity().y(), entity.velocity().z())
                .radius(entity.radius())
                .authorityEpoch(entity.authorityEpoch())
                .lastAppliedInputSequence(entity.lastAppliedInputSequence());
            final int length = entity.componentStateLength();
            if (length <= s.maxStateBytes())
            {
                entity.getComponentState(s.mutableComponentStateBuffer(), 0, length);
                s.componentStateLength(length);
            }
            else
            {
                entity.skipComponentState();
                s.componentStateLength(0);
                malformedReceived++;
            }
            final long entityId = s.entityId();
            final int fromServerId = (int)incomingFrom.get(entityId);
            if (0 != fromServerId)
            {
                listener.onHandoffPrepare(link, entityId, fromServerId, incomingEpoch.get(entityId), s);
            }
            else
            {
                listener.onEntityStreamIn(link, s);
            }
        }
    }

    private void onHandoffPrepare(final DirectBuffer buffer, final int offset)
    {
        final HandoffPrepareDecoder prepare = prepareDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long handoffId = prepare.handoffId();
        final long entityId = prepare.entityId();
        final int fromServerId = prepare.fromServerId();
        final int toServerId = prepare.toServerId();
        prepare.territoryId();
        final long newEpoch = prepare.newEpoch();
        if (toServerId == serverId)
        {
            incomingFrom.put(entityId, fromServerId);
            incomingEpoch.put(entityId, newEpoch);
            proxy.sendHandoffAccept(handoffId, entityId, newEpoch);
        }
        else if (fromServerId == serverId)
        {
            listener.onHandoffRelease(link, entityId, newEpoch - 1, toServerId);
        }
    }

    private void onEvict(final DirectBuffer buffer, final int offset)
    {
        final EntityStreamOutDecoder streamOut = streamOutDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        streamOut.territoryId();
        streamOut.epoch();
        final short rawReason = streamOut.reasonRaw();
        final short reason =
            DespawnReason.streamedOut.value() == rawReason || DespawnReason.stowed.value() == rawReason ?
            rawReason : DespawnReason.destroyed.value();
        for (final EntityStreamOutDecoder.EntitiesDecoder entity : streamOut.entities())
        {
            final long entityId = entity.entityId();
            entity.skipComponentState();
            incomingFrom.remove(entityId);
            incomingEpoch.remove(entityId);
            listener.onEntityRemoved(link, entityId, reason);
        }
    }

    private void onViewBatch(final DirectBuffer buffer, final int offset)
    {
        final ClientViewBatchDecoder batch = viewDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        batch.tick();
        batch.serverTimeNs();
        for (final ClientViewBatchDecoder.ViewsDecoder view : batch.views())
        {
            final EntitySnapshot s = snapshot;
            s.entityId(view.entityId()).archetypeId(view.archetypeId());
            final int ownerServerId = view.ownerServerId();
            final int mask = view.changed().getRaw();
            s.parentZoneId(view.parentZoneId())
                .position(view.position().x(), view.position().y(), view.position().z())
                .orientation(view.orientation().x(), view.orientation().y(), view.orientation().z(),
                    view.orientation().w())
                .velocity(view.velocity().x(), view.velocity().y(), view.velocity().z())
                .radius(view.radius())
                .authorityEpoch(view.authorityEpoch())
                .lastAppliedInputSequence(0);
            final int length = view.componentStateLength();
            if (length <= s.maxStateBytes())
            {
                view.getComponentState(s.mutableComponentStateBuffer(), 0, length);
                s.componentStateLength(length);
            }
            else
            {
                view.skipComponentState();
                s.componentStateLength(0);
            }
            listener.onClientView(link, s, ownerServerId, mask);
        }
        for (final ClientViewBatchDecoder.RemovedDecoder removed : batch.removed())
        {
            listener.onClientViewRemoved(link, removed.entityId());
        }
    }
}
