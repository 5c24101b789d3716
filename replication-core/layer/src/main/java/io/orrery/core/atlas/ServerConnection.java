/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ExclusivePublication;
import io.orrery.wire.codec.RejectReason;

import java.util.Arrays;

/**
 * The Replication Layer's side of one configured game server: its connection state, its egress publication, its
 * heartbeat and load, and the read-only views it has been sent. There is one instance per server id of the
 * {@link ShardConfig}, reused when a server reconnects.
 * <p>
 * Threading: Replicant thread only.
 */
public final class ServerConnection
{
    /**
     * Where the connection is.
     */
    public enum State
    {
        /**
         * No connection.
         */
        NONE,
        /**
         * Hello accepted, waiting for the egress publication to connect, then welcome. Only a candidate (the
         * connection a hello opens) is in this state; the server's own connection stays as it is (a live server
         * keeps serving) until the candidate is welcomed and takes its place.
         */
        AWAITING_WELCOME,
        /**
         * Hello refused, waiting for the egress publication to connect to send the reject.
         */
        AWAITING_REJECT,
        /**
         * Welcomed and heartbeating.
         */
        ACTIVE
    }

    final int index;
    final int serverId;
    State state = State.NONE;
    int imageSessionId;
    long serverSessionId;
    long helloNonce;
    long registrationId;
    ExclusivePublication publication;
    long deadlineNs;
    long lastHeartbeatNs;
    long lastHeartbeatSentNs;
    long connectedNs;
    RejectReason rejectReason;
    String rejectText;

    int territoryCount;
    int entityCount;
    int reportedEntityCount;
    float reportedCpuLoad;

    /**
     * When an offer to this session last succeeded (layer clock), and whether a longer gap than the link's layer
     * timeout can tolerate was seen since the server last proved it still reads this session.
     */
    long lastOfferOkNs;
    boolean claimsSuspended;
    /**
     * The server sent something on this session after its welcome, so its link took the welcome and reads what this
     * session is sent (a link whose hello attempt timed out sends a new hello and ignores the old attempt's welcome).
     */
    boolean bound;
    /**
     * The {@code serverSessionId} of the live session this one replaced (the server rejoined while the layer still
     * served its old session), 0 if the previous session ended otherwise (declared dead) or there was none.
     */
    long replacedSessionId;

    long lastStaleToldEntityId;
    long lastUnauthorisedToldEntityId;
    boolean broken;

    /**
     * Per store slot: the change sequence at which the entity was last sent as a view, and its created sequence then
     * (-1: not viewed).
     */
    final long[] viewSentSeq;
    final long[] viewCreatedSeq;
    final long[] viewStampTick;
    long[] viewedIds = new long[64];
    long[] nextViewedIds = new long[64];
    int viewedCount;
    final ServerViewHandles viewHandles;

    ServerConnection(final int index, final int serverId, final int storeCapacity)
    {
        this.index = index;
        this.serverId = serverId;
        viewSentSeq = new long[storeCapacity];
        viewCreatedSeq = new long[storeCapacity];
        viewStampTick = new long[storeCapacity];
        Arrays.fill(viewCreatedSeq, -1);
        viewHandles = new ServerViewHandles(storeCapacity);
    }

    public int serverId()
    {
        return serverId;
    }

    public State state()
    {
        return state;
    }

    public boolean isActive()
    {
        return State.ACTIVE == state;
    }

    /**
     * @return entities this server is the authority over.
     */
    public int entityCount()
    {
        return entityCount;
    }

    public int territoryCount()
    {
        return territoryCount;
    }

    public long lastHeartbeatNs()
    {
        return lastHeartbeatNs;
    }

    void resetViews()
    {
        Arrays.fill(viewCreatedSeq, -1);
        viewedCount = 0;
        viewHandles.reset();
    }

    void resetSession()
    {
        imageSessionId = 0;
        serverSessionId = 0;
        helloNonce = 0;
        registrationId = 0;
        publication = null;
        rejectReason = null;
        rejectText = null;
        territoryCount = 0;
        entityCount = 0;
        lastStaleToldEntityId = 0;
        lastUnauthorisedToldEntityId = 0;
        lastOfferOkNs = 0;
        claimsSuspended = false;
        bound = false;
        replacedSessionId = 0;
        resetViews();
    }

    @Override
    public String toString()
    {
        return "ServerConnection{serverId=" + serverId + ", state=" + state + ", territories=" + territoryCount +
            ", entities=" + entityCount + '}';
    }
}
