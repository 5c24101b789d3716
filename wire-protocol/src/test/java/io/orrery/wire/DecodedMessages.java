/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ClientViewBatchDecoder;
import io.orrery.wire.codec.ClientViewsCompactDecoder;
import io.orrery.wire.codec.DisconnectDecoder;
import io.orrery.wire.codec.EntityCreateRequestDecoder;
import io.orrery.wire.codec.EntityDespawnDecoder;
import io.orrery.wire.codec.EntityDestroyRequestDecoder;
import io.orrery.wire.codec.EntitySpawnDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamInDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.EntityUpdateBatchDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;
import io.orrery.wire.codec.ForwardedInputDecoder;
import io.orrery.wire.codec.HandoffAcceptDecoder;
import io.orrery.wire.codec.HandoffCommitDecoder;
import io.orrery.wire.codec.HandoffPrepareDecoder;
import io.orrery.wire.codec.HeartbeatDecoder;
import io.orrery.wire.codec.HelloDecoder;
import io.orrery.wire.codec.LoadReportDecoder;
import io.orrery.wire.codec.ReplicantResetDecoder;
import io.orrery.wire.codec.TimeDilationDecoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RejectDecoder;
import io.orrery.wire.codec.ReputationChangeResultDecoder;
import io.orrery.wire.codec.ServerHeartbeatDecoder;
import io.orrery.wire.codec.ServerGoodbyeDecoder;
import io.orrery.wire.codec.ServerTickEndDecoder;
import io.orrery.wire.codec.ServerHelloDecoder;
import io.orrery.wire.codec.ServerRejectDecoder;
import io.orrery.wire.codec.ServerWelcomeDecoder;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.StowResultDecoder;
import io.orrery.wire.codec.TerritoryGrantDecoder;
import io.orrery.wire.codec.TerritoryRevokeDecoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import io.orrery.wire.codec.WalletChangeResultDecoder;
import io.orrery.wire.codec.WelcomeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.orrery.wire.BoundaryValues.ASCII;
import static io.orrery.wire.BoundaryValues.BINARY;
import static io.orrery.wire.SampleMessages.DESPAWN_REASONS;
import static io.orrery.wire.SampleMessages.DISCONNECT_REASONS;
import static io.orrery.wire.SampleMessages.OPERATION_STATUSES;
import static io.orrery.wire.SampleMessages.REJECT_REASONS;
import static io.orrery.wire.SampleMessages.REVOKE_REASONS;
import static io.orrery.wire.SampleMessages.entryVarLength;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decodes a message written by {@link SampleMessages} with the generated decoders, reading every field in schema
 * order, and asserts each equals what was encoded. Var data is read with {@code wrapXxx} accessors only.
 * <p>
 * Threading: one instance per thread (the decoders are reused flyweights).
 */
final class DecodedMessages
{
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final HelloDecoder hello = new HelloDecoder();
    private final WelcomeDecoder welcome = new WelcomeDecoder();
    private final RejectDecoder reject = new RejectDecoder();
    private final HeartbeatDecoder heartbeat = new HeartbeatDecoder();
    private final DisconnectDecoder disconnect = new DisconnectDecoder();
    private final PlayerInputDecoder playerInput = new PlayerInputDecoder();
    private final EntitySpawnDecoder spawn = new EntitySpawnDecoder();
    private final EntityUpdateBatchDecoder updateBatch = new EntityUpdateBatchDecoder();
    private final EntityDespawnDecoder despawn = new EntityDespawnDecoder();
    private final EntityUpdatesCompactDecoder compact = new EntityUpdatesCompactDecoder();
    private final org.agrona.concurrent.UnsafeBuffer expectedEntries =
        new org.agrona.concurrent.UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH]);
    private final StowRequestDecoder stowRequest = new StowRequestDecoder();
    private final UnstowRequestDecoder unstowRequest = new UnstowRequestDecoder();
    private final StowResultDecoder stowResult = new StowResultDecoder();
    private final WalletChangeResultDecoder walletResult = new WalletChangeResultDecoder();
    private final ReputationChangeResultDecoder reputationResult = new ReputationChangeResultDecoder();
    private final ServerHelloDecoder serverHello = new ServerHelloDecoder();
    private final ServerWelcomeDecoder serverWelcome = new ServerWelcomeDecoder();
    private final ServerRejectDecoder serverReject = new ServerRejectDecoder();
    private final LoadReportDecoder loadReport = new LoadReportDecoder();
    private final TimeDilationDecoder timeDilation = new TimeDilationDecoder();
    private final ReplicantResetDecoder replicantReset = new ReplicantResetDecoder();
    private final TerritoryGrantDecoder territoryGrant = new TerritoryGrantDecoder();
    private final TerritoryRevokeDecoder territoryRevoke = new TerritoryRevokeDecoder();
    private final HandoffPrepareDecoder handoffPrepare = new HandoffPrepareDecoder();
    private final HandoffAcceptDecoder handoffAccept = new HandoffAcceptDecoder();
    private final HandoffCommitDecoder handoffCommit = new HandoffCommitDecoder();
    private final EntityStreamInDecoder streamIn = new EntityStreamInDecoder();
    private final EntityStreamOutDecoder streamOut = new EntityStreamOutDecoder();
    private final ForwardedInputDecoder forwardedInput = new ForwardedInputDecoder();
    private final EntityStateBatchDecoder stateBatch = new EntityStateBatchDecoder();
    private final EntityCreateRequestDecoder createRequest = new EntityCreateRequestDecoder();
    private final EntityDestroyRequestDecoder destroyRequest = new EntityDestroyRequestDecoder();
    private final ClientViewBatchDecoder viewBatch = new ClientViewBatchDecoder();
    private final ClientViewsCompactDecoder compactViews = new ClientViewsCompactDecoder();
    private final org.agrona.concurrent.UnsafeBuffer expectedRemoved =
        new org.agrona.concurrent.UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH]);
    private final org.agrona.concurrent.UnsafeBuffer expectedHeads =
        new org.agrona.concurrent.UnsafeBuffer(new byte[MessageLayouts.MAX_VAR_DATA_LENGTH]);
    private final ServerHeartbeatDecoder serverHeartbeat = new ServerHeartbeatDecoder();
    private final ServerTickEndDecoder serverTickEnd = new ServerTickEndDecoder();
    private final ServerGoodbyeDecoder serverGoodbye = new ServerGoodbyeDecoder();

    /**
     * Decode and check a message encoded by {@link SampleMessages#encode} with the same arguments. The decoders use
     * the block lengths in the message, so a message widened by a newer version decodes too.
     *
     * @return the decoded length, header included.
     */
    int assertDecoded(
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final int variant,
        final int count,
        final int varLength)
    {
        final BoundaryValues v = new BoundaryValues(variant);
        header.wrap(buffer, offset);
        assertEquals(templateId, header.templateId());
        assertEquals(MessageHeaderDecoder.SCHEMA_ID, header.schemaId());

        final int bodyLength;
        switch (templateId)
        {
            case HelloDecoder.TEMPLATE_ID:
            {
                final HelloDecoder d = hello.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextUint16(), d.protocolVersion());
                assertEquals(v.nextInt(), d.responseStreamId());
                assertEquals(v.nextLong(), d.clientCorrelationId());
                assertEquals(v.nextLong(), d.clientTimestampNs());
                d.wrapAuthToken(view);
                v.assertNextVarData(BINARY, varLength, view);
                d.wrapResponseChannel(view);
                v.assertNextVarData(ASCII, varLength, view);
                bodyLength = d.encodedLength();
                break;
            }
            case WelcomeDecoder.TEMPLATE_ID:
            {
                final WelcomeDecoder d = welcome.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.clientCorrelationId());
                assertEquals(v.nextLong(), d.sessionId());
                assertEquals(v.nextLong(), d.playerEntityId());
                assertEquals(v.nextLong(), d.serverTimeNs());
                assertEquals(v.nextUint16(), d.tickRateHz());
                assertEquals(v.nextUint16(), d.updateRateHz());
                assertEquals(v.nextUint16(), d.maxInputRateHz());
                assertEquals(v.nextUint32(), d.heartbeatIntervalMs());
                assertEquals(v.nextUint32(), d.sessionTimeoutMs());
                assertEquals(v.nextUint32(), d.bandwidthBytesPerTick());
                bodyLength = d.encodedLength();
                break;
            }
            case RejectDecoder.TEMPLATE_ID:
            {
                final RejectDecoder d = reject.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.clientCorrelationId());
                assertEquals(v.nextLong(), d.sessionId());
                assertEquals(v.nextOf(REJECT_REASONS), d.reason());
                assertEquals(v.nextUint16(), d.rejectedTemplateId());
                d.wrapReasonText(view);
                v.assertNextVarData(ASCII, varLength, view);
                bodyLength = d.encodedLength();
                break;
            }
            case ReplicantResetDecoder.TEMPLATE_ID:
            {
                final ReplicantResetDecoder d = replicantReset.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextUint8(), d.replicantId());
                bodyLength = d.encodedLength();
                break;
            }
            case TimeDilationDecoder.TEMPLATE_ID:
            {
                final TimeDilationDecoder d = timeDilation.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(SampleMessages.timeDilationPerMille(v), d.timeDilationPerMille());
                assertEquals(v.nextInt(), d.serverId());
                bodyLength = d.encodedLength();
                break;
            }
            case HeartbeatDecoder.TEMPLATE_ID:
            {
                final HeartbeatDecoder d = heartbeat.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.sessionId());
                assertEquals(v.nextLong(), d.timestampNs());
                bodyLength = d.encodedLength();
                break;
            }
            case DisconnectDecoder.TEMPLATE_ID:
            {
                final DisconnectDecoder d = disconnect.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.sessionId());
                assertEquals(v.nextOf(DISCONNECT_REASONS), d.reason());
                bodyLength = d.encodedLength();
                break;
            }
            case PlayerInputDecoder.TEMPLATE_ID:
            {
                final PlayerInputDecoder d = playerInput.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.sessionId());
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextLong(), d.inputSequence());
                assertEquals(v.nextLong(), d.clientTimestampNs());
                v.assertNext(d.move());
                assertEquals(v.nextFloat(), d.aimYaw());
                assertEquals(v.nextFloat(), d.aimPitch());
                v.assertNext(d.actions());
                bodyLength = d.encodedLength();
                break;
            }
            case EntitySpawnDecoder.TEMPLATE_ID:
            {
                final EntitySpawnDecoder d = spawn.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextInt(), d.archetypeId());
                assertEquals(v.nextLong(), d.parentZoneId());
                v.assertNext(d.position());
                v.assertNext(d.orientation());
                v.assertNext(d.velocity());
                assertEquals(v.nextFloat(), d.radius());
                assertEquals(v.nextLong(), d.authorityEpoch());
                assertEquals(v.nextLong(), d.lastAppliedInputSequence());
                assertEquals(v.nextLong(), d.serverTimeNs());
                assertEquals(v.nextInt(), d.updateHandle());
                d.wrapComponentState(view);
                v.assertNextVarData(BINARY, varLength, view);
                bodyLength = d.encodedLength();
                break;
            }
            case EntityUpdatesCompactDecoder.TEMPLATE_ID:
            {
                final int entriesLength = SampleMessages.encodeCompactEntries(expectedEntries, v, count, varLength);
                final EntityUpdatesCompactDecoder d = compact.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt() & 0xFFFF_FFFFL, d.tick());
                d.wrapEntries(view);
                assertEquals(entriesLength, view.capacity());
                for (int i = 0; i < entriesLength; i++)
                {
                    assertEquals(expectedEntries.getByte(i), view.getByte(i), "entries byte " + i);
                }
                bodyLength = d.encodedLength();
                break;
            }
            case ClientViewsCompactDecoder.TEMPLATE_ID:
            {
                final int removedLength = SampleMessages.encodeCompactViewRemoved(expectedRemoved, count);
                final int headsLength = SampleMessages.encodeCompactViewHeads(expectedHeads, v, count);
                final int entriesLength = SampleMessages.encodeCompactEntries(expectedEntries, v, count, varLength);
                final ClientViewsCompactDecoder d = compactViews.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt() & 0xFFFF_FFFFL, d.tick());
                assertEquals(v.nextInt() & CompactViews.RESET, d.flags());
                d.wrapRemoved(view);
                assertBytes(expectedRemoved, removedLength, view, "removed");
                d.wrapHeads(view);
                assertBytes(expectedHeads, headsLength, view, "heads");
                d.wrapEntries(view);
                assertBytes(expectedEntries, entriesLength, view, "entries");
                bodyLength = d.encodedLength();
                break;
            }
            case EntityUpdateBatchDecoder.TEMPLATE_ID:
                bodyLength = assertUpdateBatch(buffer, offset, v, count, varLength);
                break;
            case EntityDespawnDecoder.TEMPLATE_ID:
            {
                final EntityDespawnDecoder d = despawn.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextOf(DESPAWN_REASONS), d.reason());
                assertEquals(v.nextLong(), d.serverTimeNs());
                bodyLength = d.encodedLength();
                break;
            }
            case StowRequestDecoder.TEMPLATE_ID:
            {
                final StowRequestDecoder d = stowRequest.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.sessionId());
                assertEquals(v.nextLong(), d.operationId());
                assertEquals(v.nextLong(), d.itemEntityId());
                assertEquals(v.nextLong(), d.containerId());
                bodyLength = d.encodedLength();
                break;
            }
            case UnstowRequestDecoder.TEMPLATE_ID:
            {
                final UnstowRequestDecoder d = unstowRequest.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.sessionId());
                assertEquals(v.nextLong(), d.operationId());
                assertEquals(v.nextLong(), d.itemEntityId());
                assertEquals(v.nextLong(), d.parentZoneId());
                v.assertNext(d.position());
                bodyLength = d.encodedLength();
                break;
            }
            case StowResultDecoder.TEMPLATE_ID:
            {
                final StowResultDecoder d = stowResult.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.operationId());
                assertEquals(v.nextLong(), d.itemEntityId());
                assertEquals(v.nextUint8(), d.stowed());
                assertEquals(v.nextOf(OPERATION_STATUSES), d.status());
                bodyLength = d.encodedLength();
                break;
            }
            case WalletChangeResultDecoder.TEMPLATE_ID:
            {
                final WalletChangeResultDecoder d = walletResult.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.operationId());
                assertEquals(v.nextLong(), d.ownerId());
                assertEquals(v.nextInt(), d.currencyId());
                assertEquals(v.nextLong(), d.delta());
                assertEquals(v.nextLong(), d.balance());
                assertEquals(v.nextOf(OPERATION_STATUSES), d.status());
                bodyLength = d.encodedLength();
                break;
            }
            case ReputationChangeResultDecoder.TEMPLATE_ID:
            {
                final ReputationChangeResultDecoder d = reputationResult.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.operationId());
                assertEquals(v.nextLong(), d.ownerId());
                assertEquals(v.nextInt(), d.factionId());
                assertEquals(v.nextLong(), d.delta());
                assertEquals(v.nextLong(), d.standing());
                assertEquals(v.nextOf(OPERATION_STATUSES), d.status());
                bodyLength = d.encodedLength();
                break;
            }
            default:
                bodyLength = assertServerMessage(templateId, buffer, offset, v, count, varLength);
                break;
        }

        return MessageFraming.HEADER_LENGTH + bodyLength;
    }

    private int assertServerMessage(
        final int templateId,
        final DirectBuffer buffer,
        final int offset,
        final BoundaryValues v,
        final int count,
        final int varLength)
    {
        switch (templateId)
        {
            case ServerHelloDecoder.TEMPLATE_ID:
            {
                final ServerHelloDecoder d = serverHello.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextUint16(), d.protocolVersion());
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextInt(), d.responseStreamId());
                assertEquals(v.nextUint16(), d.tickRateHz());
                assertEquals(v.nextInt(), d.maxEntities());
                assertEquals(v.nextLong(), d.serverTimestampNs());
                d.wrapAuthToken(view);
                v.assertNextVarData(BINARY, varLength, view);
                d.wrapResponseChannel(view);
                v.assertNextVarData(ASCII, varLength, view);
                return d.encodedLength();
            }
            case ServerWelcomeDecoder.TEMPLATE_ID:
            {
                final ServerWelcomeDecoder d = serverWelcome.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.serverSessionId());
                assertEquals(v.nextLong(), d.replicationTimeNs());
                assertEquals(v.nextLong(), d.entityIdBase());
                assertEquals(v.nextLong(), d.entityIdCount());
                assertEquals(v.nextUint32(), d.heartbeatIntervalMs());
                assertEquals(v.nextUint32(), d.sessionTimeoutMs());
                return d.encodedLength();
            }
            case ServerRejectDecoder.TEMPLATE_ID:
            {
                final ServerRejectDecoder d = serverReject.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextOf(REJECT_REASONS), d.reason());
                assertEquals(v.nextUint16(), d.rejectedTemplateId());
                assertEquals(v.nextLong(), d.entityId());
                d.wrapReasonText(view);
                v.assertNextVarData(ASCII, varLength, view);
                return d.encodedLength();
            }
            case LoadReportDecoder.TEMPLATE_ID:
            {
                final LoadReportDecoder d = loadReport.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.serverTimestampNs());
                assertEquals(v.nextLong(), d.tick());
                assertEquals(v.nextInt(), d.entityCount());
                assertEquals(v.nextInt(), d.playerCount());
                assertEquals(v.nextLong(), d.tickTimeP50Ns());
                assertEquals(v.nextLong(), d.tickTimeMaxNs());
                assertEquals(v.nextFloat(), d.cpuLoad());
                assertEquals(SampleMessages.timeDilationPerMille(v), d.timeDilationPerMille());
                return d.encodedLength();
            }
            case TerritoryGrantDecoder.TEMPLATE_ID:
            {
                final TerritoryGrantDecoder d = territoryGrant.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.territoryId());
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.epoch());
                assertEquals(v.nextLong(), d.rootZoneId());
                v.assertNext(d.boundsMin());
                v.assertNext(d.boundsMax());
                return d.encodedLength();
            }
            case TerritoryRevokeDecoder.TEMPLATE_ID:
            {
                final TerritoryRevokeDecoder d = territoryRevoke.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.territoryId());
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.epoch());
                assertEquals(v.nextOf(REVOKE_REASONS), d.reason());
                return d.encodedLength();
            }
            case HandoffPrepareDecoder.TEMPLATE_ID:
            {
                final HandoffPrepareDecoder d = handoffPrepare.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.handoffId());
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextInt(), d.fromServerId());
                assertEquals(v.nextInt(), d.toServerId());
                assertEquals(v.nextInt(), d.territoryId());
                assertEquals(v.nextLong(), d.newEpoch());
                return d.encodedLength();
            }
            case HandoffAcceptDecoder.TEMPLATE_ID:
            {
                final HandoffAcceptDecoder d = handoffAccept.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.handoffId());
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.newEpoch());
                return d.encodedLength();
            }
            case HandoffCommitDecoder.TEMPLATE_ID:
            {
                final HandoffCommitDecoder d = handoffCommit.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.handoffId());
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextInt(), d.fromServerId());
                assertEquals(v.nextInt(), d.toServerId());
                assertEquals(v.nextLong(), d.newEpoch());
                assertEquals(v.nextLong(), d.lastDeliveredInputSequence());
                return d.encodedLength();
            }
            case EntityStreamInDecoder.TEMPLATE_ID:
                return assertStreamIn(buffer, offset, v, count, varLength);
            case EntityStreamOutDecoder.TEMPLATE_ID:
                return assertStreamOut(buffer, offset, v, count, varLength);
            case ForwardedInputDecoder.TEMPLATE_ID:
            {
                final ForwardedInputDecoder d = forwardedInput.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextLong(), d.playerId());
                assertEquals(v.nextLong(), d.authorityEpoch());
                assertEquals(v.nextLong(), d.inputSequence());
                assertEquals(v.nextLong(), d.clientTimestampNs());
                assertEquals(v.nextLong(), d.receivedTimeNs());
                v.assertNext(d.move());
                assertEquals(v.nextFloat(), d.aimYaw());
                assertEquals(v.nextFloat(), d.aimPitch());
                v.assertNext(d.actions());
                return d.encodedLength();
            }
            case EntityStateBatchDecoder.TEMPLATE_ID:
                return assertStateBatch(buffer, offset, v, count, varLength);
            case EntityCreateRequestDecoder.TEMPLATE_ID:
            {
                final EntityCreateRequestDecoder d = createRequest.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextInt(), d.archetypeId());
                assertEquals(v.nextLong(), d.ownerPlayerId());
                assertEquals(v.nextLong(), d.parentZoneId());
                v.assertNext(d.position());
                v.assertNext(d.orientation());
                v.assertNext(d.velocity());
                assertEquals(v.nextFloat(), d.radius());
                assertEquals(v.nextUint8(), d.isZone());
                d.wrapComponentState(view);
                v.assertNextVarData(BINARY, varLength, view);
                return d.encodedLength();
            }
            case EntityDestroyRequestDecoder.TEMPLATE_ID:
            {
                final EntityDestroyRequestDecoder d = destroyRequest.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.entityId());
                assertEquals(v.nextLong(), d.authorityEpoch());
                return d.encodedLength();
            }
            case ClientViewBatchDecoder.TEMPLATE_ID:
                return assertViewBatch(buffer, offset, v, count, varLength);
            case ServerHeartbeatDecoder.TEMPLATE_ID:
            {
                final ServerHeartbeatDecoder d = serverHeartbeat.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.timestampNs());
                return d.encodedLength();
            }
            case ServerTickEndDecoder.TEMPLATE_ID:
            {
                final ServerTickEndDecoder d = serverTickEnd.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.tick());
                assertEquals(v.nextLong(), d.serverTimeNs());
                return d.encodedLength();
            }
            case ServerGoodbyeDecoder.TEMPLATE_ID:
            {
                final ServerGoodbyeDecoder d = serverGoodbye.wrapAndApplyHeader(buffer, offset, header);
                assertEquals(v.nextInt(), d.serverId());
                assertEquals(v.nextLong(), d.serverSessionId());
                assertEquals(v.nextOf(DISCONNECT_REASONS), d.reason());
                return d.encodedLength();
            }
            default:
                throw new IllegalArgumentException("no sample for template " + templateId);
        }
    }

    private int assertUpdateBatch(
        final DirectBuffer buffer, final int offset, final BoundaryValues v, final int count, final int varLength)
    {
        final EntityUpdateBatchDecoder d = updateBatch.wrapAndApplyHeader(buffer, offset, header);
        assertEquals(v.nextLong(), d.serverTimeNs());
        assertEquals(v.nextLong(), d.tick());
        final EntityUpdateBatchDecoder.UpdatesDecoder updates = d.updates();
        assertEquals(count, updates.count());
        for (int i = 0; i < count; i++)
        {
            updates.next();
            assertEquals(v.nextLong(), updates.entityId());
            v.assertNext(updates.changed());
            assertEquals(v.nextLong(), updates.parentZoneId());
            v.assertNext(updates.position());
            v.assertNext(updates.orientation());
            v.assertNext(updates.velocity());
            assertEquals(v.nextFloat(), updates.radius());
            assertEquals(v.nextLong(), updates.authorityEpoch());
            assertEquals(v.nextLong(), updates.lastAppliedInputSequence());
            updates.wrapComponentState(view);
            v.assertNextVarData(BINARY, entryVarLength(varLength, i), view);
        }
        return d.encodedLength();
    }

    private int assertStreamIn(
        final DirectBuffer buffer, final int offset, final BoundaryValues v, final int count, final int varLength)
    {
        final EntityStreamInDecoder d = streamIn.wrapAndApplyHeader(buffer, offset, header);
        assertEquals(v.nextInt(), d.territoryId());
        assertEquals(v.nextLong(), d.epoch());
        final EntityStreamInDecoder.EntitiesDecoder entities = d.entities();
        assertEquals(count, entities.count());
        for (int i = 0; i < count; i++)
        {
            entities.next();
            assertEquals(v.nextLong(), entities.entityId());
            assertEquals(v.nextInt(), entities.archetypeId());
            assertEquals(v.nextLong(), entities.ownerPlayerId());
            assertEquals(v.nextLong(), entities.parentZoneId());
            v.assertNext(entities.position());
            v.assertNext(entities.orientation());
            v.assertNext(entities.velocity());
            assertEquals(v.nextFloat(), entities.radius());
            assertEquals(v.nextLong(), entities.authorityEpoch());
            assertEquals(v.nextLong(), entities.lastAppliedInputSequence());
            entities.wrapComponentState(view);
            v.assertNextVarData(BINARY, entryVarLength(varLength, i), view);
        }
        return d.encodedLength();
    }

    private int assertStreamOut(
        final DirectBuffer buffer, final int offset, final BoundaryValues v, final int count, final int varLength)
    {
        final EntityStreamOutDecoder d = streamOut.wrapAndApplyHeader(buffer, offset, header);
        assertEquals(v.nextInt(), d.territoryId());
        assertEquals(v.nextLong(), d.epoch());
        assertEquals(v.nextOf(DESPAWN_REASONS), d.reason());
        final EntityStreamOutDecoder.EntitiesDecoder entities = d.entities();
        assertEquals(count, entities.count());
        for (int i = 0; i < count; i++)
        {
            entities.next();
            assertEquals(v.nextLong(), entities.entityId());
            assertEquals(v.nextInt(), entities.archetypeId());
            assertEquals(v.nextLong(), entities.ownerPlayerId());
            assertEquals(v.nextLong(), entities.parentZoneId());
            v.assertNext(entities.position());
            v.assertNext(entities.orientation());
            v.assertNext(entities.velocity());
            assertEquals(v.nextFloat(), entities.radius());
            assertEquals(v.nextLong(), entities.authorityEpoch());
            assertEquals(v.nextLong(), entities.lastAppliedInputSequence());
            entities.wrapComponentState(view);
            v.assertNextVarData(BINARY, entryVarLength(varLength, i), view);
        }
        return d.encodedLength();
    }

    private int assertStateBatch(
        final DirectBuffer buffer, final int offset, final BoundaryValues v, final int count, final int varLength)
    {
        final EntityStateBatchDecoder d = stateBatch.wrapAndApplyHeader(buffer, offset, header);
        assertEquals(v.nextInt(), d.serverId());
        assertEquals(v.nextLong(), d.tick());
        assertEquals(v.nextLong(), d.serverTimeNs());
        final EntityStateBatchDecoder.StatesDecoder states = d.states();
        assertEquals(count, states.count());
        for (int i = 0; i < count; i++)
        {
            states.next();
            assertEquals(v.nextLong(), states.entityId());
            assertEquals(v.nextLong(), states.authorityEpoch());
            v.assertNext(states.changed());
            assertEquals(v.nextLong(), states.parentZoneId());
            v.assertNext(states.position());
            v.assertNext(states.orientation());
            v.assertNext(states.velocity());
            assertEquals(v.nextFloat(), states.radius());
            assertEquals(v.nextLong(), states.lastAppliedInputSequence());
            states.wrapComponentState(view);
            v.assertNextVarData(BINARY, entryVarLength(varLength, i), view);
        }
        return d.encodedLength();
    }

    private int assertViewBatch(
        final DirectBuffer buffer, final int offset, final BoundaryValues v, final int count, final int varLength)
    {
        final ClientViewBatchDecoder d = viewBatch.wrapAndApplyHeader(buffer, offset, header);
        assertEquals(v.nextLong(), d.tick());
        assertEquals(v.nextLong(), d.serverTimeNs());
        final ClientViewBatchDecoder.ViewsDecoder views = d.views();
        assertEquals(count, views.count());
        for (int i = 0; i < count; i++)
        {
            views.next();
            assertEquals(v.nextLong(), views.entityId());
            assertEquals(v.nextInt(), views.archetypeId());
            assertEquals(v.nextInt(), views.ownerServerId());
            v.assertNext(views.changed());
            assertEquals(v.nextLong(), views.parentZoneId());
            v.assertNext(views.position());
            v.assertNext(views.orientation());
            v.assertNext(views.velocity());
            assertEquals(v.nextFloat(), views.radius());
            assertEquals(v.nextLong(), views.authorityEpoch());
            views.wrapComponentState(view);
            v.assertNextVarData(BINARY, entryVarLength(varLength, i), view);
        }
        final ClientViewBatchDecoder.RemovedDecoder removed = d.removed();
        assertEquals(count, removed.count());
        for (int i = 0; i < count; i++)
        {
            assertEquals(v.nextLong(), removed.next().entityId());
        }
        return d.encodedLength();
    }

    private static void assertBytes(
        final DirectBuffer expected, final int length, final DirectBuffer actual, final String block)
    {
        assertEquals(length, actual.capacity(), block);
        for (int i = 0; i < length; i++)
        {
            assertEquals(expected.getByte(i), actual.getByte(i), block + " byte " + i);
        }
    }
}
