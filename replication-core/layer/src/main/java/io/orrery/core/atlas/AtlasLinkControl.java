/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * The Aeron link's own handshake between the layer and an Atlas in another process (schema templates 201..299),
 * never passed to Atlas or the mesh.
 * <ol>
 *   <li>Each side authenticates every publisher of the other side's stream before anything of it is applied
 *   ({@code LinkChallenge}/{@code LinkProof}, {@link AtlasLinkAuthenticator}); the first publisher that proves itself
 *   is accepted ({@link #onSessionAccepted}). Atlas also sends {@code LinkHeartbeat} when it is otherwise quiet.</li>
 *   <li>Atlas starts a fresh table whenever it accepts a new command publisher (a layer started or restarted, or
 *   Atlas itself restarted) and sends {@code ResyncRequest(generation)} on its decision stream, again every
 *   {@link AtlasRemoteAgent#RESYNC_REQUEST_INTERVAL_NS} until it hears {@code ResyncComplete(generation)}.</li>
 *   <li>The layer answers a request for a generation it has not answered from that Atlas session by resending its
 *   whole state ({@link AtlasResync}) on the command stream, followed by {@code ResyncComplete(generation)}.</li>
 * </ol>
 * Threading: called on the thread polling the subscriber.
 */
public interface AtlasLinkControl
{
    /**
     * The layer's side: Atlas (publishing as Aeron session {@code atlasSessionId}) asks for the layer's state.
     */
    default void onResyncRequest(final int atlasSessionId, final long generation)
    {
    }

    /**
     * Atlas's side: the layer resent its state for {@code generation}.
     */
    default void onResyncComplete(final long generation)
    {
    }

    /**
     * A publisher's session was accepted: it proved it holds the link key, and no other is held.
     */
    default void onSessionAccepted(final int sessionId)
    {
    }

    /**
     * The accepted publisher's image went away (its process died or closed it): the next publisher that proved itself
     * (or proves itself later) is accepted.
     */
    default void onSessionLost(final int sessionId)
    {
    }
}
