/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.EdgeKind;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.WorldBatch;
import io.orrery.persistence.NodeRecords;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Binding {@link NodeRecord}s and batches to statements and reading them back from rows, in the column orders of
 * {@link PostgresSchema}. Threading: stateless.
 */
final class PostgresRows
{
    private PostgresRows()
    {
    }

    /**
     * Bind the upserts {@code selected[from .. to)} of the batch to the fourteen array parameters of
     * {@link PostgresSchema#upsertNodes(boolean)}.
     */
    static void bindNodeArrays(
        final Connection c,
        final PGConnection pgConnection,
        final PreparedStatement upsertNodes,
        final WorldBatch batch,
        final int[] selected,
        final int from,
        final int to)
        throws SQLException
    {
        final int n = to - from;
        final long[] entityIds = new long[n];
        final int[] archetypeIds = new int[n];
        final long[] parentZoneIds = new long[n];
        final long[] ownerPlayerIds = new long[n];
        final boolean[] zones = new boolean[n];
        final long[] xs = new long[n];
        final long[] ys = new long[n];
        final long[] zs = new long[n];
        final float[] qxs = new float[n];
        final float[] qys = new float[n];
        final float[] qzs = new float[n];
        final float[] qws = new float[n];
        final float[] radii = new float[n];
        final byte[][] states = new byte[n][];
        final long[] lastApplied = new long[n];
        for (int i = 0; i < n; i++)
        {
            final NodeRecord node = batch.nodeUpsert(selected[from + i]);
            entityIds[i] = node.entityId;
            archetypeIds[i] = node.archetypeId;
            parentZoneIds[i] = node.parentZoneId;
            ownerPlayerIds[i] = node.ownerPlayerId;
            zones[i] = node.isZone;
            xs[i] = node.x;
            ys[i] = node.y;
            zs[i] = node.z;
            qxs[i] = node.qx;
            qys[i] = node.qy;
            qzs[i] = node.qz;
            qws[i] = node.qw;
            radii[i] = node.radius;
            states[i] = Arrays.copyOf(node.componentState, node.componentStateLength);
            lastApplied[i] = node.lastAppliedInputSequence;
        }

        int p = 1;
        upsertNodes.setArray(p++, pgConnection.createArrayOf("int8", entityIds));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("int4", archetypeIds));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("int8", parentZoneIds));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("int8", ownerPlayerIds));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("bool", zones));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("int8", xs));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("int8", ys));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("int8", zs));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("float4", qxs));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("float4", qys));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("float4", qzs));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("float4", qws));
        upsertNodes.setArray(p++, pgConnection.createArrayOf("float4", radii));
        upsertNodes.setArray(p++, c.createArrayOf("bytea", states));
        upsertNodes.setArray(p, pgConnection.createArrayOf("int8", lastApplied));
    }

    static void bindEdges(
        final PGConnection pgConnection,
        final PreparedStatement statement,
        final WorldBatch batch,
        final boolean removed,
        final int count)
        throws SQLException
    {
        final long[] from = new long[count];
        final short[] kinds = new short[count];
        final long[] to = new long[count];
        int j = 0;
        for (int i = 0, n = batch.edgeCount(); i < n; i++)
        {
            final EdgeKind kind = batch.edgeKind(i);
            if (NodeRecords.isExplicit(kind) && batch.isEdgeRemoved(i) == removed)
            {
                from[j] = batch.edgeFrom(i);
                kinds[j] = (short)kind.code();
                to[j] = batch.edgeTo(i);
                j++;
            }
        }
        statement.setArray(1, pgConnection.createArrayOf("int8", from));
        statement.setArray(2, pgConnection.createArrayOf("int2", kinds));
        statement.setArray(3, pgConnection.createArrayOf("int8", to));
    }

    /**
     * Bind a node's fields after its id (archetype .. component state: the {@code NODE_PARAMETERS} of the
     * {@link PostgresSchema} functions) from parameter {@code first} on.
     *
     * @return the next free parameter index.
     */
    static int bindNodeFields(final PreparedStatement statement, final int first, final NodeRecord node)
        throws SQLException
    {
        int p = first;
        statement.setInt(p++, node.archetypeId);
        statement.setLong(p++, node.parentZoneId);
        statement.setLong(p++, node.ownerPlayerId);
        statement.setBoolean(p++, node.isZone);
        statement.setLong(p++, node.x);
        statement.setLong(p++, node.y);
        statement.setLong(p++, node.z);
        statement.setFloat(p++, node.qx);
        statement.setFloat(p++, node.qy);
        statement.setFloat(p++, node.qz);
        statement.setFloat(p++, node.qw);
        statement.setFloat(p++, node.radius);
        statement.setBytes(p++, Arrays.copyOf(node.componentState, node.componentStateLength));
        return p;
    }

    /**
     * Read the {@link PostgresSchema#NODE_COLUMNS} starting at column {@code first}.
     */
    static void readNode(final ResultSet rows, final int first, final NodeRecord into) throws SQLException
    {
        int p = first;
        into.entityId = rows.getLong(p++);
        into.archetypeId = rows.getInt(p++);
        into.parentZoneId = rows.getLong(p++);
        into.ownerPlayerId = rows.getLong(p++);
        into.isZone = rows.getBoolean(p++);
        into.x = rows.getLong(p++);
        into.y = rows.getLong(p++);
        into.z = rows.getLong(p++);
        into.qx = rows.getFloat(p++);
        into.qy = rows.getFloat(p++);
        into.qz = rows.getFloat(p++);
        into.qw = rows.getFloat(p++);
        into.radius = rows.getFloat(p++);
        readState(rows.getBytes(p++), into);
        into.lastAppliedInputSequence = rows.getLong(p);
    }

    /**
     * Read the {@link PostgresSchema#STOWED_COLUMNS}; the record's owner is the node's own owner field.
     */
    static void readStowed(final ResultSet rows, final NodeRecord into) throws SQLException
    {
        into.entityId = rows.getLong(1);
        into.archetypeId = rows.getInt(4);
        into.parentZoneId = rows.getLong(5);
        into.ownerPlayerId = rows.getLong(6);
        into.isZone = rows.getBoolean(7);
        into.x = rows.getLong(8);
        into.y = rows.getLong(9);
        into.z = rows.getLong(10);
        into.qx = rows.getFloat(11);
        into.qy = rows.getFloat(12);
        into.qz = rows.getFloat(13);
        into.qw = rows.getFloat(14);
        into.radius = rows.getFloat(15);
        readState(rows.getBytes(16), into);
        into.lastAppliedInputSequence = 0;
    }

    static void readState(final byte[] state, final NodeRecord into)
    {
        if (state.length > NodeRecord.MAX_COMPONENT_STATE_LENGTH)
        {
            throw new IllegalStateException("stored node " + into.entityId + " has " + state.length + " state bytes");
        }
        System.arraycopy(state, 0, into.componentState, 0, state.length);
        into.componentStateLength = state.length;
    }
}
