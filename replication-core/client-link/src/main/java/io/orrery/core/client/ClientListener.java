/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

/**
 * Callbacks from a {@link ClientSession}, invoked on the thread that runs its {@link ClientLink}. Every method has a
 * no-op default; implementations must not block and, on the hot path (spawn, update, despawn), must not allocate.
 */
public interface ClientListener
{
    ClientListener NO_OP = new ClientListener()
    {
    };

    default void onWelcome(final ClientSession session)
    {
    }

    /**
     * @param reason a {@code RejectReason} value.
     */
    default void onReject(final ClientSession session, final int reason, final int rejectedTemplateId)
    {
    }

    /**
     * A full snapshot of an entity entered the view. For an id already in the view (a resync, counted in
     * {@link ClientSession#spawnsReplacingHeld()}) it replaced what was held, in the same slot.
     */
    default void onSpawn(final ClientSession session, final ClientEntityView view, final int slot)
    {
    }

    default void onUpdate(final ClientSession session, final ClientEntityView view, final int slot, final int mask)
    {
    }

    /**
     * An entity left the view. {@code reason} is the layer's {@code DespawnReason}, or one the link decided itself:
     * {@code resync} for an entity a resumed layer did not send again ({@link ClientSession#staleDespawns()}),
     * {@code handedOff} for an entity whose next owner Replicant did not spawn it in time
     * ({@link ClientSession#ownerHandoffsExpired()}).
     */
    default void onDespawn(final ClientSession session, final long entityId, final int reason)
    {
    }

    /**
     * The durable outcome of a stow or unstow request.
     *
     * @param stowed whether the item is now in the Global store (true) or in the world (false).
     * @param status raw {@code io.orrery.wire.codec.OperationStatus} value.
     */
    default void onStowResult(
        final ClientSession session, final long operationId, final long itemEntityId, final boolean stowed,
        final int status)
    {
    }

    /**
     * The session lost its layer and starts resuming (with {@link ClientLink.Settings#resume(boolean)}): its state is
     * {@link ClientSession.State#RESUMING} until {@link #onWelcome} (resumed; {@link ClientSession#resumptions()}
     * counts it) or {@link #onDisconnect} (gave up at the resume deadline). No input is sent meanwhile; the view is
     * kept.
     *
     * @param cause {@link ClientSession#LOSS_IMAGE_CLOSED}, {@link ClientSession#LOSS_INGRESS_GONE},
     *              {@link ClientSession#LOSS_SILENCE}, {@link ClientSession#LOSS_SHUTDOWN} or
     *              {@link ClientSession#LOSS_SLOW_CONSUMER}.
     */
    default void onResumeStarted(final ClientSession session, final int cause)
    {
    }

    /**
     * The time dilation of the server simulating this session's entity changed.
     *
     * @param perMille game time per real time in 1/1000 (1000 = real time), {@code 1..1000}.
     * @param serverId the server simulating the entity, 0 if none.
     */
    default void onTimeDilation(final ClientSession session, final int perMille, final int serverId)
    {
    }

    /**
     * The session ended: the Replication Layer said so, it timed out, or it could not connect.
     *
     * @param reason a {@code DisconnectReason} value, or {@link ClientSession#REASON_LOCAL_TIMEOUT} /
     *               {@link ClientSession#REASON_CONNECT_FAILED} / {@link ClientSession#REASON_LAYER_GONE}.
     */
    default void onDisconnect(final ClientSession session, final int reason)
    {
    }
}
