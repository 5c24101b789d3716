/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientListener;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import io.orrery.wire.codec.OperationStatus;

/**
 * A bot that moves between shards with what it carries: in the shard it joins it unstows its starter item next to
 * itself (granted into the Global store by the first shard it joins), stays there for about the transfer interval,
 * stows the item into the Global store, leaves, and joins another shard of the directory, where it unstows the item
 * again. A transfer is timed from leaving (the stow's result) to its own entity spawning in the next shard.
 * <p>
 * A request without a result for {@link TransferAgent#RESEND_AFTER_NS} is resent with the same operation id (a replay
 * if the first was applied); a refused unstow (the grant not durable yet, or the item still in the world after a
 * stow whose answer was lost) or a refused stow is tried the other way round; a session that ends is opened again on
 * the same shard (or another, if that shard left the directory), resuming where the bot was.
 * <p>
 * Threading: owned by one {@link TransferAgent} and touched only on its thread.
 */
final class TransferBot implements ClientListener
{
    enum Phase
    {
        JOIN, SPAWN, UNSTOW, DWELL, STOW
    }

    final TransferAgent agent;
    final int index;
    final long playerId;
    final long item;
    final byte[] token;
    final long connectAtNs;
    long rngState;

    Phase phase = Phase.JOIN;
    Phase resumePhase = Phase.UNSTOW;
    int shard;
    ClientSession session;
    boolean everWelcomed;
    long operationId;
    boolean pending;
    boolean pendingIsStow;
    ClientSession pendingSession;
    long sentNs;
    long lastSentNs;
    long leftNs;
    long dwellUntilNs;
    long notConnectedSinceNs;

    long transfers;
    long refused;
    long storeUnavailable;
    long resends;
    long reconnects;
    long resumes;
    long mismatches;
    long lateResults;

    TransferBot(
        final TransferAgent agent, final int index, final long playerId, final byte[] token, final long connectAtNs,
        final int firstShard, final long seed)
    {
        this.agent = agent;
        this.index = index;
        this.playerId = playerId;
        this.item = EntityIds.starterItemId(playerId);
        this.token = token;
        this.connectAtNs = connectAtNs;
        this.shard = firstShard;
        this.rngState = Bot.mix(seed + index * Bot.GOLDEN_GAMMA);
    }

    double nextDouble()
    {
        rngState += Bot.GOLDEN_GAMMA;
        return (Bot.mix(rngState) >>> 11) * 0x1.0p-53;
    }

    static boolean isOver(final ClientSession session)
    {
        final ClientSession.State state = session.state();
        return ClientSession.State.REJECTED == state || ClientSession.State.DISCONNECTED == state ||
            ClientSession.State.CLOSED == state;
    }

    /**
     * The session on the current shard ended (the shard went away or dropped the bot): join again, carry on.
     */
    void rejoin()
    {
        reconnects++;
        if (Phase.SPAWN != phase && Phase.JOIN != phase)
        {
            resumePhase = phase;
        }
        phase = Phase.JOIN;
        notConnectedSinceNs = 0;
        session = null;
    }

    /**
     * The bot's own entity is in its view: the join is complete.
     */
    void onJoined(final long nowNs)
    {
        if (0 != leftNs)
        {
            agent.onTransferred(nowNs - leftNs);
            leftNs = 0;
        }
        phase = resumePhase;
        lastSentNs = nowNs - TransferAgent.MIN_REQUEST_INTERVAL_NS;
    }

    /**
     * Send a stow (in {@link Phase#STOW}) or an unstow (in {@link Phase#UNSTOW}) next to the own entity.
     *
     * @return true when sent.
     */
    boolean request(final long nowNs)
    {
        final ClientEntityView view = session.view();
        final int own = view.slotOf(playerId);
        if (ClientEntityView.NULL_SLOT == own)
        {
            return false;
        }
        operationId++;
        pendingIsStow = Phase.STOW == phase;
        if (send(view, own) <= 0)
        {
            operationId--;
            return false;
        }
        pending = true;
        pendingSession = session;
        sentNs = nowNs;
        lastSentNs = nowNs;
        return true;
    }

    /**
     * Resend the pending request with its operation id.
     */
    boolean resend(final long nowNs)
    {
        final ClientEntityView view = session.view();
        final int own = view.slotOf(playerId);
        if (ClientEntityView.NULL_SLOT == own || send(view, own) <= 0)
        {
            return false;
        }
        resends++;
        lastSentNs = nowNs;
        pendingSession = session;
        return true;
    }

    private long send(final ClientEntityView view, final int own)
    {
        return pendingIsStow ? session.stow(operationId, item, 0) : session.unstow(operationId, item,
            view.parentZoneId(own), view.positionX(own) + 1000, view.positionY(own), view.positionZ(own));
    }

    @Override
    public void onWelcome(final ClientSession session)
    {
        if (!everWelcomed)
        {
            everWelcomed = true;
            agent.onFirstWelcome();
        }
    }

    @Override
    public void onResumeStarted(final ClientSession session, final int cause)
    {
        resumes++;
    }

    @Override
    public void onStowResult(
        final ClientSession session, final long operationId, final long itemEntityId, final boolean stowed,
        final int status)
    {
        if (operationId < this.operationId || (!pending && operationId == this.operationId))
        {
            lateResults++; // the answer to a resent request whose operation this bot already completed
            return;
        }
        if (!pending || operationId != this.operationId || itemEntityId != item)
        {
            mismatches++;
            return;
        }
        pending = false;
        final long nowNs = agent.nowNs();
        agent.onOperation(pendingIsStow, nowNs - sentNs);
        if (OperationStatus.ok.value() != status && OperationStatus.duplicate.value() != status)
        {
            if (OperationStatus.storeUnavailable.value() == status)
            {
                storeUnavailable++; // try the same way again after the request interval
            }
            else
            {
                refused++; // the item is not where this bot thought: try the other way round
                phase = Phase.STOW == phase ? Phase.UNSTOW : Phase.STOW;
            }
            return;
        }
        if (stowed != pendingIsStow)
        {
            mismatches++;
            return;
        }
        if (pendingIsStow)
        {
            // carried into the Global store: leave this shard for another
            session.disconnect();
            this.session = null;
            leftNs = nowNs;
            shard = agent.nextShard(this);
            transfers++;
            resumePhase = Phase.UNSTOW;
            phase = Phase.JOIN;
        }
        else
        {
            phase = Phase.DWELL;
            dwellUntilNs = nowNs + (long)((0.5 + nextDouble()) * agent.transferIntervalNs());
        }
    }
}
