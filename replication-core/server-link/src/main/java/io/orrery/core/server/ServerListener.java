/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.server;

/**
 * Callbacks from a {@link ServerLink} to the game server that embeds it, invoked on the thread that runs the link's
 * {@link ServerLink#doWork()}. Every method has a no-op default. Implementations must not block; the hot-path
 * callbacks ({@link #onForwardedInput}, {@link #onClientView}, {@link #onClientViewRemoved}) must not allocate.
 * <p>
 * Ownership model, as seen by a game server:
 * <ul>
 *   <li>{@link #onEntityStreamIn} means "from now on you are the authority over this entity, at
 *   {@code snapshot.authorityEpoch()}; here is its state". Simulate it and write its state with that epoch.</li>
 *   <li>{@link #onHandoffRelease} means "stop simulating this entity": apply every input you have received for it,
 *   then call {@link ServerLink#releaseEntity(io.orrery.link.EntityState)} with its final state (inside the callback or on your
 *   next tick, before the shard's handoff timeout), and stop writing it.</li>
 *   <li>{@link #onEntityRemoved} means the entity is gone (its player left, or it was destroyed): stop simulating.</li>
 *   <li>{@link #onServerReject} with reason {@code staleEpoch} or {@code notAuthority} for an entity means that you
 *   were no longer its authority at the epoch your refused write carried (for example you were too slow to release
 *   it): stop simulating it, unless you hold it at a newer epoch than that (it was streamed in again meanwhile, and
 *   the reject, sent before, is about your past).</li>
 * </ul>
 * {@link #onHandoffPrepare} / {@link #onHandoffCommit} are informational for the receiving server (preload, commit);
 * a server that ignores them still works, because ownership starts with {@link #onEntityStreamIn}.
 * <p>
 * Snapshots passed to callbacks are flyweights reused by the link: copy what you keep before returning.
 */
public interface ServerListener
{
    ServerListener NO_OP = new ServerListener()
    {
    };

    /**
     * The Replication Layer accepted this server.
     *
     * @param serverSessionId id of this connection at the Replication Layer.
     * @param entityIdBase    first id of the block this server creates entities in ({@link ServerLink#nextEntityId()}).
     * @param entityIdCount   ids in the block.
     */
    default void onWelcome(final ServerLink link, final long serverSessionId, final long entityIdBase,
        final long entityIdCount)
    {
    }

    /**
     * The hello was refused (bad token, unknown server id, unsupported version); the link is closed.
     *
     * @param reason a {@code io.orrery.wire.codec.RejectReason} value.
     * @param text   human readable reason (control path: a String).
     */
    default void onRejected(final ServerLink link, final int reason, final String text)
    {
    }

    /**
     * This server now simulates a territory. Box bounds are millimetres in the world frame, min inclusive, max
     * exclusive ({@code Long.MIN_VALUE} / {@code Long.MAX_VALUE} for unbounded); {@code rootZoneId} is non-zero for
     * a zone-subtree territory. Entities in it arrive through {@link #onEntityStreamIn}.
     */
    default void onTerritoryGranted(final ServerLink link, final int territoryId, final long epoch,
        final long rootZoneId, final long minXMm, final long minYMm, final long minZMm, final long maxXMm,
        final long maxYMm, final long maxZMm)
    {
    }

    /**
     * This server no longer simulates a territory.
     *
     * @param reason a {@code io.orrery.wire.codec.RevokeReason} value.
     */
    default void onTerritoryRevoked(final ServerLink link, final int territoryId, final long epoch, final int reason)
    {
    }

    /**
     * This server is now the authority over {@code snapshot.entityId()} at {@code snapshot.authorityEpoch()}.
     * Inputs with a sequence above {@code snapshot.lastAppliedInputSequence()} follow as forwarded input.
     */
    default void onEntityStreamIn(final ServerLink link, final EntitySnapshot snapshot)
    {
    }

    /**
     * The entity is gone from the shard (its player left, it was destroyed): stop simulating it, or drop its view.
     *
     * @param reason a {@code io.orrery.wire.codec.DespawnReason} value.
     */
    default void onEntityRemoved(final ServerLink link, final long entityId, final int reason)
    {
    }

    /**
     * This server is about to receive an entity from {@code fromServerId}: {@code latest} is the latest cached state
     * (to preload assets or warm caches). Do not simulate it yet: ownership starts at {@link #onEntityStreamIn}. The
     * link answers the Replication Layer's prepare by itself.
     */
    default void onHandoffPrepare(final ServerLink link, final long entityId, final int fromServerId,
        final long newEpoch, final EntitySnapshot latest)
    {
    }

    /**
     * Hand {@code entityId} over to {@code toServerId}: apply every input received for it, then call
     * {@link ServerLink#releaseEntity(io.orrery.link.EntityState)} with its final state (epoch {@code epoch}) and stop simulating
     * it. Inputs for it stop arriving at this server once this callback is made.
     */
    default void onHandoffRelease(final ServerLink link, final long entityId, final long epoch,
        final int toServerId)
    {
    }

    /**
     * A handoff to this server committed: the final state follows as {@link #onEntityStreamIn}, then inputs with a
     * sequence above {@code lastDeliveredInputSequence}, each exactly once.
     */
    default void onHandoffCommit(final ServerLink link, final long entityId, final int fromServerId,
        final long newEpoch, final long lastDeliveredInputSequence)
    {
    }

    /**
     * Hot path: player input for an entity this server simulates. {@code input} is reused by the link after this
     * returns.
     */
    default void onForwardedInput(final ServerLink link, final ForwardedInput input)
    {
    }

    /**
     * Hot path: read-only view of an entity owned by another server, near this server's territories. The first view
     * of an entity carries every field; later ones carry the fields in {@code changedMask} (bits of
     * {@code fieldMask}; the other fields of {@code view} are not meaningful with {@code ClientViewBatch}, and hold
     * the last values sent with {@code ClientViewsCompact}, whose positions are within its 5 mm resolution). With
     * compact views a mask of 0 means only {@code ownerServerId} changed.
     */
    default void onClientView(final ServerLink link, final EntitySnapshot view, final int ownerServerId,
        final int changedMask)
    {
    }

    /**
     * Hot path: the entity's view left this server's margin (or the entity is now owned by this server).
     */
    default void onClientViewRemoved(final ServerLink link, final long entityId)
    {
    }

    /**
     * A message of this server was refused. Once per kind the Replication Layer names the entity concerned.
     *
     * @param reason             a {@code io.orrery.wire.codec.RejectReason} value ({@code staleEpoch},
     *                           {@code notAuthority}, {@code malformedMessage}, ...).
     * @param rejectedTemplateId template id of the refused message.
     * @param entityId           entity concerned, or 0.
     * @param rejectedEpoch      {@code staleEpoch}, {@code notAuthority}: the authority epoch the refused write
     *                           carried; a server holding the entity at a newer epoch keeps it. 0 otherwise.
     */
    default void onServerReject(final ServerLink link, final int reason, final int rejectedTemplateId,
        final long entityId, final long rejectedEpoch)
    {
    }

    /**
     * The layer went silent past the link's layer timeout ({@link ServerLink#REASON_TIMEOUT}) or its image went away
     * ({@link ServerLink#REASON_CLOSED_BY_SHARD}) or it said goodbye on a clean close ({@link
     * ServerLink#REASON_LAYER_CLOSED}) and the link is rejoining: nothing this server holds is its own any
     * more; stop simulating (writes cannot reach the layer, and a restarted layer will not take them). On the next
     * {@link #onWelcome} drop the old world: the layer grants territories and streams their entities in again.
     */
    default void onLayerLost(final ServerLink link, final int reason)
    {
    }

    /**
     * The connection ended: the Replication Layer closed it (for example it declared this server dead), it went
     * silent past the timeout, or the link could not connect. Entities this server simulated are no longer its own.
     *
     * @param reason one of {@link ServerLink#REASON_CONNECT_FAILED}, {@link ServerLink#REASON_TIMEOUT},
     *               {@link ServerLink#REASON_CLOSED_BY_SHARD}, {@link ServerLink#REASON_LOCAL_CLOSE}.
     */
    default void onDisconnected(final ServerLink link, final int reason)
    {
    }
}
