/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.orrery.link.Publications;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.HeartbeatEncoder;
import io.orrery.wire.codec.HelloEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputEncoder;
import io.orrery.wire.codec.StowRequestEncoder;
import io.orrery.wire.codec.UnstowRequestEncoder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One client session with the Replication Layer: its own ingress publication, handshake, input sequence, local
 * entity view and the measurements a client needs (latency of its own input, gaps, counts).
 * <p>
 * Input to update latency: each input's send time is kept in a ring indexed by sequence; when the player's own
 * entity arrives with a higher last-applied input sequence, every newly acknowledged input is recorded as
 * {@code now - sentTime}. Inputs older than the ring are counted as {@link #inputsUnmeasured()}.
 * <p>
 * Resumption (with {@link ClientLink.Settings#resume(boolean)}): see {@link ClientLink}. Across a resumption the
 * session object, its view, its input sequence and its measurements carry on; its layer session id, correlation id and
 * possibly its player entity id are new ({@link #resumptions()}, {@link #longestUpdateGapNs()},
 * {@link #staleDespawns()}, {@link #acknowledgementsRolledBack()}).
 * <p>
 * Threading: used only on the thread that runs its {@link ClientLink}. Zero allocation once connected.
 */
public final class ClientSession
{
    public enum State
    {
        CONNECTING, AWAITING_WELCOME, CONNECTED, REJECTED, DISCONNECTED, CLOSED,
        /**
         * The layer went away (silent past the session timeout): hellos with backoff until welcomed again or the
         * resume deadline passes. Reported by {@link #state()} only; no input is sent meanwhile.
         */
        RESUMING
    }

    public static final int REASON_LOCAL_TIMEOUT = 100;
    public static final int REASON_CONNECT_FAILED = 101;
    /**
     * Disconnect reason (without resumption): the layer's response image went away without a Disconnect.
     */
    public static final int REASON_LAYER_GONE = 102;
    /**
     * Layer loss cause: the response image the layer opened for this session closed (its publication is gone).
     */
    public static final int LOSS_IMAGE_CLOSED = 1;
    /**
     * Layer loss cause: nothing from the layer for {@link ClientLink.Settings#layerLossHeartbeats(int)} heartbeat
     * intervals (or the session timeout).
     */
    public static final int LOSS_SILENCE = 2;
    /**
     * Layer loss cause: the layer said it shuts down (Disconnect with reason {@code shutdown}).
     */
    public static final int LOSS_SHUTDOWN = 3;
    /**
     * Layer loss cause: the session's ingress publication lost its subscriber (the layer's ingress subscription is
     * gone); seen at once when an input or heartbeat finds it not connected.
     */
    public static final int LOSS_INGRESS_GONE = 4;
    /**
     * Session loss cause (with resumption on): the layer disconnected the session as a slow consumer (its egress
     * stayed back-pressured past the layer's limit); the session resumes with a fresh snapshot after its backoff.
     */
    public static final int LOSS_SLOW_CONSUMER = 5;
    static final int SENT_RING_SIZE = 1024;
    private static final int SENT_RING_MASK = SENT_RING_SIZE - 1;
    private static final int PROTOCOL_VERSION = 1;
    private static final int HANDED_OFF = io.orrery.wire.codec.DespawnReason.handedOff.value();

    final ClientLink link;
    long correlationId;
    final ClientListener listener;
    final ClientEntityView view;
    private final byte[] token;
    private final long[] sentTimeNs = new long[SENT_RING_SIZE];
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[512]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PlayerInputEncoder inputEncoder = new PlayerInputEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final DisconnectEncoder disconnectEncoder = new DisconnectEncoder();
    private final StowRequestEncoder stowEncoder = new StowRequestEncoder();
    private final UnstowRequestEncoder unstowEncoder = new UnstowRequestEncoder();

    State state = State.CONNECTING;
    long registrationId;
    /**
     * Index of the link's ingress channel (Gateway) the session publishes on.
     */
    int ingressChannelIndex;
    /**
     * When the current ingress publication was asked for.
     */
    long ingressSinceNs;
    ExclusivePublication publication;
    int imageSessionId;
    Image responseImage;
    long layerSilenceTimeoutNs = 3_000_000_000L;
    long lastHelloNs;
    long helloResendAfterNs;
    long resendBackoffNs;
    long resumesStarted;
    long hellosLost;
    long hellosResent;
    int lastLossCause;
    long sessionId;
    long playerEntityId;
    long heartbeatIntervalNs = 1_000_000_000L;
    long sessionTimeoutNs = 5_000_000_000L;
    long deadlineNs;
    long nextHelloNs;
    long helloBackoffNs;
    long connectStartNs;
    long connectedNs;
    long lastSentNs;
    long lastReceivedNs;
    int rejectReason = -1;
    int disconnectReason = -1;
    boolean resuming;
    long resumeStartNs;
    long resumedAtNs;
    long staleSweepAtNs;
    long lastSpawnNs;
    boolean rollbackWindow;
    long resumptions;
    long resumeAttempts;
    long staleDespawns;
    long acknowledgementsRolledBack;
    long longestUpdateGapNs;
    long longestResumeNs;

    private long inputSequence;
    private long lastAcknowledgedInput;
    private long lastOwnUpdateNs;
    private LatencyRecorder inputLatencyRecorder;
    private LatencyRecorder ownUpdateGapRecorder;
    private LatencyRecorder handoffGapRecorder;
    private long lastOwnEpoch;

    long inputsSent;
    long inputsBackPressured;
    long inputsUnsentLayerGone;
    long inputsUnacknowledgedAtLayerLoss;
    private long lostThroughSequence;
    private long unheardBackPressures;
    private long unheardSinceNs;
    long inputsUnmeasured;
    long spawnsReceived;
    long updatesReceived;
    long despawnsReceived;
    long updatesForUnknownEntities;
    long despawnsForUnknownEntities;
    long spawnsReplacingHeld;
    long ownerChanges;
    long ownerHandoffsAwaited;
    long ownerHandoffsExpired;
    /**
     * How long an entity may await its next owner ({@link ClientLink.Settings#ownerHandoffTimeoutNs(long)}).
     */
    long ownerHandoffTimeoutNs = ClientLink.Settings.OWNER_HANDOFF_TIMEOUT_DEFAULT_NS;
    /**
     * While the view holds entities awaiting their owner: no later than the earliest of their deadlines.
     */
    long ownerHandoffCheckAtNs;
    long spawnsNotOwning;
    long despawnsOfNonOwners;
    long nonOwnerEntries;
    long ownerEpochConflicts;
    long unknownReplicantMessages;
    long replicantResets;
    long entitiesDroppedByResets;
    long acknowledgementRegressions;
    long viewOverflows;
    long rejectsReceived;
    long transientRejects;
    long malformedReceived;
    long stowResultsReceived;
    int timeDilationPerMille = 1000;
    int timeDilationServerId;
    int minTimeDilationPerMille = 1000;
    long timeDilationChanges;
    long authorityChangesSeen;

    ClientSession(final ClientLink link, final long correlationId, final byte[] token, final ClientListener listener,
        final int viewCapacity)
    {
        this(link, correlationId, token, listener, viewCapacity, 1);
    }

    ClientSession(final ClientLink link, final long correlationId, final byte[] token, final ClientListener listener,
        final int viewCapacity, final int maxReplicants)
    {
        this.link = link;
        this.correlationId = correlationId;
        this.token = token.clone();
        this.listener = null == listener ? ClientListener.NO_OP : listener;
        this.view = new ClientEntityView(viewCapacity, maxReplicants);
    }

    /**
     * Record input to update latency (ns) into this recorder; null to stop.
     */
    public ClientSession inputLatencyRecorder(final LatencyRecorder recorder)
    {
        this.inputLatencyRecorder = recorder;
        return this;
    }

    /**
     * Record the gap (ns) between consecutive updates of the player's own entity into this recorder; null to stop.
     */
    public ClientSession ownUpdateGapRecorder(final LatencyRecorder recorder)
    {
        this.ownUpdateGapRecorder = recorder;
        return this;
    }

    /**
     * Record, whenever the {@code authorityEpoch} of the player's own entity changes (a handoff or a failover moved
     * it to another game server), the gap (ns) between the last update before the change and the first update
     * after it into this recorder; null to stop. Every change is counted in {@link #authorityChangesSeen()}.
     */
    public ClientSession handoffGapRecorder(final LatencyRecorder recorder)
    {
        this.handoffGapRecorder = recorder;
        return this;
    }

    /**
     * Send one player input for the player's own entity.
     *
     * @return the input sequence sent (&gt; 0), or a negative Aeron publication result (nothing was sent; the
     * sequence is not consumed), or 0 when not connected.
     */
    public long sendInput(
        final float moveX,
        final float moveY,
        final float moveZ,
        final float aimYaw,
        final float aimPitch,
        final int actions,
        final long nowNs)
    {
        if (State.CONNECTED != state)
        {
            return 0;
        }
        final long sequence = inputSequence + 1;
        final long result = offerInput(playerEntityId, sequence, moveX, moveY, moveZ, aimYaw, aimPitch, actions, nowNs);
        if (result > 0)
        {
            inputSequence = sequence;
            sentTimeNs[(int)(sequence & SENT_RING_MASK)] = nowNs;
            lastSentNs = nowNs;
            inputsSent++;
            return sequence;
        }
        if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result)
        {
            inputsUnsentLayerGone++;
            link.onIngressGone(this);
            return result;
        }
        if (unheardSinceNs != lastReceivedNs)
        {
            unheardSinceNs = lastReceivedNs; // the layer was heard since the last back-pressured offer
            unheardBackPressures = 0;
        }
        unheardBackPressures++;
        inputsBackPressured++;
        return result;
    }

    /**
     * The session lost its layer (called by the link before it resumes or ends the session). Offers back-pressured
     * since the layer was last heard from went to a layer already dead (a killed layer's ingress image stays until
     * the media driver reaps it): they move from {@link #inputsBackPressured()} to {@link #inputsUnsentLayerGone()}.
     * Inputs sent and not acknowledged yet are counted in {@link #inputsUnacknowledgedAtLayerLoss()}: whether the
     * lost layer applied them is unknown, they are never sent again, and an acknowledgement from a later layer says
     * nothing about them, so their latency is not measured.
     */
    void onLayerLost()
    {
        if (unheardSinceNs == lastReceivedNs && unheardBackPressures > 0)
        {
            inputsBackPressured -= unheardBackPressures;
            inputsUnsentLayerGone += unheardBackPressures;
        }
        unheardBackPressures = 0;
        if (inputSequence > lastAcknowledgedInput && inputSequence > lostThroughSequence)
        {
            inputsUnacknowledgedAtLayerLoss += inputSequence - Math.max(lastAcknowledgedInput, lostThroughSequence);
            lostThroughSequence = inputSequence;
        }
    }

    /**
     * Send input for an arbitrary entity id: only for tests that check the Replication Layer refuses it.
     */
    public long sendInputForEntity(final long entityId, final long nowNs)
    {
        final long sequence = inputSequence + 1;
        final long result = offerInput(entityId, sequence, 1, 0, 0, 0, 0, 0, nowNs);
        if (result > 0)
        {
            inputSequence = sequence;
        }
        return result;
    }

    private long offerInput(
        final long entityId,
        final long sequence,
        final float moveX,
        final float moveY,
        final float moveZ,
        final float aimYaw,
        final float aimPitch,
        final int actions,
        final long nowNs)
    {
        inputEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .entityId(entityId)
            .inputSequence(sequence)
            .clientTimestampNs(nowNs);
        inputEncoder.move().x(moveX).y(moveY).z(moveZ);
        inputEncoder.aimYaw(aimYaw).aimPitch(aimPitch);
        sendBuffer.putInt(inputEncoder.offset() + PlayerInputEncoder.actionsEncodingOffset(), actions,
            java.nio.ByteOrder.LITTLE_ENDIAN);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + PlayerInputEncoder.BLOCK_LENGTH);
    }

    /**
     * Ask to stow an item (an entity the player owns, or an unowned one within reach) into a container of the
     * Global store. The answer arrives as {@link ClientListener#onStowResult} once the outcome is durable; a retry
     * with the same operation id is idempotent.
     *
     * @param operationId unique per player (retries reuse it).
     * @return a positive Aeron position, a negative publication result (nothing was sent), or 0 when not connected.
     */
    public long stow(final long operationId, final long itemEntityId, final long containerId)
    {
        if (State.CONNECTED != state)
        {
            return 0;
        }
        stowEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .operationId(operationId)
            .itemEntityId(itemEntityId)
            .containerId(containerId);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + StowRequestEncoder.BLOCK_LENGTH);
    }

    /**
     * Ask to unstow one of the player's items back into the world at a position (millimetres, zone local).
     *
     * @return a positive Aeron position, a negative publication result (nothing was sent), or 0 when not connected.
     * @see #stow(long, long, long)
     */
    public long unstow(
        final long operationId, final long itemEntityId, final long parentZoneId, final long x, final long y, final long z)
    {
        if (State.CONNECTED != state)
        {
            return 0;
        }
        unstowEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .operationId(operationId)
            .itemEntityId(itemEntityId)
            .parentZoneId(parentZoneId);
        unstowEncoder.position().x(x).y(y).z(z);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + UnstowRequestEncoder.BLOCK_LENGTH);
    }

    /**
     * Say goodbye and stop; the view is cleared.
     */
    public void disconnect()
    {
        if (State.CONNECTED == state)
        {
            disconnectEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .sessionId(sessionId)
                .reason(DisconnectReason.clientRequest);
            offer(MessageHeaderEncoder.ENCODED_LENGTH + disconnectEncoder.encodedLength());
        }
        link.close(this, State.CLOSED, DisconnectReason.clientRequest.value());
    }

    private long offer(final int length)
    {
        return Publications.offer(publication, sendBuffer, 0, length);
    }

    boolean sendHello(final String responseChannel, final int responseStreamId, final long nowNs)
    {
        final HelloEncoder hello = helloEncoder;
        hello.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .protocolVersion(PROTOCOL_VERSION)
            .responseStreamId(responseStreamId)
            .clientCorrelationId(correlationId)
            .clientTimestampNs(nowNs)
            .putAuthToken(token, 0, token.length)
            .responseChannel(responseChannel);
        if (offer(MessageHeaderEncoder.ENCODED_LENGTH + hello.encodedLength()) > 0)
        {
            lastSentNs = nowNs;
            return true;
        }
        return false;
    }

    void heartbeatIfIdle(final long nowNs)
    {
        if (nowNs - lastSentNs >= heartbeatIntervalNs >> 1)
        {
            heartbeatEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .sessionId(sessionId)
                .timestampNs(nowNs);
            if (offer(MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength()) > 0)
            {
                lastSentNs = nowNs;
            }
        }
    }

    void onOwnEntity(final long lastApplied, final long authorityEpoch, final long nowNs)
    {
        if (lastApplied < lastAcknowledgedInput)
        {
            if (rollbackWindow)
            {
                // resumed on a layer restored from its store: the last acknowledged inputs' effects were written
                // behind and lost; they are not sent again (so never applied twice), new ones continue the sequence
                acknowledgementsRolledBack = Math.max(acknowledgementsRolledBack, lastAcknowledgedInput - lastApplied);
                noteUpdateGap(nowNs);
                lastOwnUpdateNs = nowNs;
                lastOwnEpoch = authorityEpoch;
                return;
            }
            acknowledgementRegressions++;
            return;
        }
        rollbackWindow = false;
        noteUpdateGap(nowNs);
        if (0 != lastOwnUpdateNs && null != ownUpdateGapRecorder)
        {
            ownUpdateGapRecorder.recordNs(Math.max(0, nowNs - lastOwnUpdateNs));
        }
        if (0 != lastOwnUpdateNs && authorityEpoch != lastOwnEpoch)
        {
            authorityChangesSeen++;
            if (null != handoffGapRecorder)
            {
                handoffGapRecorder.recordNs(Math.max(0, nowNs - lastOwnUpdateNs));
            }
        }
        lastOwnEpoch = authorityEpoch;
        lastOwnUpdateNs = nowNs;
        if (lastApplied > lastAcknowledgedInput)
        {
            if (lastAcknowledgedInput < lostThroughSequence && lastApplied <= lostThroughSequence)
            {
                // a resumed layer restored these from its store: the lost layer applied them after all
                inputsUnacknowledgedAtLayerLoss -= lastApplied - lastAcknowledgedInput;
            }
            final long firstNew = Math.max(lastAcknowledgedInput, lostThroughSequence) + 1;
            final long oldestMeasurable = Math.max(firstNew, inputSequence - SENT_RING_MASK);
            inputsUnmeasured += Math.max(0, oldestMeasurable - firstNew);
            if (null != inputLatencyRecorder)
            {
                for (long s = oldestMeasurable; s <= lastApplied && s <= inputSequence; s++)
                {
                    inputLatencyRecorder.recordNs(Math.max(0, nowNs - sentTimeNs[(int)(s & SENT_RING_MASK)]));
                }
            }
            lastAcknowledgedInput = lastApplied;
        }
    }

    private void noteUpdateGap(final long nowNs)
    {
        if (0 != lastOwnUpdateNs && nowNs - lastOwnUpdateNs > longestUpdateGapNs)
        {
            longestUpdateGapNs = nowNs - lastOwnUpdateNs;
        }
    }

    /**
     * @return the state; {@link State#RESUMING} while a resumption's hellos are under way.
     */
    public State state()
    {
        return resuming && (State.CONNECTING == state || State.AWAITING_WELCOME == state) ? State.RESUMING : state;
    }

    /**
     * @return when the session last received anything from its layer (the link clock's nanoseconds).
     */
    public long lastReceivedNs()
    {
        return lastReceivedNs;
    }

    /**
     * @return the layer's heartbeat interval from the welcome: a live layer sends at least this often.
     */
    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * @return layers this session was welcomed by again after losing one.
     */
    public long resumptions()
    {
        return resumptions;
    }

    /**
     * @return times this session lost its layer and started resuming ({@link ClientListener#onResumeStarted}).
     */
    public long resumesStarted()
    {
        return resumesStarted;
    }

    /**
     * @return why the layer was last lost: {@link #LOSS_IMAGE_CLOSED}, {@link #LOSS_SILENCE}, {@link #LOSS_SHUTDOWN},
     * {@link #LOSS_INGRESS_GONE}, {@link #LOSS_SLOW_CONSUMER}, or 0 if never.
     */
    public int lastLossCause()
    {
        return lastLossCause;
    }

    /**
     * @return hellos (first or resume) that could no longer be answered (the publication that carried them lost its
     * subscriber) and were replaced by a new hello.
     */
    public long hellosLost()
    {
        return hellosLost;
    }

    /**
     * @return hellos (first or resume) sent again, identical, on the same publication because the layer had not
     * answered yet.
     */
    public long hellosResent()
    {
        return hellosResent;
    }

    /**
     * @return how long the layer may be silent before this session takes it as lost (from the welcome).
     */
    public long layerSilenceTimeoutNs()
    {
        return layerSilenceTimeoutNs;
    }

    /**
     * @return hellos sent while resuming (first hellos, identical resends and replacements).
     */
    public long resumeAttempts()
    {
        return resumeAttempts;
    }

    /**
     * @return entities held when the session resumed that the new layer did not send again within the settle time:
     * despawned at the client (reason {@code resync}).
     */
    public long staleDespawns()
    {
        return staleDespawns;
    }

    /**
     * @return the largest number of acknowledged inputs whose effect a resumed layer did not have (its store is
     * written behind); those inputs are not sent again.
     */
    public long acknowledgementsRolledBack()
    {
        return acknowledgementsRolledBack;
    }

    /**
     * @return the longest time between two updates of the player's own entity, in the link clock's nanoseconds
     * (across a resumption: the time without updates).
     */
    public long longestUpdateGapNs()
    {
        return longestUpdateGapNs;
    }

    /**
     * @return the longest time from losing the layer to the next welcome.
     */
    public long longestResumeNs()
    {
        return longestResumeNs;
    }

    public boolean isConnected()
    {
        return State.CONNECTED == state;
    }

    /**
     * @return the correlation id of the session's latest hello (random; a new one for every hello).
     */
    public long correlationId()
    {
        return correlationId;
    }

    public long sessionId()
    {
        return sessionId;
    }

    public long playerEntityId()
    {
        return playerEntityId;
    }

    public ClientEntityView view()
    {
        return view;
    }

    /**
     * @return nanoseconds from {@code connect} to welcome, or 0 if not welcomed.
     */
    public long handshakeTimeNs()
    {
        return 0 == connectedNs ? 0 : connectedNs - connectStartNs;
    }

    public int rejectReason()
    {
        return rejectReason;
    }

    public int disconnectReason()
    {
        return disconnectReason;
    }

    public long inputSequence()
    {
        return inputSequence;
    }

    public long lastAcknowledgedInput()
    {
        return lastAcknowledgedInput;
    }

    public long inputsSent()
    {
        return inputsSent;
    }

    /**
     * @return inputs not offered because the layer was gone (the ingress publication lost its subscriber: the
     * session starts resuming, or ends; or back-pressured by a layer that had gone silent and was then found lost):
     * not sent, sequence not used.
     */
    public long inputsUnsentLayerGone()
    {
        return inputsUnsentLayerGone;
    }

    /**
     * @return inputs sent (sequence used) that were not acknowledged when the session lost its layer, less those a
     * resumed layer's restored state shows applied: lost with the layer (legitimately: never acknowledged), never
     * sent again. Their latency is not measured.
     */
    public long inputsUnacknowledgedAtLayerLoss()
    {
        return inputsUnacknowledgedAtLayerLoss;
    }

    /**
     * @return offers of inputs back-pressured by a live layer (not sent, sequence not used); those made after the
     * layer was last heard from by a session that then lost it are in {@link #inputsUnsentLayerGone()} instead.
     */
    public long inputsBackPressured()
    {
        return inputsBackPressured;
    }

    public long inputsUnmeasured()
    {
        return inputsUnmeasured;
    }

    public long spawnsReceived()
    {
        return spawnsReceived;
    }

    public long updatesReceived()
    {
        return updatesReceived;
    }

    public long despawnsReceived()
    {
        return despawnsReceived;
    }

    public long updatesForUnknownEntities()
    {
        return updatesForUnknownEntities;
    }

    public long despawnsForUnknownEntities()
    {
        return despawnsForUnknownEntities;
    }

    /**
     * @return spawns for an entity id already in the view: the snapshot replaced what was held (same view slot).
     * The layer sends these when it resynchronises a session after back-pressure; otherwise it despawns an old
     * incarnation of an id before it spawns the new one, so outside resyncs this stays 0.
     */
    public long spawnsReplacingHeld()
    {
        return spawnsReplacingHeld;
    }

    /**
     * @return spawns by which a Replicant with a higher owner epoch took over an entity the view held (a handoff
     * between Replicants): the listener saw {@link ClientListener#onUpdate} with every field, not a despawn and spawn.
     */
    public long ownerChanges()
    {
        return ownerChanges;
    }

    /**
     * @return {@code handedOff} despawns of an entity's owner: the entity stayed in the view awaiting its next owner.
     */
    public long ownerHandoffsAwaited()
    {
        return ownerHandoffsAwaited;
    }

    /**
     * @return entities removed from the view because their next owner's spawn did not come within
     * {@link ClientLink.Settings#ownerHandoffTimeoutNs(long)} of their owner's {@code handedOff} despawn (a layer
     * bug, a lost Replicant): the listener saw {@link ClientListener#onDespawn} with reason {@code handedOff}. A
     * spawn that comes later brings the entity back as a new one.
     */
    public long ownerHandoffsExpired()
    {
        return ownerHandoffsExpired;
    }

    /**
     * The owner of an entity despawned it with {@code handedOff} at {@code nowNs} (the view marked it awaiting).
     */
    void onOwnerHandoffAwaited(final long nowNs)
    {
        ownerHandoffsAwaited++;
        if (1 == view.awaitingOwnerCount())
        {
            ownerHandoffCheckAtNs = nowNs + ownerHandoffTimeoutNs; // else an earlier deadline is already set
        }
    }

    /**
     * Remove every entity that has awaited its next owner for {@link #ownerHandoffTimeoutNs} or longer: released
     * from the view (every Replicant's binding with it), its removal remembered at its last owner epoch, the
     * listener told ({@code onDespawn}, reason {@code handedOff}), counted in {@link #ownerHandoffsExpired()}.
     * Scans the view only once the earliest deadline has passed. Zero allocation.
     *
     * @param nowNs the link's duty cycle time.
     * @return entities removed.
     */
    int expireOwnerHandoffs(final long nowNs)
    {
        final ClientEntityView view = this.view;
        if (0 == view.awaitingOwnerCount() || nowNs - ownerHandoffCheckAtNs < 0)
        {
            return 0;
        }
        int expired = 0;
        boolean awaiting = false;
        long earliestSinceNs = nowNs;
        for (int slot = 0, capacity = view.capacity(); slot < capacity; slot++)
        {
            if (view.awaitingOwner(slot))
            {
                final long sinceNs = view.awaitingOwnerSinceNs(slot);
                if (nowNs - sinceNs >= ownerHandoffTimeoutNs)
                {
                    final long entityId = view.entityId(slot);
                    view.rememberRemoval(entityId, view.ownerEpoch(slot));
                    view.release(entityId);
                    ownerHandoffsExpired++;
                    expired++;
                    listener.onDespawn(this, entityId, HANDED_OFF);
                }
                else if (!awaiting || sinceNs - earliestSinceNs < 0)
                {
                    awaiting = true;
                    earliestSinceNs = sinceNs;
                }
            }
        }
        ownerHandoffCheckAtNs = earliestSinceNs + ownerHandoffTimeoutNs;
        return expired;
    }

    /**
     * @return spawns from a Replicant with a lower owner epoch than the entity's owner (a late spawn of a handoff's
     * losing side): they only bound that Replicant's handle and baseline.
     */
    public long spawnsNotOwning()
    {
        return spawnsNotOwning;
    }

    /**
     * @return despawns from a Replicant holding an entity it does not own: they only released its handle.
     */
    public long despawnsOfNonOwners()
    {
        return despawnsOfNonOwners;
    }

    /**
     * @return compact update entries from a Replicant for an entity it holds but does not own: applied to its
     * baseline only.
     */
    public long nonOwnerEntries()
    {
        return nonOwnerEntries;
    }

    /**
     * @return protocol violations of owner epochs: a spawn from another Replicant with the owner's epoch (bound, not
     * taken), or an owner's own spawn with a lower epoch than it had (applied).
     */
    public long ownerEpochConflicts()
    {
        return ownerEpochConflicts;
    }

    /**
     * @return spawns, despawns and compact update frames from a Replicant id beyond the view's
     * {@link ClientEntityView#maxReplicants()}: dropped.
     */
    public long unknownReplicantMessages()
    {
        return unknownReplicantMessages;
    }

    /**
     * @return {@code ReplicantReset}s received: a Replicant restarted, what it had spawned here was dropped.
     */
    public long replicantResets()
    {
        return replicantResets;
    }

    /**
     * @return entities those resets took out of the view (owned by the restarted Replicant; its snapshot spawns the
     * ones that still exist again).
     */
    public long entitiesDroppedByResets()
    {
        return entitiesDroppedByResets;
    }

    public long acknowledgementRegressions()
    {
        return acknowledgementRegressions;
    }

    public long viewOverflows()
    {
        return viewOverflows;
    }

    public long rejectsReceived()
    {
        return rejectsReceived;
    }

    /**
     * @return rejects of this session's hellos that it did not give up on ({@code tooManySessions},
     * {@code duplicateSession}, ...): each was followed by a new hello after a backoff, until the connect deadline.
     */
    public long transientRejects()
    {
        return transientRejects;
    }

    public long malformedReceived()
    {
        return malformedReceived;
    }

    /**
     * Time dilation of the game server simulating this session's entity, as the layer last told: game time per real
     * time, {@code (0, 1]}; 1 (real time) until told otherwise and after every welcome. Under dilation everything
     * in the world moves and counts down that much slower in real time: velocities are per game second, so a
     * client extrapolates a position by {@code velocity x timeDilation x real seconds}.
     */
    public float timeDilation()
    {
        return timeDilationPerMille / 1000f;
    }

    /**
     * @return {@link #timeDilation()} in 1/1000 (1000 = real time).
     */
    public int timeDilationPerMille()
    {
        return timeDilationPerMille;
    }

    /**
     * @return the server the last time dilation came from, 0 if none.
     */
    public int timeDilationServerId()
    {
        return timeDilationServerId;
    }

    /**
     * @return the lowest time dilation (1/1000) this session was told, 1000 if never dilated.
     */
    public int minTimeDilationPerMille()
    {
        return minTimeDilationPerMille;
    }

    /**
     * @return time dilation messages received.
     */
    public long timeDilationChanges()
    {
        return timeDilationChanges;
    }

    void onTimeDilation(final int perMille, final int serverId)
    {
        timeDilationPerMille = perMille;
        timeDilationServerId = serverId;
        minTimeDilationPerMille = Math.min(minTimeDilationPerMille, perMille);
        timeDilationChanges++;
        listener.onTimeDilation(this, perMille, serverId);
    }

    public long stowResultsReceived()
    {
        return stowResultsReceived;
    }

    /**
     * @return how often the {@code authorityEpoch} of the player's own entity changed (handoffs and failovers seen).
     */
    public long authorityChangesSeen()
    {
        return authorityChangesSeen;
    }
}
