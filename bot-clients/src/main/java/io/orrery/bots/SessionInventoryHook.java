/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientSession;
import io.orrery.core.common.EntityIds;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Inventory through the bot's real session: every player owns one starter item (granted, stowed, the first time it
 * joins a shard that persists). The bot alternates: unstow the item next to itself, later stow it again, and so on;
 * each request waits for its durable {@code StowResult} before the next. A request without a result within
 * {@link #RESULT_TIMEOUT_NS} is resent with the <i>same</i> operation id, so the store's idempotency is exercised
 * for real: the answer is then the first outcome, as {@code duplicate}.
 * <p>
 * Checks: an {@code ok} or {@code duplicate} result must leave the item where the request asked; a result that says
 * the item was not where the bot knew it to be is a mismatch (a correctness error, reported by the swarm). Latency
 * from first send to result goes into {@link #latencyHistogram()}.
 * <p>
 * Threading: one instance per {@link BotAgent}, used only on its thread; no allocation per action.
 */
public final class SessionInventoryHook implements InventoryHook
{
    public static final long RESULT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    static final byte UNKNOWN = 0;
    static final byte STOWED = 1;
    static final byte IN_WORLD = 2;

    private static final int OK = io.orrery.wire.codec.OperationStatus.ok.value();
    private static final int DUPLICATE = io.orrery.wire.codec.OperationStatus.duplicate.value();
    private static final int NOT_FOUND = io.orrery.wire.codec.OperationStatus.notFound.value();
    private static final int STORE_UNAVAILABLE = io.orrery.wire.codec.OperationStatus.storeUnavailable.value();

    private final InventoryCounters counters = new InventoryCounters();
    private final Histogram latencyHistogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final long operationIdBase;

    /**
     * @param operationIdBase high bits that make this run's client operation ids differ from earlier runs'.
     */
    public SessionInventoryHook(final long operationIdBase)
    {
        this.operationIdBase = operationIdBase;
    }

    @Override
    public int act(final Bot bot, final long nowNs)
    {
        final ClientSession session = bot.session;
        if (null == session || !session.isConnected())
        {
            return BACK_PRESSURED;
        }

        if (0 != bot.pendingOperationId)
        {
            if (nowNs - bot.pendingSentNs < RESULT_TIMEOUT_NS)
            {
                return WAITING;
            }
            if (send(bot, session) <= 0)
            {
                return BACK_PRESSURED;
            }
            counters.resends++;
            bot.pendingSentNs = nowNs;
            return SENT;
        }

        final ClientEntityView view = session.view();
        final int ownSlot = view.slotOf(session.playerEntityId());
        if (ClientEntityView.NULL_SLOT == ownSlot)
        {
            return WAITING;
        }

        bot.pendingOperationId = operationIdBase + (++bot.inventoryOperations);
        bot.pendingIsStow = IN_WORLD == bot.itemLocation;
        bot.pendingZoneId = view.parentZoneId(ownSlot);
        bot.pendingX = view.positionX(ownSlot);
        bot.pendingY = view.positionY(ownSlot);
        bot.pendingZ = view.positionZ(ownSlot);
        if (send(bot, session) <= 0)
        {
            bot.pendingOperationId = 0;
            return BACK_PRESSURED;
        }
        bot.pendingFirstSentNs = nowNs;
        bot.pendingSentNs = nowNs;
        return SENT;
    }

    private long send(final Bot bot, final ClientSession session)
    {
        final long itemId = EntityIds.starterItemId(bot.playerId);
        final long result = bot.pendingIsStow ?
            session.stow(bot.pendingOperationId, itemId, 0) :
            session.unstow(bot.pendingOperationId, itemId, bot.pendingZoneId, bot.pendingX, bot.pendingY, bot.pendingZ);
        if (result > 0)
        {
            counters.requestsSent++;
        }
        return result;
    }

    @Override
    public void onStowResult(
        final Bot bot, final long operationId, final long itemEntityId, final boolean stowed, final int status,
        final long nowNs)
    {
        if (0 == bot.pendingOperationId || operationId != bot.pendingOperationId)
        {
            counters.unexpectedResults++;
            return;
        }

        final boolean wasStow = bot.pendingIsStow;
        bot.pendingOperationId = 0;
        latencyHistogram.recordValue(Math.min(nowNs - bot.pendingFirstSentNs, latencyHistogram.getHighestTrackableValue()));

        if (OK == status || DUPLICATE == status)
        {
            if (stowed != wasStow)
            {
                counters.mismatches++;
            }
            if (DUPLICATE == status)
            {
                counters.duplicates++;
            }
            else if (wasStow)
            {
                counters.stowed++;
            }
            else
            {
                counters.unstowed++;
            }
            bot.itemLocation = stowed ? STOWED : IN_WORLD;
        }
        else if (STORE_UNAVAILABLE == status)
        {
            counters.storeUnavailable++;
        }
        else
        {
            counters.refused++;
            if (NOT_FOUND == status)
            {
                if (UNKNOWN == bot.itemLocation)
                {
                    // the item was not where we guessed (e.g. left in the world by an earlier run): try the other way
                    bot.itemLocation = wasStow ? STOWED : IN_WORLD;
                }
                else
                {
                    counters.mismatches++;
                    bot.itemLocation = UNKNOWN;
                }
            }
        }
    }

    @Override
    public InventoryCounters counters()
    {
        return counters;
    }

    /**
     * @return request to durable result latency (ns), from the first send of each operation.
     */
    public Histogram latencyHistogram()
    {
        return latencyHistogram;
    }
}
