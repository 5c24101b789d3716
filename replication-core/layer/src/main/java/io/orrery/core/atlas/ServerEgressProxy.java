/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Publication;
import io.orrery.link.Publications;
import io.orrery.core.replicant.CompactBaselines;
import io.orrery.core.replicant.CompactUpdateWriter;
import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.CompactUpdates;
import io.orrery.wire.CompactViews;
import io.orrery.wire.codec.ClientViewBatchEncoder;
import io.orrery.wire.codec.ClientViewsCompactEncoder;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.EntityStreamInEncoder;
import io.orrery.wire.codec.EntityStreamOutEncoder;
import io.orrery.wire.codec.ForwardedInputEncoder;
import io.orrery.wire.codec.HandoffCommitEncoder;
import io.orrery.wire.codec.HandoffPrepareEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.RevokeReason;
import io.orrery.wire.codec.ServerGoodbyeEncoder;
import io.orrery.wire.codec.ServerHeartbeatEncoder;
import io.orrery.wire.codec.ServerRejectEncoder;
import io.orrery.wire.codec.ServerWelcomeEncoder;
import io.orrery.wire.codec.TerritoryGrantEncoder;
import io.orrery.wire.codec.TerritoryRevokeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Encodes what Atlas and the Replicant send to game servers and offers it to each server's egress publication:
 * welcome and reject, territory grants and revokes, handoff prepare and commit, entity stream-in (batched, split at
 * about {@link #MAX_BATCH_BYTES}), evictions, forwarded input, and read-only views: {@code ClientViewsCompact} by
 * default ({@link #beginCompactViews}, {@link #appendCompactView}, {@link #appendViewRemoved},
 * {@link #endCompactViews}: three blocks gathered apart and joined into one message of at most about
 * {@link #MAX_BATCH_BYTES}, a head always in the same message as its first entry), or {@code ClientViewBatch} with
 * {@link ServerViewsEncoding#LEGACY} ({@link #beginViews}, {@link #appendView}, {@link #endViews}).
 * <p>
 * Failure model: a message that cannot be offered (back-pressure, not connected) is counted. Control messages
 * (everything but views) must not be lost, so their failure marks the connection broken; Atlas then declares the
 * server dead and fails its territories over (a server that cannot keep up with its control stream is
 * indistinguishable from a dead one). A view batch that fails only makes the next tick resend full views.
 * <p>
 * Threading: Replicant thread only; zero allocation per message.
 */
public final class ServerEgressProxy
{
    public static final int MAX_BATCH_BYTES = 4096;

    /**
     * Window kept free for control messages (grants, handoff prepare and commit, stream-in, evictions): bulk
     * traffic (client views, forwarded input) is not offered while a server's publication has less than this plus a
     * batch open. A game server that falls behind (a starved host) then sees its views and inputs wait, instead of
     * a full window failing a handoff message, which declares the server dead.
     */
    public static final int CONTROL_RESERVE_BYTES = 64 * 1024;
    static final int MAX_GROUP_ENTRIES = 4096;

    private final UnsafeBuffer buffer;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ServerWelcomeEncoder welcomeEncoder = new ServerWelcomeEncoder();
    private final ServerHeartbeatEncoder heartbeatEncoder = new ServerHeartbeatEncoder();
    private final ServerGoodbyeEncoder goodbyeEncoder = new ServerGoodbyeEncoder();
    private final ServerRejectEncoder rejectEncoder = new ServerRejectEncoder();
    private final TerritoryGrantEncoder grantEncoder = new TerritoryGrantEncoder();
    private final TerritoryRevokeEncoder revokeEncoder = new TerritoryRevokeEncoder();
    private final HandoffPrepareEncoder prepareEncoder = new HandoffPrepareEncoder();
    private final HandoffCommitEncoder commitEncoder = new HandoffCommitEncoder();
    private final ForwardedInputEncoder inputEncoder = new ForwardedInputEncoder();
    private final EntityStreamInEncoder streamInEncoder = new EntityStreamInEncoder();
    private final EntityStreamOutEncoder streamOutEncoder = new EntityStreamOutEncoder();
    private final ClientViewBatchEncoder viewEncoder = new ClientViewBatchEncoder();

    private EntityStreamInEncoder.EntitiesEncoder streamEntries;
    private ServerConnection streamTarget;
    private int streamTerritoryId;
    private long streamEpoch;
    private int streamCount;

    private ClientViewBatchEncoder.ViewsEncoder viewEntries;
    private ServerConnection viewTarget;
    private long viewTick;
    private long viewNowNs;
    private int viewCount;

    private final ServerViewsEncoding viewsEncoding;
    private final ClientViewsCompactEncoder compactViewsEncoder = new ClientViewsCompactEncoder();
    private final UnsafeBuffer removedBlock = new UnsafeBuffer(new byte[MAX_BATCH_BYTES]);
    private final UnsafeBuffer headsBlock = new UnsafeBuffer(new byte[MAX_BATCH_BYTES]);
    private final UnsafeBuffer entriesBlock;
    private int removedLength;
    private int headsLength;
    private int entriesLength;
    private int compactFlags;

    private long nowNs;
    private long viewBytesOut;
    private long viewMessagesOut;
    private int viewOffersToFail;
    private long claimGapNs = Long.MAX_VALUE;
    private long messagesOffered;
    private long messagesFailed;
    private long bytesOut;

    /**
     * @param maxStateBytes largest component state of an entity, to size the encoding buffer.
     * @param viewsEncoding how read-only views are sent.
     */
    public ServerEgressProxy(final int maxStateBytes, final ServerViewsEncoding viewsEncoding)
    {
        buffer = new UnsafeBuffer(new byte[Math.max(64 * 1024, 2 * maxStateBytes + 2 * MAX_BATCH_BYTES)]);
        entriesBlock = new UnsafeBuffer(
            new byte[MAX_BATCH_BYTES + CompactUpdates.MAX_ENTRY_BASE_LENGTH + maxStateBytes]);
        this.viewsEncoding = viewsEncoding;
    }

    public ServerViewsEncoding viewsEncoding()
    {
        return viewsEncoding;
    }

    public boolean welcome(
        final ServerConnection connection, final long nowNs, final long entityIdBase, final long entityIdCount,
        final long heartbeatIntervalMs, final long sessionTimeoutMs)
    {
        welcomeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverId(connection.serverId)
            .serverSessionId(connection.serverSessionId)
            .replicationTimeNs(nowNs)
            .entityIdBase(entityIdBase)
            .entityIdCount(entityIdCount)
            .heartbeatIntervalMs(heartbeatIntervalMs)
            .sessionTimeoutMs(sessionTimeoutMs)
            .helloNonce(connection.helloNonce);
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength());
    }

    /**
     * The layer's heartbeat to a welcomed server ({@code ServerHeartbeat}): the server link declares the layer lost
     * when its bound image is silent for longer than its layer timeout. A failed offer is only counted: the next one
     * follows within a heartbeat interval, and a server that cannot take its control stream is failed over anyway.
     */
    public boolean heartbeat(final ServerConnection connection, final long nowNs)
    {
        heartbeatEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverId(connection.serverId)
            .timestampNs(nowNs);
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
    }

    /**
     * The layer's goodbye to a welcomed server on a clean close ({@code ServerGoodbye}, reason {@code shutdown}): its
     * link takes the layer as lost at once and rejoins, instead of waiting for its layer timeout. Best effort: at most
     * {@code attempts} offers, never waiting (closing must not block on a back-pressured server); a server that misses
     * it finds the layer gone by silence or by the image going away, as before.
     *
     * @return whether it was offered.
     */
    public boolean goodbye(final ServerConnection connection, final int attempts)
    {
        goodbyeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverId(connection.serverId)
            .serverSessionId(connection.serverSessionId)
            .reason(DisconnectReason.shutdown);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + goodbyeEncoder.encodedLength();
        for (int i = 0; i < attempts; i++)
        {
            if (offer(connection, length))
            {
                return true;
            }
            final Publication publication = connection.publication;
            if (null == publication || !publication.isConnected() || publication.isClosed())
            {
                return false;
            }
        }
        return false;
    }

    /**
     * A {@code ServerReject}; the text is control-path only (hello refusals), pass null on hot paths.
     */
    public boolean reject(
        final ServerConnection connection, final int serverId, final RejectReason reason, final int templateId,
        final long entityId, final String text)
    {
        return reject(connection, serverId, reason, templateId, entityId, 0, text);
    }

    /**
     * A {@code ServerReject} of a write: {@code rejectedEpoch} is the authority epoch the write carried, so that a
     * server streamed the entity again at a newer epoch since can tell the reject is about its past and keep it.
     */
    public boolean reject(
        final ServerConnection connection, final int serverId, final RejectReason reason, final int templateId,
        final long entityId, final long rejectedEpoch, final String text)
    {
        rejectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverId(serverId)
            .reason(reason)
            .rejectedTemplateId(templateId)
            .entityId(entityId)
            .helloNonce(connection.isActive() ? 0 : connection.helloNonce)
            .rejectedEpoch(rejectedEpoch);
        if (null == text)
        {
            rejectEncoder.putReasonText(buffer, 0, 0);
        }
        else
        {
            rejectEncoder.reasonText(text);
        }
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength());
    }

    public boolean territoryGrant(
        final ServerConnection connection, final ShardConfig.Territory territory, final long epoch)
    {
        return territoryGrant(connection, territory.id, territory.rootZoneId, territory.minX, territory.minY,
            territory.minZ, territory.maxX, territory.maxY, territory.maxZ, epoch);
    }

    /**
     * A {@code TerritoryGrant} with the territory's current box (moved by the balancer) at a new territory epoch.
     */
    public boolean territoryGrant(
        final ServerConnection connection,
        final int territoryId,
        final long rootZoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final long epoch)
    {
        final TerritoryGrantEncoder grant = grantEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .territoryId(territoryId)
            .serverId(connection.serverId)
            .epoch(epoch)
            .rootZoneId(rootZoneId);
        grant.boundsMin().x(minX).y(minY).z(minZ);
        grant.boundsMax().x(maxX).y(maxY).z(maxZ);
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + grantEncoder.encodedLength());
    }

    public boolean territoryRevoke(
        final ServerConnection connection, final int territoryId, final long epoch, final RevokeReason reason)
    {
        revokeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .territoryId(territoryId)
            .serverId(connection.serverId)
            .epoch(epoch)
            .reason(reason);
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + revokeEncoder.encodedLength());
    }

    public boolean handoffPrepare(
        final ServerConnection connection, final long handoffId, final long entityId, final int fromServerId,
        final int toServerId, final int territoryId, final long newEpoch)
    {
        prepareEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .handoffId(handoffId)
            .entityId(entityId)
            .fromServerId(fromServerId)
            .toServerId(toServerId)
            .territoryId(territoryId)
            .newEpoch(newEpoch);
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + prepareEncoder.encodedLength());
    }

    public boolean handoffCommit(
        final ServerConnection connection, final long handoffId, final long entityId, final int fromServerId,
        final int toServerId, final long newEpoch, final long lastDeliveredInputSequence)
    {
        commitEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .handoffId(handoffId)
            .entityId(entityId)
            .fromServerId(fromServerId)
            .toServerId(toServerId)
            .newEpoch(newEpoch)
            .lastDeliveredInputSequence(lastDeliveredInputSequence);
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + commitEncoder.encodedLength());
    }

    /**
     * Hot path: one buffered or live input to the entity's authority.
     */
    public boolean forwardedInput(
        final ServerConnection connection, final long entityId, final long playerId, final long epoch,
        final long inputSequence, final long clientTimestampNs, final long receivedTimeNs, final float moveX,
        final float moveY, final float moveZ, final float aimYaw, final float aimPitch, final int actions)
    {
        if (!hasRoomForBulk(connection))
        {
            messagesFailed++;
            return false;
        }
        final ForwardedInputEncoder input = inputEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .entityId(entityId)
            .playerId(playerId)
            .authorityEpoch(epoch)
            .inputSequence(inputSequence)
            .clientTimestampNs(clientTimestampNs)
            .receivedTimeNs(receivedTimeNs);
        input.move().x(moveX).y(moveY).z(moveZ);
        input.aimYaw(aimYaw).aimPitch(aimPitch);
        buffer.putInt(input.actions().offset(), actions, ByteOrder.LITTLE_ENDIAN);
        return offer(connection, MessageHeaderEncoder.ENCODED_LENGTH + inputEncoder.encodedLength());
    }

    /**
     * Tell a server an entity is gone (a one-entry {@code EntityStreamOut} carrying only id and epoch).
     */
    public boolean evict(
        final ServerConnection connection, final long entityId, final long epoch, final short despawnReason)
    {
        final EntityStreamOutEncoder.EntitiesEncoder entry = streamOutEncoder
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .territoryId(0)
            .epoch(epoch)
            .reason(DespawnReason.get(despawnReason))
            .entitiesCount(1)
            .next()
            .entityId(entityId)
            .archetypeId(0)
            .ownerPlayerId(0)
            .parentZoneId(0);
        entry.position().x(0).y(0).z(0);
        entry.orientation().x(0).y(0).z(0).w(1);
        entry.velocity().x(0).y(0).z(0);
        entry.radius(0).authorityEpoch(epoch).lastAppliedInputSequence(0);
        entry.putComponentState(buffer, 0, 0);
        return offer(connection, streamOutEncoder.limit());
    }

    /**
     * Start an {@code EntityStreamIn} to one server; append entities, then {@link #endStreamIn()}.
     */
    public void beginStreamIn(final ServerConnection connection, final int territoryId, final long epoch)
    {
        streamTarget = connection;
        streamTerritoryId = territoryId;
        streamEpoch = epoch;
        streamCount = 0;
    }

    /**
     * Append the cached state of the entity in {@code slot}, announcing {@code epoch} as its authority epoch and
     * {@code lastAppliedInputSequence} as the last input its new authority must consider applied.
     *
     * @return false if a full part had to be sent and could not be.
     */
    public boolean appendStreamIn(
        final EntityStore store, final int slot, final long epoch, final long lastAppliedInputSequence)
    {
        final int stateLength = store.componentStateLength(slot);
        boolean ok = true;
        if (streamCount > 0 && (streamCount == MAX_GROUP_ENTRIES ||
            streamInEncoder.limit() + EntityStreamInEncoder.EntitiesEncoder.sbeBlockLength() + 2 + stateLength >
            MAX_BATCH_BYTES))
        {
            ok = flushStreamIn();
        }
        if (0 == streamCount)
        {
            streamEntries = streamInEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .territoryId(streamTerritoryId)
                .epoch(streamEpoch)
                .entitiesCount(MAX_GROUP_ENTRIES);
        }
        final EntityStreamInEncoder.EntitiesEncoder entry = streamEntries.next()
            .entityId(store.entityId(slot))
            .archetypeId(store.archetypeId(slot))
            .ownerPlayerId(store.ownerPlayerId(slot))
            .parentZoneId(store.parentZoneId(slot));
        entry.position().x(store.positionX(slot)).y(store.positionY(slot)).z(store.positionZ(slot));
        entry.orientation()
            .x(store.orientationX(slot))
            .y(store.orientationY(slot))
            .z(store.orientationZ(slot))
            .w(store.orientationW(slot));
        entry.velocity().x(store.velocityX(slot)).y(store.velocityY(slot)).z(store.velocityZ(slot));
        entry.radius(store.radius(slot))
            .authorityEpoch(epoch)
            .lastAppliedInputSequence(lastAppliedInputSequence);
        entry.putComponentState(store.componentStateBuffer(), store.componentStateOffset(slot), stateLength);
        streamCount++;
        return ok;
    }

    /**
     * @return false if the last part could not be sent.
     */
    public boolean endStreamIn()
    {
        final boolean ok = 0 == streamCount || flushStreamIn();
        streamTarget = null;
        return ok;
    }

    private boolean flushStreamIn()
    {
        streamEntries.resetCountToIndex();
        streamCount = 0;
        return offer(streamTarget, streamInEncoder.limit());
    }

    /**
     * Start this tick's {@code ClientViewBatch} for one server.
     */
    public void beginViews(final ServerConnection connection, final long tick, final long nowNs)
    {
        viewTarget = connection;
        viewTick = tick;
        viewNowNs = nowNs;
        viewCount = 0;
    }

    /**
     * Append a view of the entity in {@code slot}.
     *
     * @return false if a full part had to be sent and could not be.
     */
    public boolean appendView(final EntityStore store, final int slot, final int ownerServerId, final int changedMask)
    {
        final int stateLength = 0 != (changedMask & EntityStore.COMPONENT_STATE) ?
            store.componentStateLength(slot) : 0;
        boolean ok = true;
        if (viewCount > 0 && (viewCount == MAX_GROUP_ENTRIES ||
            viewEncoder.limit() + ClientViewBatchEncoder.ViewsEncoder.sbeBlockLength() + 2 + stateLength >
            MAX_BATCH_BYTES))
        {
            ok = flushViews(null, 0, 0);
        }
        if (0 == viewCount)
        {
            viewEntries = viewEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .tick(viewTick)
                .serverTimeNs(viewNowNs)
                .viewsCount(MAX_GROUP_ENTRIES);
        }
        final ClientViewBatchEncoder.ViewsEncoder entry = viewEntries.next()
            .entityId(store.entityId(slot))
            .archetypeId(store.archetypeId(slot))
            .ownerServerId(ownerServerId);
        buffer.putShort(entry.changed().offset(), (short)changedMask, ByteOrder.LITTLE_ENDIAN);
        entry.parentZoneId(store.parentZoneId(slot));
        entry.position().x(store.positionX(slot)).y(store.positionY(slot)).z(store.positionZ(slot));
        entry.orientation()
            .x(store.orientationX(slot))
            .y(store.orientationY(slot))
            .z(store.orientationZ(slot))
            .w(store.orientationW(slot));
        entry.velocity().x(store.velocityX(slot)).y(store.velocityY(slot)).z(store.velocityZ(slot));
        entry.radius(store.radius(slot)).authorityEpoch(store.authorityEpoch(slot));
        entry.putComponentState(store.componentStateBuffer(), store.componentStateOffset(slot), stateLength);
        viewCount++;
        return ok;
    }

    /**
     * Send what is batched plus the ids of views that left the margin.
     *
     * @return false if something could not be sent.
     */
    public boolean endViews(final long[] removedIds, final int removedCount)
    {
        boolean ok = true;
        int index = 0;
        final int perMessage = (MAX_BATCH_BYTES - 64) / ClientViewBatchEncoder.RemovedEncoder.sbeBlockLength();
        do
        {
            final int count = Math.min(perMessage, removedCount - index);
            if (viewCount > 0 || count > 0)
            {
                ok &= flushViews(removedIds, index, count);
            }
            index += count;
        }
        while (index < removedCount);
        viewTarget = null;
        return ok;
    }

    private boolean flushViews(final long[] removedIds, final int from, final int count)
    {
        if (0 == viewCount)
        {
            viewEntries = viewEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .tick(viewTick)
                .serverTimeNs(viewNowNs)
                .viewsCount(0);
        }
        else
        {
            viewEntries.resetCountToIndex();
        }
        final ClientViewBatchEncoder.RemovedEncoder removed = viewEncoder.removedCount(count);
        for (int i = 0; i < count; i++)
        {
            removed.next().entityId(removedIds[from + i]);
        }
        viewCount = 0;
        return offerView(viewEncoder.limit());
    }

    /**
     * Start this tick's {@code ClientViewsCompact} for one server; the first message carries
     * {@link CompactViews#RESET} if the server's views were reset.
     */
    public void beginCompactViews(final ServerConnection connection, final long tick)
    {
        viewTarget = connection;
        viewTick = tick;
        removedLength = 0;
        headsLength = 0;
        entriesLength = 0;
        compactFlags = connection.viewHandles.resetPending ? CompactViews.RESET : 0;
    }

    /**
     * Append a view: a head first if {@code withHead} (an entity entering the view, or a new owner), then the
     * fields of {@code changedMask} that differ from the server's baseline, through {@code writer}.
     *
     * @return false if a full message had to be sent and could not be.
     */
    public boolean appendCompactView(
        final CompactUpdateWriter writer,
        final CompactBaselines baselines,
        final int handle,
        final EntityStore store,
        final int slot,
        final int changedMask,
        final boolean withHead,
        final int ownerServerId)
    {
        final int stateLength = 0 != (changedMask & EntityStore.COMPONENT_STATE) ?
            store.componentStateLength(slot) : 0;
        final boolean ok = roomForCompact(
            (withHead ? CompactViews.MAX_HEAD_LENGTH : 0) + CompactUpdates.MAX_ENTRY_BASE_LENGTH + stateLength);
        if (withHead)
        {
            headsLength = CompactViews.putHead(
                headsBlock, headsLength, handle, store.entityId(slot), store.archetypeId(slot), ownerServerId);
        }
        if (0 != changedMask)
        {
            entriesLength = writer.writeEntry(
                entriesBlock, entriesLength, baselines, handle, store, slot, changedMask, false);
        }
        return ok;
    }

    /**
     * Append the removal of a view that left.
     *
     * @return false if a full message had to be sent and could not be.
     */
    public boolean appendViewRemoved(final int handle)
    {
        final boolean ok = roomForCompact(CompactViews.MAX_REMOVED_LENGTH);
        removedLength = CompactViews.putRemoved(removedBlock, removedLength, handle);
        return ok;
    }

    /**
     * Send what is gathered (or the reset alone).
     *
     * @return false if it could not be sent.
     */
    public boolean endCompactViews()
    {
        final boolean ok = 0 == removedLength + headsLength + entriesLength && 0 == compactFlags ||
            flushCompactViews();
        viewTarget = null;
        return ok;
    }

    private boolean roomForCompact(final int length)
    {
        final int gathered = removedLength + headsLength + entriesLength;
        return 0 == gathered || CompactViews.MESSAGE_OVERHEAD + gathered + length <= MAX_BATCH_BYTES ||
            flushCompactViews();
    }

    private boolean flushCompactViews()
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + compactViewsEncoder
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .tick(viewTick & 0xFFFF_FFFFL)
            .flags((short)compactFlags)
            .putRemoved(removedBlock, 0, removedLength)
            .putHeads(headsBlock, 0, headsLength)
            .putEntries(entriesBlock, 0, entriesLength)
            .encodedLength();
        removedLength = 0;
        headsLength = 0;
        entriesLength = 0;
        final boolean ok = offerView(length);
        if (ok && 0 != compactFlags)
        {
            viewTarget.viewHandles.resetPending = false;
        }
        compactFlags = 0;
        return ok;
    }

    /**
     * For tests: the next {@code count} view messages are refused as a back-pressured publication would refuse
     * them (not offered, counted as failed).
     */
    void failViewOffers(final int count)
    {
        viewOffersToFail = count;
    }

    private boolean offerView(final int length)
    {
        if (viewOffersToFail > 0)
        {
            viewOffersToFail--;
            messagesFailed++;
            return false;
        }
        final boolean ok = offer(viewTarget, length);
        if (ok)
        {
            viewMessagesOut++;
            viewBytesOut += length;
        }
        return ok;
    }

    /**
     * @return bytes of view messages offered successfully, either encoding.
     */
    public long viewBytesOut()
    {
        return viewBytesOut;
    }

    /**
     * @return view messages offered successfully, either encoding.
     */
    public long viewMessagesOut()
    {
        return viewMessagesOut;
    }

    /**
     * The layer's time, for {@link ServerConnection#lastOfferOkNs}.
     */
    public void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    /**
     * A gap longer than this between successful offers to a server suspends the claims of its session: the server
     * link gives a layer up after hearing nothing for at least three layer heartbeat intervals, so Atlas passes two.
     */
    public void claimGapNs(final long claimGapNs)
    {
        this.claimGapNs = claimGapNs;
    }

    public long messagesOffered()
    {
        return messagesOffered;
    }

    public long messagesFailed()
    {
        return messagesFailed;
    }

    public long bytesOut()
    {
        return bytesOut;
    }

    /**
     * Whether bulk traffic (views, forwarded input) may be offered to the server: its publication has more than
     * {@link #CONTROL_RESERVE_BYTES} (at most an eighth of its term, so a server that asked for a small term still
     * gets bulk traffic) plus a batch of window open.
     */
    public boolean hasRoomForBulk(final ServerConnection connection)
    {
        final Publication publication = connection.publication;
        return null != publication && publication.availableWindow() >=
            Math.min(CONTROL_RESERVE_BYTES, publication.termBufferLength() >> 3) + MAX_BATCH_BYTES;
    }

    private boolean offer(final ServerConnection connection, final int length)
    {
        return offer(connection, buffer, length);
    }

    private boolean offer(final ServerConnection connection, final DirectBuffer source, final int length)
    {
        if (null == connection.publication)
        {
            messagesFailed++;
            return false;
        }
        if (Publications.offer(connection.publication, source, 0, length) > 0)
        {
            if (nowNs - connection.lastOfferOkNs > claimGapNs)
            {
                connection.claimsSuspended = true;
            }
            connection.lastOfferOkNs = nowNs;
            messagesOffered++;
            bytesOut += length;
            return true;
        }
        messagesFailed++;
        return false;
    }
}
