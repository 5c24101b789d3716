/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.wire.codec.DisconnectReason;

/**
 * One bot: a real client session with its own token and player id, its behaviour and its input schedule. It is its
 * own {@link ClientListener}, so callbacks reach its state without a lookup.
 * <p>
 * Threading: owned by one {@link BotAgent} and touched only on its thread, except that the counters may be read by
 * another thread after that agent's thread has stopped.
 */
public final class Bot implements ClientListener
{
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    final BotAgent agent;
    final int index;
    final long playerId;
    final Behaviour behaviour;
    final byte[] token;
    final long connectAtNs;

    ClientSession session;
    long rngState;

    float moveX;
    float moveY;
    float yaw;
    long turnAtNs;
    int target = -1;
    long commutes;
    boolean scattering;
    long scatterXMm;
    long scatterYMm;

    long nextInputNs;
    long nextInventoryNs;
    long inventoryOperations;
    byte itemLocation;
    long pendingOperationId;
    boolean pendingIsStow;
    long pendingZoneId;
    long pendingX;
    long pendingY;
    long pendingZ;
    long pendingFirstSentNs;
    long pendingSentNs;
    long inputsLate;
    long inputsSkippedWhileResuming;
    long ackSeen;
    long ackWaitSinceNs;
    long resumptionsSeen;
    long layerLossesByImage;
    long layerLossesBySilence;
    boolean ackStalled;
    long inputAcknowledgementStalls;

    long welcomedAtNs;
    boolean welcomed;
    boolean ownEntitySpawned;
    boolean failed;
    long unexpectedDisconnects;
    int lastDisconnectReason = -1;

    Bot(final BotAgent agent, final int index, final long playerId, final Behaviour behaviour, final byte[] token,
        final long connectAtNs, final long seed)
    {
        this.agent = agent;
        this.index = index;
        this.playerId = playerId;
        this.behaviour = behaviour;
        this.token = token;
        this.connectAtNs = connectAtNs;
        this.rngState = mix(seed + index * GOLDEN_GAMMA);
    }

    /**
     * SplitMix64 finaliser.
     */
    static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E019L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * @return a uniform double in [0, 1) from this bot's own SplitMix64 stream (reproducible for a seed).
     */
    double nextDouble()
    {
        rngState += GOLDEN_GAMMA;
        return (mix(rngState) >>> 11) * 0x1.0p-53;
    }

    public int index()
    {
        return index;
    }

    public long playerId()
    {
        return playerId;
    }

    public BehaviourKind kind()
    {
        return behaviour.kind();
    }

    /**
     * @return the session, or null before the bot connected.
     */
    public ClientSession session()
    {
        return session;
    }

    public boolean welcomed()
    {
        return welcomed;
    }

    public boolean failed()
    {
        return failed;
    }

    public long unexpectedDisconnects()
    {
        return unexpectedDisconnects;
    }

    /**
     * @return inputs sent later than their scheduled time by more than one input interval.
     */
    public long inputsLate()
    {
        return inputsLate;
    }

    /**
     * @return inputs due on this bot's schedule while its session was resuming (the layer gone), never sent: its
     * schedule starts again at the resumed welcome. Idle bots send nothing and count none.
     */
    public long inputsSkippedWhileResuming()
    {
        return inputsSkippedWhileResuming;
    }

    /**
     * @return times the own entity's acknowledged input sequence stood still for longer than the stall threshold
     * while inputs were outstanding (a correctness error: a server stopped applying this bot's inputs).
     */
    public long inputAcknowledgementStalls()
    {
        return inputAcknowledgementStalls;
    }

    @Override
    public void onWelcome(final ClientSession session)
    {
        final long nowNs = agent.nowNs();
        final boolean resumed = welcomed;
        if (resumed && BehaviourKind.IDLE != behaviour.kind() && nowNs - nextInputNs >= 0)
        {
            // inputs due while the layer was gone were never sent (no sequence): the schedule restarts from now
            inputsSkippedWhileResuming += (nowNs - nextInputNs) / agent.inputIntervalNs() + 1;
        }
        welcomed = true;
        welcomedAtNs = nowNs;
        agent.onWelcome(this, session.handshakeTimeNs(), resumed);
        nextInputNs = nowNs + (long)(nextDouble() * agent.inputIntervalNs());
        nextInventoryNs = nowNs + (long)(nextDouble() * agent.inventoryIntervalNs());
        turnAtNs = nowNs;
    }

    @Override
    public void onResumeStarted(final ClientSession session, final int cause)
    {
        if (ClientSession.LOSS_SILENCE == cause)
        {
            layerLossesBySilence++;
        }
        else
        {
            layerLossesByImage++;
        }
        agent.onResumeStarted(this);
    }

    /**
     * @return times this bot's session found its layer gone without waiting for silence: its response image closed,
     * its ingress publication lost the layer's subscription, or the layer said it shuts down.
     */
    public long layerLossesByImage()
    {
        return layerLossesByImage;
    }

    /**
     * @return times this bot's session found its layer gone by the layer's silence (heartbeats missing).
     */
    public long layerLossesBySilence()
    {
        return layerLossesBySilence;
    }

    @Override
    public void onReject(final ClientSession session, final int reason, final int rejectedTemplateId)
    {
        if (!welcomed)
        {
            failed = true;
        }
    }

    @Override
    public void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
    {
        if (!ownEntitySpawned && view.entityId(slot) == session.playerEntityId())
        {
            ownEntitySpawned = true;
            agent.onOwnSpawn(agent.nowNs() - welcomedAtNs);
        }
    }

    @Override
    public void onStowResult(
        final ClientSession session, final long operationId, final long itemEntityId, final boolean stowed,
        final int status)
    {
        agent.inventoryHook().onStowResult(this, operationId, itemEntityId, stowed, status, agent.nowNs());
    }

    @Override
    public void onDisconnect(final ClientSession session, final int reason)
    {
        lastDisconnectReason = reason;
        if (!welcomed)
        {
            failed = true;
        }
        else if (!(agent.isClosing() && DisconnectReason.clientRequest.value() == reason))
        {
            unexpectedDisconnects++;
        }
        agent.onDisconnect(this);
    }
}
