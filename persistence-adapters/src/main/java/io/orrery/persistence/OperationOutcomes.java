/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence;

import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;

/**
 * How every adapter reports Global store outcomes, so that they agree exactly:
 * <ul>
 *     <li>An operation's key is (player, operation id): {@code ownerPlayerId} of a stow or unstow, {@code playerId}
 *     of a wallet or reputation change. Operation ids are per player; the same id of two players names two
 *     operations.</li>
 *     <li>With the outcome, the adapter records what the operation was: its {@link OperationType}, its
 *     {@link #subject(StowOperation) subject} and its delta. A call whose key is recorded is a replay only when all
 *     three match ({@link #isReplay}); otherwise it completes with {@link OperationStatus#OPERATION_CONFLICT}
 *     ({@link #conflict(StowOperation)}), changes nothing and records nothing: the recorded outcome stays.</li>
 *     <li>Every decided outcome is recorded with its key in the same atomic write as its effect: applied
 *     ({@link OperationStatus#OK}) and rejected ({@link OperationStatus#NOT_FOUND}, {@link OperationStatus#NOT_OWNER},
 *     {@link OperationStatus#CONFLICT}, {@link OperationStatus#INSUFFICIENT_FUNDS}) alike, so an operation id is
 *     decided exactly once. {@link OperationStatus#STORE_ERROR} is never recorded (nothing happened).</li>
 *     <li>A first execution sets {@code status} and {@code firstStatus} to the outcome.</li>
 *     <li>A replay of an applied operation returns {@link OperationStatus#DUPLICATE} (so
 *     {@link OperationStatus#isApplied(int)} stays true); a replay of a rejected one returns the same rejection.
 *     Either way {@code firstStatus} and {@code value} are the recorded ones and nothing changes.</li>
 * </ul>
 * {@code value} is the new balance or standing for wallet and reputation changes (the unchanged balance for a
 * rejected change) and 0 for stow and unstow. A player's operation ids share one space across all kinds of
 * operation. Threading: stateless.
 */
public final class OperationOutcomes
{
    private OperationOutcomes()
    {
    }

    /**
     * @return the subject recorded for a stow or unstow: its item.
     */
    public static long subject(final StowOperation op)
    {
        return op.entityId;
    }

    /**
     * @return the subject recorded for a wallet change (0) or a reputation change (its faction).
     */
    public static long subject(final WalletOperation op, final int operationType)
    {
        return OperationType.REPUTATION == operationType ? op.factionId : 0;
    }

    /**
     * @return whether a call is a replay of the operation recorded under its key: same kind, subject and delta.
     */
    public static boolean isReplay(
        final int recordedType,
        final long recordedSubject,
        final long recordedDelta,
        final int operationType,
        final long subject,
        final long delta)
    {
        return recordedType == operationType && recordedSubject == subject && recordedDelta == delta;
    }

    /**
     * The outcome of a call whose key is recorded for another operation: nothing changed, nothing recorded.
     */
    public static void conflict(final StowOperation op)
    {
        op.status = OperationStatus.OPERATION_CONFLICT;
        op.firstStatus = OperationStatus.OPERATION_CONFLICT;
        op.value = 0;
    }

    /**
     * The outcome of a call whose key is recorded for another operation: nothing changed, nothing recorded.
     */
    public static void conflict(final WalletOperation op)
    {
        op.status = OperationStatus.OPERATION_CONFLICT;
        op.firstStatus = OperationStatus.OPERATION_CONFLICT;
        op.value = 0;
    }

    public static void complete(final StowOperation op, final int status)
    {
        op.status = status;
        op.firstStatus = status;
        op.value = 0;
    }

    public static void replay(final StowOperation op, final int recordedStatus, final long recordedValue)
    {
        op.status = replayStatus(recordedStatus);
        op.firstStatus = recordedStatus;
        op.value = recordedValue;
    }

    public static void complete(final WalletOperation op, final int status, final long value)
    {
        op.status = status;
        op.firstStatus = status;
        op.value = value;
    }

    public static void replay(final WalletOperation op, final int recordedStatus, final long recordedValue)
    {
        op.status = replayStatus(recordedStatus);
        op.firstStatus = recordedStatus;
        op.value = recordedValue;
    }

    /**
     * The rule every adapter applies to a wallet or reputation change, so that they agree on every edge: a change
     * whose result does not fit in a long is a {@link OperationStatus#CONFLICT}; a wallet (not reputation) that would
     * go negative is {@link OperationStatus#INSUFFICIENT_FUNDS}; anything else is {@link OperationStatus#OK}. On a
     * refusal nothing changes and the operation reports the unchanged value.
     *
     * @param current       balance or standing now.
     * @param delta         the change.
     * @param mayBeNegative false for wallets.
     * @return the status of the change.
     */
    public static int balanceChange(final long current, final long delta, final boolean mayBeNegative)
    {
        final long next = current + delta;
        if (((current ^ next) & (delta ^ next)) < 0)
        {
            return OperationStatus.CONFLICT;
        }
        return !mayBeNegative && next < 0 ? OperationStatus.INSUFFICIENT_FUNDS : OperationStatus.OK;
    }

    /**
     * @return the value an operation reports after {@link #balanceChange(long, long, boolean)} gave {@code status}.
     */
    public static long valueAfter(final int status, final long current, final long delta)
    {
        return OperationStatus.OK == status ? current + delta : current;
    }

    /**
     * @return the status a replay reports for a recorded outcome.
     */
    public static int replayStatus(final int recordedStatus)
    {
        return recordedStatus == OperationStatus.OK ? OperationStatus.DUPLICATE : recordedStatus;
    }
}
