/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.replicant.EntityStore;
import io.orrery.core.server.EntitySnapshot;

/**
 * A test game server's read-only views, kept as a game server keeps them ({@code ViewTable}): the first callback of
 * a view sets every field, later ones the fields in their mask, the owner always. Fixed arrays, linear search: no
 * allocation, for the allocation tests. Counts callbacks that break the contract (an update before the first full
 * view, a removal of a view not held).
 * <p>
 * Threading: the test thread.
 */
final class ViewRecord
{
    static final int CAPACITY = 256;

    final long[] ids = new long[CAPACITY];
    final long[] x = new long[CAPACITY];
    final long[] y = new long[CAPACITY];
    final long[] z = new long[CAPACITY];
    final long[] zone = new long[CAPACITY];
    final float[] vx = new float[CAPACITY];
    final float[] vy = new float[CAPACITY];
    final float[] vz = new float[CAPACITY];
    final float[] radius = new float[CAPACITY];
    final long[] epoch = new long[CAPACITY];
    final int[] owner = new int[CAPACITY];
    final int[] archetype = new int[CAPACITY];
    int count;
    long contractBreaches;
    long ownerChanges;

    int indexOf(final long entityId)
    {
        for (int i = 0; i < count; i++)
        {
            if (ids[i] == entityId)
            {
                return i;
            }
        }
        return -1;
    }

    void onView(final EntitySnapshot view, final int ownerServerId, final int mask)
    {
        int i = indexOf(view.entityId());
        int fields = mask;
        if (i < 0)
        {
            if (EntityStore.ALL_FIELDS != mask || count == CAPACITY)
            {
                contractBreaches++;
                return;
            }
            i = count++;
            ids[i] = view.entityId();
            archetype[i] = view.archetypeId();
            fields = EntityStore.ALL_FIELDS;
        }
        else if (owner[i] != ownerServerId)
        {
            ownerChanges++;
        }
        owner[i] = ownerServerId;
        if (0 != (fields & EntityStore.POSITION))
        {
            x[i] = view.x();
            y[i] = view.y();
            z[i] = view.z();
        }
        if (0 != (fields & EntityStore.PARENT_ZONE))
        {
            zone[i] = view.parentZoneId();
        }
        if (0 != (fields & EntityStore.VELOCITY))
        {
            vx[i] = view.vx();
            vy[i] = view.vy();
            vz[i] = view.vz();
        }
        if (0 != (fields & EntityStore.SIZE))
        {
            radius[i] = view.radius();
        }
        if (0 != (fields & EntityStore.AUTHORITY_EPOCH))
        {
            epoch[i] = view.authorityEpoch();
        }
    }

    void onRemoved(final long entityId)
    {
        final int i = indexOf(entityId);
        if (i < 0)
        {
            contractBreaches++;
            return;
        }
        final int last = --count;
        ids[i] = ids[last];
        x[i] = x[last];
        y[i] = y[last];
        z[i] = z[last];
        zone[i] = zone[last];
        vx[i] = vx[last];
        vy[i] = vy[last];
        vz[i] = vz[last];
        radius[i] = radius[last];
        epoch[i] = epoch[last];
        owner[i] = owner[last];
        archetype[i] = archetype[last];
    }
}
