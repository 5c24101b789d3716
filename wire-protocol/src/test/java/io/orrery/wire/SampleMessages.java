/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ClientViewBatchEncoder;
import io.orrery.wire.codec.ClientViewsCompactEncoder;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.EntityCreateRequestEncoder;
import io.orrery.wire.codec.EntityDespawnEncoder;
import io.orrery.wire.codec.EntityDestroyRequestEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityStateBatchEncoder;
import io.orrery.wire.codec.EntityStreamInEncoder;
import io.orrery.wire.codec.EntityStreamOutEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.ForwardedInputEncoder;
import io.orrery.wire.codec.HandoffAcceptEncoder;
import io.orrery.wire.codec.HandoffCommitEncoder;
import io.orrery.wire.codec.HandoffPrepareEncoder;
import io.orrery.wire.codec.HeartbeatEncoder;
import io.orrery.wire.codec.HelloEncoder;
import io.orrery.wire.codec.LoadReportEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.OperationStatus;
import io.orrery.wire.codec.PlayerInputEncoder;
import io.orrery.wire.codec.RejectEncoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.ReputationChangeResultEncoder;
import io.orrery.wire.codec.ReplicantResetEncoder;
import io.orrery.wire.codec.TimeDilationEncoder;
import io.orrery.wire.codec.RevokeReason;
import io.orrery.wire.codec.ServerGoodbyeEncoder;
import io.orrery.wire.codec.ServerHeartbeatEncoder;
import io.orrery.wire.codec.ServerTickEndEncoder;
import io.orrery.wire.codec.ServerHelloEncoder;
import io.orrery.wire.codec.ServerRejectEncoder;
import io.orrery.wire.codec.ServerWelcomeEncoder;
import io.orrery.wire.codec.StowRequestEncoder;
import io.orrery.wire.codec.StowResultEncoder;
import io.orrery.wire.codec.TerritoryGrantEncoder;
import io.orrery.wire.codec.TerritoryRevokeEncoder;
import io.orrery.wire.codec.UnstowRequestEncoder;
import io.orrery.wire.codec.WalletChangeResultEncoder;
import io.orrery.wire.codec.WelcomeEncoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.orrery.wire.BoundaryValues.ASCII;
import static io.orrery.wire.BoundaryValues.BINARY;
import static io.orrery.wire.BoundaryValues.valid;

/**
 * Encodes any message of the schema with every field set from {@link BoundaryValues}, in schema order. The shape of
 * the variable part is given by {@code count} (entries in every group) and {@code varLength} (length of every
 * top-level var-data field; entry {@code i} of a group carries {@link #entryVarLength(int, int)} bytes).
 * {@link DecodedMessages} replays the same values to check a decode.
 * <p>
 * Threading: one instance per thread (the encoders are reused flyweights).
 */
final class SampleMessages
{
    static final int[] TEMPLATE_IDS =
    {
        HelloEncoder.TEMPLATE_ID, WelcomeEncoder.TEMPLATE_ID, RejectEncoder.TEMPLATE_ID, HeartbeatEncoder.TEMPLATE_ID,
        DisconnectEncoder.TEMPLATE_ID, PlayerInputEncoder.TEMPLATE_ID, EntitySpawnEncoder.TEMPLATE_ID,
        EntityUpdateBatchEncoder.TEMPLATE_ID, EntityDespawnEncoder.TEMPLATE_ID, StowRequestEncoder.TEMPLATE_ID,
        UnstowRequestEncoder.TEMPLATE_ID, StowResultEncoder.TEMPLATE_ID, WalletChangeResultEncoder.TEMPLATE_ID,
        ReputationChangeResultEncoder.TEMPLATE_ID, ServerHelloEncoder.TEMPLATE_ID, ServerWelcomeEncoder.TEMPLATE_ID,
        ServerRejectEncoder.TEMPLATE_ID, LoadReportEncoder.TEMPLATE_ID, TerritoryGrantEncoder.TEMPLATE_ID,
        TerritoryRevokeEncoder.TEMPLATE_ID, HandoffPrepareEncoder.TEMPLATE_ID, HandoffAcceptEncoder.TEMPLATE_ID,
        HandoffCommitEncoder.TEMPLATE_ID, EntityStreamInEncoder.TEMPLATE_ID, EntityStreamOutEncoder.TEMPLATE_ID,
        ForwardedInputEncoder.TEMPLATE_ID, EntityStateBatchEncoder.TEMPLATE_ID, EntityCreateRequestEncoder.TEMPLATE_ID,
        EntityDestroyRequestEncoder.TEMPLATE_ID, ClientViewBatchEncoder.TEMPLATE_ID, ServerHeartbeatEncoder.TEMPLATE_ID,
        EntityUpdatesCompactEncoder.TEMPLATE_ID, ServerTickEndEncoder.TEMPLATE_ID, TimeDilationEncoder.TEMPLATE_ID,
        ClientViewsCompactEncoder.TEMPLATE_ID, ReplicantResetEncoder.TEMPLATE_ID, ServerGoodbyeEncoder.TEMPLATE_ID,
    };

    static final String[] NAMES =
    {
        "Hello", "Welcome", "Reject", "Heartbeat", "Disconnect", "PlayerInput", "EntitySpawn", "EntityUpdateBatch",
        "EntityDespawn", "StowRequest", "UnstowRequest", "StowResult", "WalletChangeResult", "ReputationChangeResult",
        "ServerHello", "ServerWelcome", "ServerReject", "LoadReport", "TerritoryGrant", "TerritoryRevoke",
        "HandoffPrepare", "HandoffAccept", "HandoffCommit", "EntityStreamIn", "EntityStreamOut", "ForwardedInput",
        "EntityStateBatch", "EntityCreateRequest", "EntityDestroyRequest", "ClientViewBatch", "ServerHeartbeat",
        "EntityUpdatesCompact", "ServerTickEnd", "TimeDilation", "ClientViewsCompact", "ReplicantReset",
        "ServerGoodbye",
    };

    /**
     * Templates with at least one repeating group.
     */
    static final int[] GROUP_TEMPLATE_IDS =
    {
        EntityUpdateBatchEncoder.TEMPLATE_ID, EntityStreamInEncoder.TEMPLATE_ID, EntityStreamOutEncoder.TEMPLATE_ID,
        EntityStateBatchEncoder.TEMPLATE_ID, ClientViewBatchEncoder.TEMPLATE_ID,
    };

    /**
     * Templates with top-level var data and no group.
     */
    static final int[] VAR_DATA_TEMPLATE_IDS =
    {
        HelloEncoder.TEMPLATE_ID, RejectEncoder.TEMPLATE_ID, EntitySpawnEncoder.TEMPLATE_ID,
        ServerHelloEncoder.TEMPLATE_ID, ServerRejectEncoder.TEMPLATE_ID, EntityCreateRequestEncoder.TEMPLATE_ID,
    };

    static final RejectReason[] REJECT_REASONS = valid(RejectReason.values());
    static final DisconnectReason[] DISCONNECT_REASONS = valid(DisconnectReason.values());
    static final DespawnReason[] DESPAWN_REASONS = valid(DespawnReason.values());
    static final OperationStatus[] OPERATION_STATUSES = valid(OperationStatus.values());
    static final RevokeReason[] REVOKE_REASONS = valid(RevokeReason.values());

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final HelloEncoder hello = new HelloEncoder();
    private final WelcomeEncoder welcome = new WelcomeEncoder();
    private final RejectEncoder reject = new RejectEncoder();
    private final HeartbeatEncoder heartbeat = new HeartbeatEncoder();
    private final TimeDilationEncoder timeDilation = new TimeDilationEncoder();
    private final ReplicantResetEncoder replicantReset = new ReplicantResetEncoder();
    private final DisconnectEncoder disconnect = new DisconnectEncoder();
    private final PlayerInputEncoder playerInput = new PlayerInputEncoder();
    private final EntitySpawnEncoder spawn = new EntitySpawnEncoder();
    private final EntityUpdateBatchEncoder updateBatch = new EntityUpdateBatchEncoder();
    private final EntityDespawnEncoder despawn = new EntityDespawnEncoder();
    private final EntityUpdatesCompactEncoder compact = new EntityUpdatesCompactEncoder();
    private final UnsafeBuffer entries = new UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH]);
    private final StowRequestEncoder stowRequest = new StowRequestEncoder();
    private final UnstowRequestEncoder unstowRequest = new UnstowRequestEncoder();
    private final StowResultEncoder stowResult = new StowResultEncoder();
    private final WalletChangeResultEncoder walletResult = new WalletChangeResultEncoder();
    private final ReputationChangeResultEncoder reputationResult = new ReputationChangeResultEncoder();
    private final ServerHelloEncoder serverHello = new ServerHelloEncoder();
    private final ServerWelcomeEncoder serverWelcome = new ServerWelcomeEncoder();
    private final ServerRejectEncoder serverReject = new ServerRejectEncoder();
    private final LoadReportEncoder loadReport = new LoadReportEncoder();
    private final TerritoryGrantEncoder territoryGrant = new TerritoryGrantEncoder();
    private final TerritoryRevokeEncoder territoryRevoke = new TerritoryRevokeEncoder();
    private final HandoffPrepareEncoder handoffPrepare = new HandoffPrepareEncoder();
    private final HandoffAcceptEncoder handoffAccept = new HandoffAcceptEncoder();
    private final HandoffCommitEncoder handoffCommit = new HandoffCommitEncoder();
    private final EntityStreamInEncoder streamIn = new EntityStreamInEncoder();
    private final EntityStreamOutEncoder streamOut = new EntityStreamOutEncoder();
    private final ForwardedInputEncoder forwardedInput = new ForwardedInputEncoder();
    private final EntityStateBatchEncoder stateBatch = new EntityStateBatchEncoder();
    private final EntityCreateRequestEncoder createRequest = new EntityCreateRequestEncoder();
    private final EntityDestroyRequestEncoder destroyRequest = new EntityDestroyRequestEncoder();
    private final ClientViewBatchEncoder viewBatch = new ClientViewBatchEncoder();
    private final ClientViewsCompactEncoder compactViews = new ClientViewsCompactEncoder();
    private final UnsafeBuffer removedBlock = new UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH]);
    private final UnsafeBuffer headsBlock = new UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH]);
    private final ServerHeartbeatEncoder serverHeartbeat = new ServerHeartbeatEncoder();
    private final ServerTickEndEncoder serverTickEnd = new ServerTickEndEncoder();
    private final ServerGoodbyeEncoder serverGoodbye = new ServerGoodbyeEncoder();

    static String name(final int templateId)
    {
        for (int i = 0; i < TEMPLATE_IDS.length; i++)
        {
            if (TEMPLATE_IDS[i] == templateId)
            {
                return NAMES[i];
            }
        }

        return "template " + templateId;
    }

    /**
     * Var-data length of entry {@code i} of a group: {@code varLength} for even entries, a few bytes for odd ones.
     */
    static int entryVarLength(final int varLength, final int i)
    {
        return (i & 1) == 0 ? varLength : i % 7;
    }

    /**
     * Encode a message, header included.
     *
     * @return the encoded length.
     */
    int encode(
        final int templateId,
        final MutableDirectBuffer buffer,
        final int offset,
        final int variant,
        final int count,
        final int varLength)
    {
        final BoundaryValues v = new BoundaryValues(variant);
        final int bodyLength;
        switch (templateId)
        {
            case HelloEncoder.TEMPLATE_ID:
            {
                final HelloEncoder e = hello.wrapAndApplyHeader(buffer, offset, header)
                    .protocolVersion(v.nextUint16())
                    .responseStreamId(v.nextInt())
                    .clientCorrelationId(v.nextLong())
                    .clientTimestampNs(v.nextLong());
                e.putAuthToken(BINARY, v.nextPatternOffset(), varLength);
                e.putResponseChannel(ASCII, v.nextPatternOffset(), varLength);
                bodyLength = e.encodedLength();
                break;
            }
            case WelcomeEncoder.TEMPLATE_ID:
                bodyLength = welcome.wrapAndApplyHeader(buffer, offset, header)
                    .clientCorrelationId(v.nextLong())
                    .sessionId(v.nextLong())
                    .playerEntityId(v.nextLong())
                    .serverTimeNs(v.nextLong())
                    .tickRateHz(v.nextUint16())
                    .updateRateHz(v.nextUint16())
                    .maxInputRateHz(v.nextUint16())
                    .heartbeatIntervalMs(v.nextUint32())
                    .sessionTimeoutMs(v.nextUint32())
                    .bandwidthBytesPerTick(v.nextUint32())
                    .encodedLength();
                break;
            case RejectEncoder.TEMPLATE_ID:
                bodyLength = reject.wrapAndApplyHeader(buffer, offset, header)
                    .clientCorrelationId(v.nextLong())
                    .sessionId(v.nextLong())
                    .reason(v.nextOf(REJECT_REASONS))
                    .rejectedTemplateId(v.nextUint16())
                    .putReasonText(ASCII, v.nextPatternOffset(), varLength)
                    .encodedLength();
                break;
            case ReplicantResetEncoder.TEMPLATE_ID:
                bodyLength = replicantReset.wrapAndApplyHeader(buffer, offset, header)
                    .replicantId(v.nextUint8())
                    .encodedLength();
                break;
            case TimeDilationEncoder.TEMPLATE_ID:
                bodyLength = timeDilation.wrapAndApplyHeader(buffer, offset, header)
                    .timeDilationPerMille(timeDilationPerMille(v))
                    .serverId(v.nextInt())
                    .encodedLength();
                break;
            case HeartbeatEncoder.TEMPLATE_ID:
                bodyLength = heartbeat.wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(v.nextLong())
                    .timestampNs(v.nextLong())
                    .encodedLength();
                break;
            case DisconnectEncoder.TEMPLATE_ID:
                bodyLength = disconnect.wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(v.nextLong())
                    .reason(v.nextOf(DISCONNECT_REASONS))
                    .encodedLength();
                break;
            case PlayerInputEncoder.TEMPLATE_ID:
                bodyLength = encodePlayerInput(buffer, offset, v);
                break;
            case EntitySpawnEncoder.TEMPLATE_ID:
                bodyLength = encodeSpawn(buffer, offset, v, varLength);
                break;
            case EntityUpdateBatchEncoder.TEMPLATE_ID:
                bodyLength = encodeUpdateBatch(buffer, offset, v, count, varLength);
                break;
            case EntityUpdatesCompactEncoder.TEMPLATE_ID:
            {
                final int entriesLength = encodeCompactEntries(entries, v, count, varLength);
                bodyLength = compact.wrapAndApplyHeader(buffer, offset, header)
                    .tick(v.nextInt() & 0xFFFF_FFFFL)
                    .putEntries(entries, 0, entriesLength)
                    .encodedLength();
                break;
            }
            case ClientViewsCompactEncoder.TEMPLATE_ID:
            {
                final int removedLength = encodeCompactViewRemoved(removedBlock, count);
                final int headsLength = encodeCompactViewHeads(headsBlock, v, count);
                final int entriesLength = encodeCompactEntries(entries, v, count, varLength);
                bodyLength = compactViews.wrapAndApplyHeader(buffer, offset, header)
                    .tick(v.nextInt() & 0xFFFF_FFFFL)
                    .flags((short)(v.nextInt() & CompactViews.RESET))
                    .putRemoved(removedBlock, 0, removedLength)
                    .putHeads(headsBlock, 0, headsLength)
                    .putEntries(entries, 0, entriesLength)
                    .encodedLength();
                break;
            }
            case EntityDespawnEncoder.TEMPLATE_ID:
                bodyLength = despawn.wrapAndApplyHeader(buffer, offset, header)
                    .entityId(v.nextLong())
                    .reason(v.nextOf(DESPAWN_REASONS))
                    .serverTimeNs(v.nextLong())
                    .encodedLength();
                break;
            case StowRequestEncoder.TEMPLATE_ID:
                bodyLength = stowRequest.wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(v.nextLong())
                    .operationId(v.nextLong())
                    .itemEntityId(v.nextLong())
                    .containerId(v.nextLong())
                    .encodedLength();
                break;
            case UnstowRequestEncoder.TEMPLATE_ID:
            {
                final UnstowRequestEncoder e = unstowRequest.wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(v.nextLong())
                    .operationId(v.nextLong())
                    .itemEntityId(v.nextLong())
                    .parentZoneId(v.nextLong());
                v.put(e.position());
                bodyLength = e.encodedLength();
                break;
            }
            case StowResultEncoder.TEMPLATE_ID:
                bodyLength = stowResult.wrapAndApplyHeader(buffer, offset, header)
                    .operationId(v.nextLong())
                    .itemEntityId(v.nextLong())
                    .stowed(v.nextUint8())
                    .status(v.nextOf(OPERATION_STATUSES))
                    .encodedLength();
                break;
            case WalletChangeResultEncoder.TEMPLATE_ID:
                bodyLength = walletResult.wrapAndApplyHeader(buffer, offset, header)
                    .operationId(v.nextLong())
                    .ownerId(v.nextLong())
                    .currencyId(v.nextInt())
                    .delta(v.nextLong())
                    .balance(v.nextLong())
                    .status(v.nextOf(OPERATION_STATUSES))
                    .encodedLength();
                break;
            case ReputationChangeResultEncoder.TEMPLATE_ID:
                bodyLength = reputationResult.wrapAndApplyHeader(buffer, offset, header)
                    .operationId(v.nextLong())
                    .ownerId(v.nextLong())
                    .factionId(v.nextInt())
                    .delta(v.nextLong())
                    .standing(v.nextLong())
                    .status(v.nextOf(OPERATION_STATUSES))
                    .encodedLength();
                break;
            default:
                bodyLength = encodeServerMessage(templateId, buffer, offset, v, count, varLength);
                break;
        }

        return MessageFraming.HEADER_LENGTH + bodyLength;
    }

    private int encodeServerMessage(
        final int templateId,
        final MutableDirectBuffer buffer,
        final int offset,
        final BoundaryValues v,
        final int count,
        final int varLength)
    {
        switch (templateId)
        {
            case ServerHelloEncoder.TEMPLATE_ID:
            {
                final ServerHelloEncoder e = serverHello.wrapAndApplyHeader(buffer, offset, header)
                    .protocolVersion(v.nextUint16())
                    .serverId(v.nextInt())
                    .responseStreamId(v.nextInt())
                    .tickRateHz(v.nextUint16())
                    .maxEntities(v.nextInt())
                    .serverTimestampNs(v.nextLong());
                e.putAuthToken(BINARY, v.nextPatternOffset(), varLength);
                e.putResponseChannel(ASCII, v.nextPatternOffset(), varLength);
                return e.encodedLength();
            }
            case ServerWelcomeEncoder.TEMPLATE_ID:
                return serverWelcome.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .serverSessionId(v.nextLong())
                    .replicationTimeNs(v.nextLong())
                    .entityIdBase(v.nextLong())
                    .entityIdCount(v.nextLong())
                    .heartbeatIntervalMs(v.nextUint32())
                    .sessionTimeoutMs(v.nextUint32())
                    .encodedLength();
            case ServerRejectEncoder.TEMPLATE_ID:
                return serverReject.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .reason(v.nextOf(REJECT_REASONS))
                    .rejectedTemplateId(v.nextUint16())
                    .entityId(v.nextLong())
                    .putReasonText(ASCII, v.nextPatternOffset(), varLength)
                    .encodedLength();
            case LoadReportEncoder.TEMPLATE_ID:
                return loadReport.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .serverTimestampNs(v.nextLong())
                    .tick(v.nextLong())
                    .entityCount(v.nextInt())
                    .playerCount(v.nextInt())
                    .tickTimeP50Ns(v.nextLong())
                    .tickTimeMaxNs(v.nextLong())
                    .cpuLoad(v.nextFloat())
                    .timeDilationPerMille(timeDilationPerMille(v))
                    .encodedLength();
            case TerritoryGrantEncoder.TEMPLATE_ID:
            {
                final TerritoryGrantEncoder e = territoryGrant.wrapAndApplyHeader(buffer, offset, header)
                    .territoryId(v.nextInt())
                    .serverId(v.nextInt())
                    .epoch(v.nextLong())
                    .rootZoneId(v.nextLong());
                v.put(e.boundsMin());
                v.put(e.boundsMax());
                return e.encodedLength();
            }
            case TerritoryRevokeEncoder.TEMPLATE_ID:
                return territoryRevoke.wrapAndApplyHeader(buffer, offset, header)
                    .territoryId(v.nextInt())
                    .serverId(v.nextInt())
                    .epoch(v.nextLong())
                    .reason(v.nextOf(REVOKE_REASONS))
                    .encodedLength();
            case HandoffPrepareEncoder.TEMPLATE_ID:
                return handoffPrepare.wrapAndApplyHeader(buffer, offset, header)
                    .handoffId(v.nextLong())
                    .entityId(v.nextLong())
                    .fromServerId(v.nextInt())
                    .toServerId(v.nextInt())
                    .territoryId(v.nextInt())
                    .newEpoch(v.nextLong())
                    .encodedLength();
            case HandoffAcceptEncoder.TEMPLATE_ID:
                return handoffAccept.wrapAndApplyHeader(buffer, offset, header)
                    .handoffId(v.nextLong())
                    .entityId(v.nextLong())
                    .serverId(v.nextInt())
                    .newEpoch(v.nextLong())
                    .encodedLength();
            case HandoffCommitEncoder.TEMPLATE_ID:
                return handoffCommit.wrapAndApplyHeader(buffer, offset, header)
                    .handoffId(v.nextLong())
                    .entityId(v.nextLong())
                    .fromServerId(v.nextInt())
                    .toServerId(v.nextInt())
                    .newEpoch(v.nextLong())
                    .lastDeliveredInputSequence(v.nextLong())
                    .encodedLength();
            case EntityStreamInEncoder.TEMPLATE_ID:
                return encodeStreamIn(buffer, offset, v, count, varLength);
            case EntityStreamOutEncoder.TEMPLATE_ID:
                return encodeStreamOut(buffer, offset, v, count, varLength);
            case ForwardedInputEncoder.TEMPLATE_ID:
            {
                final ForwardedInputEncoder e = forwardedInput.wrapAndApplyHeader(buffer, offset, header)
                    .entityId(v.nextLong())
                    .playerId(v.nextLong())
                    .authorityEpoch(v.nextLong())
                    .inputSequence(v.nextLong())
                    .clientTimestampNs(v.nextLong())
                    .receivedTimeNs(v.nextLong());
                v.put(e.move());
                e.aimYaw(v.nextFloat()).aimPitch(v.nextFloat());
                v.put(e.actions());
                return e.encodedLength();
            }
            case EntityStateBatchEncoder.TEMPLATE_ID:
                return encodeStateBatch(buffer, offset, v, count, varLength);
            case EntityCreateRequestEncoder.TEMPLATE_ID:
            {
                final EntityCreateRequestEncoder e = createRequest.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .entityId(v.nextLong())
                    .archetypeId(v.nextInt())
                    .ownerPlayerId(v.nextLong())
                    .parentZoneId(v.nextLong());
                v.put(e.position());
                v.put(e.orientation());
                v.put(e.velocity());
                e.radius(v.nextFloat()).isZone(v.nextUint8());
                e.putComponentState(BINARY, v.nextPatternOffset(), varLength);
                return e.encodedLength();
            }
            case EntityDestroyRequestEncoder.TEMPLATE_ID:
                return destroyRequest.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .entityId(v.nextLong())
                    .authorityEpoch(v.nextLong())
                    .encodedLength();
            case ClientViewBatchEncoder.TEMPLATE_ID:
                return encodeViewBatch(buffer, offset, v, count, varLength);
            case ServerHeartbeatEncoder.TEMPLATE_ID:
                return serverHeartbeat.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .timestampNs(v.nextLong())
                    .encodedLength();
            case ServerTickEndEncoder.TEMPLATE_ID:
                return serverTickEnd.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .tick(v.nextLong())
                    .serverTimeNs(v.nextLong())
                    .encodedLength();
            case ServerGoodbyeEncoder.TEMPLATE_ID:
                return serverGoodbye.wrapAndApplyHeader(buffer, offset, header)
                    .serverId(v.nextInt())
                    .serverSessionId(v.nextLong())
                    .reason(v.nextOf(DISCONNECT_REASONS))
                    .encodedLength();
            default:
                throw new IllegalArgumentException("no sample for template " + templateId);
        }
    }

    private int encodePlayerInput(final MutableDirectBuffer buffer, final int offset, final BoundaryValues v)
    {
        final PlayerInputEncoder e = playerInput.wrapAndApplyHeader(buffer, offset, header)
            .sessionId(v.nextLong())
            .entityId(v.nextLong())
            .inputSequence(v.nextLong())
            .clientTimestampNs(v.nextLong());
        v.put(e.move());
        e.aimYaw(v.nextFloat()).aimPitch(v.nextFloat());
        v.put(e.actions());
        return e.encodedLength();
    }

    private int encodeSpawn(
        final MutableDirectBuffer buffer, final int offset, final BoundaryValues v, final int varLength)
    {
        final EntitySpawnEncoder e = spawn.wrapAndApplyHeader(buffer, offset, header)
            .entityId(v.nextLong())
            .archetypeId(v.nextInt())
            .parentZoneId(v.nextLong());
        v.put(e.position());
        v.put(e.orientation());
        v.put(e.velocity());
        e.radius(v.nextFloat())
            .authorityEpoch(v.nextLong())
            .lastAppliedInputSequence(v.nextLong())
            .serverTimeNs(v.nextLong())
            .updateHandle(v.nextInt())
            .putComponentState(BINARY, v.nextPatternOffset(), varLength);
        return e.encodedLength();
    }

    /**
     * Packed compact entries: {@code max(count, 1)} entries (as many as fit the block), every field present, the
     * first carrying {@code varLength} bytes of component state (capped to fit), then values from {@code v}.
     *
     * @return bytes written.
     */
    static int encodeCompactEntries(
        final MutableDirectBuffer entries, final BoundaryValues v, final int count, final int varLength)
    {
        final int capacity = MessageLayouts.MAX_COMPACT_ENTRIES_LENGTH;
        final int stateLength = Math.min(varLength, capacity - CompactUpdates.MAX_ENTRY_BASE_LENGTH);
        int position = 0;
        for (int i = 0, n = Math.max(count, 1); i < n; i++)
        {
            final int mask = 0 == i ? 0xFF : 0xFF & ~CompactUpdates.COMPONENT_STATE;
            final int length = 0 == i ? stateLength : 0;
            if (position + CompactUpdates.MAX_ENTRY_BASE_LENGTH + length > capacity)
            {
                break;
            }
            position = CompactUpdates.putVarUInt(entries, position, i % (CompactUpdates.MAX_HANDLE + 1));
            entries.putByte(position++, (byte)mask);
            position = CompactUpdates.putVarSInt(entries, position, v.nextLong());
            position = CompactUpdates.putVarSInt(entries, position, v.nextLong());
            position = CompactUpdates.putVarSInt(entries, position, v.nextLong());
            position = CompactUpdates.putVarSInt(entries, position, v.nextInt());
            position = CompactUpdates.putVarSInt(entries, position, v.nextInt());
            position = CompactUpdates.putVarSInt(entries, position, v.nextInt());
            entries.putInt(position, v.nextInt(), java.nio.ByteOrder.LITTLE_ENDIAN);
            position += 4;
            entries.putFloat(position, v.nextFloat(), java.nio.ByteOrder.LITTLE_ENDIAN);
            position += 4;
            position = CompactUpdates.putVarUInt(entries, position, v.nextLong());
            if (0 != (mask & CompactUpdates.COMPONENT_STATE))
            {
                position = CompactUpdates.putVarUInt(entries, position, length);
                entries.putBytes(position, BINARY, v.nextPatternOffset(), length);
                position += length;
            }
            position = CompactUpdates.putVarSInt(entries, position, v.nextLong());
            position = CompactUpdates.putVarUInt(entries, position, v.nextLong());
        }
        return position;
    }

    /**
     * Removed block of a ClientViewsCompact: handles {@code 0 .. count - 1} spread over the handle range.
     *
     * @return bytes written.
     */
    static int encodeCompactViewRemoved(final MutableDirectBuffer block, final int count)
    {
        int position = 0;
        for (int i = 0, n = Math.min(count, MessageLayouts.MAX_COMPACT_ENTRIES_LENGTH / 3); i < n; i++)
        {
            position = CompactViews.putRemoved(block, position, (i * 7919) & CompactUpdates.MAX_HANDLE);
        }
        return position;
    }

    /**
     * Heads block of a ClientViewsCompact: {@code count} heads (as many as fit), ids from {@code v}.
     *
     * @return bytes written.
     */
    static int encodeCompactViewHeads(final MutableDirectBuffer block, final BoundaryValues v, final int count)
    {
        int position = 0;
        for (int i = 0, n = Math.min(count, MessageLayouts.MAX_COMPACT_ENTRIES_LENGTH / CompactViews.MAX_HEAD_LENGTH);
            i < n; i++)
        {
            position = CompactViews.putHead(block, position, i, v.nextLong(), v.nextInt(), v.nextInt());
        }
        return position;
    }

    private int encodeUpdateBatch(
        final MutableDirectBuffer buffer,
        final int offset,
        final BoundaryValues v,
        final int count,
        final int varLength)
    {
        final EntityUpdateBatchEncoder e = updateBatch.wrapAndApplyHeader(buffer, offset, header)
            .serverTimeNs(v.nextLong())
            .tick(v.nextLong());
        final EntityUpdateBatchEncoder.UpdatesEncoder updates = e.updatesCount(count);
        for (int i = 0; i < count; i++)
        {
            updates.next().entityId(v.nextLong());
            v.put(updates.changed());
            updates.parentZoneId(v.nextLong());
            v.put(updates.position());
            v.put(updates.orientation());
            v.put(updates.velocity());
            updates.radius(v.nextFloat())
                .authorityEpoch(v.nextLong())
                .lastAppliedInputSequence(v.nextLong())
                .putComponentState(BINARY, v.nextPatternOffset(), entryVarLength(varLength, i));
        }
        return e.encodedLength();
    }

    private int encodeStreamIn(
        final MutableDirectBuffer buffer,
        final int offset,
        final BoundaryValues v,
        final int count,
        final int varLength)
    {
        final EntityStreamInEncoder e = streamIn.wrapAndApplyHeader(buffer, offset, header)
            .territoryId(v.nextInt())
            .epoch(v.nextLong());
        final EntityStreamInEncoder.EntitiesEncoder entities = e.entitiesCount(count);
        for (int i = 0; i < count; i++)
        {
            entities.next()
                .entityId(v.nextLong())
                .archetypeId(v.nextInt())
                .ownerPlayerId(v.nextLong())
                .parentZoneId(v.nextLong());
            v.put(entities.position());
            v.put(entities.orientation());
            v.put(entities.velocity());
            entities.radius(v.nextFloat())
                .authorityEpoch(v.nextLong())
                .lastAppliedInputSequence(v.nextLong())
                .putComponentState(BINARY, v.nextPatternOffset(), entryVarLength(varLength, i));
        }
        return e.encodedLength();
    }

    private int encodeStreamOut(
        final MutableDirectBuffer buffer,
        final int offset,
        final BoundaryValues v,
        final int count,
        final int varLength)
    {
        final EntityStreamOutEncoder e = streamOut.wrapAndApplyHeader(buffer, offset, header)
            .territoryId(v.nextInt())
            .epoch(v.nextLong())
            .reason(v.nextOf(DESPAWN_REASONS));
        final EntityStreamOutEncoder.EntitiesEncoder entities = e.entitiesCount(count);
        for (int i = 0; i < count; i++)
        {
            entities.next()
                .entityId(v.nextLong())
                .archetypeId(v.nextInt())
                .ownerPlayerId(v.nextLong())
                .parentZoneId(v.nextLong());
            v.put(entities.position());
            v.put(entities.orientation());
            v.put(entities.velocity());
            entities.radius(v.nextFloat())
                .authorityEpoch(v.nextLong())
                .lastAppliedInputSequence(v.nextLong())
                .putComponentState(BINARY, v.nextPatternOffset(), entryVarLength(varLength, i));
        }
        return e.encodedLength();
    }

    private int encodeStateBatch(
        final MutableDirectBuffer buffer,
        final int offset,
        final BoundaryValues v,
        final int count,
        final int varLength)
    {
        final EntityStateBatchEncoder e = stateBatch.wrapAndApplyHeader(buffer, offset, header)
            .serverId(v.nextInt())
            .tick(v.nextLong())
            .serverTimeNs(v.nextLong());
        final EntityStateBatchEncoder.StatesEncoder states = e.statesCount(count);
        for (int i = 0; i < count; i++)
        {
            states.next()
                .entityId(v.nextLong())
                .authorityEpoch(v.nextLong());
            v.put(states.changed());
            states.parentZoneId(v.nextLong());
            v.put(states.position());
            v.put(states.orientation());
            v.put(states.velocity());
            states.radius(v.nextFloat())
                .lastAppliedInputSequence(v.nextLong())
                .putComponentState(BINARY, v.nextPatternOffset(), entryVarLength(varLength, i));
        }
        return e.encodedLength();
    }

    private int encodeViewBatch(
        final MutableDirectBuffer buffer,
        final int offset,
        final BoundaryValues v,
        final int count,
        final int varLength)
    {
        final ClientViewBatchEncoder e = viewBatch.wrapAndApplyHeader(buffer, offset, header)
            .tick(v.nextLong())
            .serverTimeNs(v.nextLong());
        final ClientViewBatchEncoder.ViewsEncoder views = e.viewsCount(count);
        for (int i = 0; i < count; i++)
        {
            views.next()
                .entityId(v.nextLong())
                .archetypeId(v.nextInt())
                .ownerServerId(v.nextInt());
            v.put(views.changed());
            views.parentZoneId(v.nextLong());
            v.put(views.position());
            v.put(views.orientation());
            v.put(views.velocity());
            views.radius(v.nextFloat())
                .authorityEpoch(v.nextLong())
                .putComponentState(BINARY, v.nextPatternOffset(), entryVarLength(varLength, i));
        }
        final ClientViewBatchEncoder.RemovedEncoder removed = e.removedCount(count);
        for (int i = 0; i < count; i++)
        {
            removed.next().entityId(v.nextLong());
        }
        return e.encodedLength();
    }

    /**
     * A valid time dilation factor (1..1000 per mille) drawn from the next value: the validator rejects others.
     */
    static int timeDilationPerMille(final BoundaryValues v)
    {
        return 1 + Math.floorMod(v.nextInt(), MessageValidator.MAX_TIME_DILATION_PER_MILLE);
    }
}
