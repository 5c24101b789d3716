/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * What {@link Atlas} is told: the commands of its deterministic state machine. Every command carries what Atlas
 * needs to decide, time included ({@code nowNs} is the sender's clock when it sent the command), so the same
 * sequence of commands always produces the same decisions, whichever thread or process runs it.
 * <p>
 * Sent by the {@link ServerMesh} (the Replicant's side of the mesh) through an {@link AtlasCommandProxy} into a ring,
 * read by an {@link AtlasCommandAdapter} on Atlas's agent. Servers are named by their index in the
 * {@link ShardConfig} ({@code serverIndex}) and the session the layer gave them ({@code sessionId}): a command about a
 * session Atlas no longer holds is ignored. Entities are named by id and {@code incarnation} (the cache's created
 * sequence of the entity, which tells apart two lives of the same id).
 */
public interface AtlasCommandHandler
{
    /**
     * A server session was welcomed and its egress is connected. If {@code replacedSessionId} is the session Atlas
     * holds for that server, the new session replaces it (a rejoin): it takes the old one's territories.
     */
    void onServerJoined(long nowNs, int serverIndex, long sessionId, long replacedSessionId);

    /**
     * The layer could not send to a server session (its control stream is back-pressured beyond repair): declare it
     * dead and fail it over.
     */
    void onServerFailed(long nowNs, int serverIndex, long sessionId);

    /**
     * A server's load report.
     *
     * @param timeDilationPerMille game time per real time of the server's simulation in 1/1000 (1000 = real time):
     *                             below 1000 the server is overloaded beyond what its tick time shows.
     */
    void onServerLoad(
        long nowNs,
        int serverIndex,
        long sessionId,
        int entityCount,
        int playerCount,
        long tickTimeP50Ns,
        long tickTimeMaxNs,
        float cpuLoad,
        int timeDilationPerMille);

    /**
     * Liveness of one server session as the layer sees it, sent for every active session just before each
     * {@link #onTick}: when it was last heard from (any message) and whether it has sent anything since its welcome.
     */
    void onServerSeen(int serverIndex, long sessionId, long lastHeardNs, boolean bound);

    /**
     * Atlas's timer: check liveness and handoff timeouts, then find entities whose territory's server is not their
     * authority.
     *
     * @param silenceFloorNs  silence is measured from no earlier than this (the layer resumed after a pause then).
     * @param ingressCaughtUp whether the layer had read all server ingress (else nobody is presumed silent).
     */
    void onTick(long nowNs, long tick, long silenceFloorNs, boolean ingressCaughtUp);

    /**
     * An entity entered the cache (a player joined, a server created it, it was restored or loaded).
     *
     * @param parentId 0 for a top-level entity.
     * @param epoch    its authority epoch now.
     */
    void onEntityAdded(
        long entityId, long incarnation, long parentId, boolean isZone, long x, long y, long z, long epoch);

    /**
     * An entity's position (local to its parent) or parent changed.
     */
    void onEntityMoved(long entityId, long incarnation, long parentId, long x, long y, long z);

    /**
     * An entity left the cache (destroyed, stowed, player gone, unloaded).
     */
    void onEntityRemoved(long entityId, long incarnation);

    /**
     * The releasing server of a handoff sent the entity's final state at {@code epoch}; the cache has it.
     */
    void onStreamOut(long nowNs, int serverIndex, long sessionId, long entityId, long epoch);

    /**
     * The receiving server of a handoff accepted it.
     */
    void onHandoffAccepted(long nowNs, int serverIndex, long sessionId, long handoffId, long entityId);

    /**
     * Resync only (a fresh Atlas rebuilding its table from the layer, {@link AtlasResync}): a territory as the layer
     * holds it, sent after the entities and before the server sessions, so that Atlas restores its box, its epoch
     * and the server it was granted to (a failed-over territory stays with its survivor) instead of rebuilding them
     * from configuration.
     *
     * @param serverIndex    the server holding it, or -1.
     * @param sessionId      that server's session, or 0.
     * @param territoryEpoch the territory's epoch as the layer last heard it.
     */
    void onTerritoryHeld(
        int territoryIndex,
        int serverIndex,
        long sessionId,
        long territoryEpoch,
        long minX,
        long minY,
        long minZ,
        long maxX,
        long maxY,
        long maxZ);
}
