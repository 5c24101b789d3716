/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * Atlas's decisions handed straight to the mesh on the same thread, for a layer that steps Atlas inline. The
 * mesh never sends Atlas a command while it applies a decision, so the direct call does not re-enter Atlas.
 */
final class AtlasDecisionRelay implements AtlasDecisionHandler
{
    private AtlasDecisionHandler target;

    void target(final AtlasDecisionHandler target)
    {
        this.target = target;
    }

    @Override
    public void onTerritoryGranted(
        final int territoryIndex, final int serverIndex, final long sessionId, final long territoryEpoch)
    {
        target.onTerritoryGranted(territoryIndex, serverIndex, sessionId, territoryEpoch);
    }

    @Override
    public void onTerritoryFreed(final int territoryIndex, final int serverIndex, final long sessionId)
    {
        target.onTerritoryFreed(territoryIndex, serverIndex, sessionId);
    }

    @Override
    public void onServerRetired(final int serverIndex, final long sessionId, final boolean failedOver)
    {
        target.onServerRetired(serverIndex, sessionId, failedOver);
    }

    @Override
    public void onAuthorityAssigned(
        final long entityId,
        final long incarnation,
        final int serverIndex,
        final long sessionId,
        final int territoryId,
        final long epoch)
    {
        target.onAuthorityAssigned(entityId, incarnation, serverIndex, sessionId, territoryId, epoch);
    }

    @Override
    public void onHandoffStarted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final long fromSessionId,
        final int toIndex,
        final long toSessionId,
        final int territoryId,
        final long newEpoch)
    {
        target.onHandoffStarted(handoffId, entityId, incarnation, fromIndex, fromSessionId, toIndex, toSessionId,
            territoryId, newEpoch);
    }

    @Override
    public void onHandoffCommitted(
        final long handoffId,
        final long entityId,
        final long incarnation,
        final int fromIndex,
        final int toIndex,
        final long toSessionId,
        final long newEpoch)
    {
        target.onHandoffCommitted(handoffId, entityId, incarnation, fromIndex, toIndex, toSessionId, newEpoch);
    }

    @Override
    public void onHandoffAbandoned(final long entityId, final long incarnation, final boolean orphaned)
    {
        target.onHandoffAbandoned(entityId, incarnation, orphaned);
    }

    @Override
    public void onAuthorityCleared(final long entityId, final long incarnation)
    {
        target.onAuthorityCleared(entityId, incarnation);
    }
}
