/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.codec.WelcomeDecoder;

/**
 * What the {@link ClientResponseAdapter} calls for the responses that change a session's lifecycle; the
 * {@link ClientLink} holds the sessions and their handshake and resumption state.
 * <p>
 * Threading: called on the link's duty cycle thread only.
 */
interface ClientResponseListener
{
    /**
     * @param imageSessionId Aeron session id of the response image a message came on.
     * @return the session bound to that image by its welcome, or null.
     */
    ClientSession sessionByImage(int imageSessionId);

    /**
     * A welcome on an image bound to no session.
     *
     * @param imageSessionId Aeron session id of the response image it came on.
     * @param welcome        the decoder, wrapped over the welcome.
     * @return true if it answered the hello of a session awaiting its welcome (the image is now bound to it).
     */
    boolean onWelcome(int imageSessionId, WelcomeDecoder welcome);

    /**
     * A reject on an image bound to no session: an answer to a hello, if its correlation id is one of a session
     * awaiting its welcome.
     *
     * @return true if it was trusted (it answered such a session's hello), false if it was ignored.
     */
    boolean onHelloRejected(long clientCorrelationId, int reason, int rejectedTemplateId);

    /**
     * The layer ended a connected session.
     */
    void onDisconnect(ClientSession session, int reason);
}
