/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What an Atlas cluster's authenticator holds for peers that never answer its challenge: the consensus module drops
 * such sessions without telling it, so their challenges must not stay for ever.
 */
class AtlasClusterAuthenticatorTest
{
    @Test
    void shouldForgetChallengesOfSessionsThatNeverAnswer()
    {
        final AtomicLong proofsFailed = new AtomicLong();
        final AtlasClusterAuthenticator authenticator =
            new AtlasClusterAuthenticator(MeshTestShard.SECRET, proofsFailed);
        for (long sessionId = 1; sessionId <= 1000; sessionId++)
        {
            authenticator.onConnectRequest(sessionId, new byte[0], sessionId);
        }
        assertEquals(1000, authenticator.pendingSessions());

        final long later = 1000 + AtlasClusterAuthenticator.PENDING_TIMEOUT_MS + 1;
        authenticator.onConnectRequest(5000, new byte[0], later);
        assertEquals(1, authenticator.pendingSessions(), "only the new session's challenge is left");

        authenticator.onChallengeResponse(5000, new byte[3], later);
        assertEquals(1, proofsFailed.get(), "a malformed answer is a failed proof");
    }
}
