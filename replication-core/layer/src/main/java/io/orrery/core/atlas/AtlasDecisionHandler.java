/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * What {@link Atlas} decides, applied by the {@link ServerMesh} (the Replicant's side of the mesh): it holds the
 * cache, tells the servers and routes input accordingly. Sent through an {@link AtlasDecisionProxy} into a ring and
 * read by an {@link AtlasDecisionAdapter}. A decision about a server session the mesh no longer holds, or about an
 * entity incarnation no longer in the cache, is not sent to anyone (Atlas hears of the change and decides again).
 */
public interface AtlasDecisionHandler
{
    /**
     * A territory (by index in the {@link ShardConfig}) is granted to a server session at a new territory epoch.
     */
    void onTerritoryGranted(int territoryIndex, int serverIndex, long sessionId, long territoryEpoch);

    /**
     * A box territory's borders moved (the balancer gives part of a loaded server's territory to its neighbour): its
     * server session, if it has one, is told the new box at a new territory epoch. Entities now on the other side
     * are handed off by the usual protocol.
     *
     * @param serverIndex the territory's server, or -1 if it has none.
     */
    void onTerritoryResized(
        int territoryIndex,
        int serverIndex,
        long sessionId,
        long minX,
        long minY,
        long minZ,
        long maxX,
        long maxY,
        long maxZ,
        long territoryEpoch);

    /**
     * Dynamic meshing wants a server of the shard started ({@code wanted}: a loaded server is to be split and no
     * spare server is connected) or retired (it was merged away and holds nothing). The layer passes it to its fleet,
     * if it has one.
     */
    void onServerWanted(int serverIndex, boolean wanted);

    /**
     * A territory has no server any more (its server's session ended).
     */
    void onTerritoryFreed(int territoryIndex, int serverIndex, long sessionId);

    /**
     * A server session ended: declared dead ({@code failedOver}) or replaced by a newer session of the same server.
     * Its egress is closed unless a newer session already took its place.
     */
    void onServerRetired(int serverIndex, long sessionId, boolean failedOver);

    /**
     * A server session becomes the authority over an entity at {@code epoch}, without handoff (it had none, or its
     * authority died): the cached state is streamed in and retained input replayed.
     *
     * @param territoryId id of the territory it gets the entity with, 0 when not for a territory grant.
     */
    void onAuthorityAssigned(
        long entityId, long incarnation, int serverIndex, long sessionId, int territoryId, long epoch);

    /**
     * A handoff starts: the authority {@code fromIndex} is asked to release, {@code toIndex} to prepare (and gets the
     * cached state to preload). Input is held from now until the commit.
     */
    void onHandoffStarted(
        long handoffId,
        long entityId,
        long incarnation,
        int fromIndex,
        long fromSessionId,
        int toIndex,
        long toSessionId,
        int territoryId,
        long newEpoch);

    /**
     * A handoff commits: {@code toIndex} is the authority at {@code newEpoch}, gets the final (cached) state and the
     * held input above it.
     */
    void onHandoffCommitted(
        long handoffId,
        long entityId,
        long incarnation,
        int fromIndex,
        int toIndex,
        long toSessionId,
        long newEpoch);

    /**
     * A handoff is abandoned (its target's session ended). With {@code orphaned} the entity has no authority any more
     * (its old authority had already released it); else the old authority keeps it.
     */
    void onHandoffAbandoned(long entityId, long incarnation, boolean orphaned);

    /**
     * An entity has no authority any more (its authority's session ended); its input is held until it is assigned.
     */
    void onAuthorityCleared(long entityId, long incarnation);
}
