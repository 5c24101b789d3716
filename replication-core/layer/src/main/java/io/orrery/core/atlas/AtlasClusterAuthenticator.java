/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.security.Authenticator;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.CredentialsSupplier;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Authentication of the clients of an Atlas cluster (the consensus module's {@link Authenticator}): a client session
 * is admitted only once it proved it holds the Atlas link key ({@link AtlasLinkKey}, derived from the shard's token
 * secret). Each connect request gets a challenge, {@code nonce (16 bytes) | cluster session id (8 bytes, little
 * endian)}; the answer must be {@code HMAC(K, ROLE_LAYER | low 32 bits of the session id | high 32 bits | nonce)}
 * ({@link AtlasLinkKey#prove}). A wrong answer rejects the session (counted in {@link #proofsFailed()}); a session that
 * never answers times out in the consensus module. The layer's side is {@link Credentials}.
 * <p>
 * What a peer that has not authenticated can make it hold: the consensus module does not tell an authenticator when a
 * pending session times out, so a challenge (or verdict) not taken within {@link #PENDING_TIMEOUT_MS} is forgotten,
 * swept at most once a second on the next connect request; a flood of connect requests costs at most its rate times
 * that timeout in challenges, never a table that only grows.
 * <p>
 * Threading: the consensus module's thread (one authenticator per consensus module, see {@link #supplier}).
 */
public final class AtlasClusterAuthenticator implements Authenticator
{
    /**
     * A pending session's challenge and verdict are kept this long at most (longer than the consensus module's
     * session timeout, after which it has dropped the session itself).
     */
    public static final long PENDING_TIMEOUT_MS = 30_000;

    static final int CHALLENGE_LENGTH = AtlasLinkKey.NONCE_LENGTH + 8;
    private static final byte[] CREDENTIALS = "orrery-atlas-layer".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final AtlasLinkKey key;
    private final SecureRandom random = new SecureRandom();
    private final Long2ObjectHashMap<byte[]> challenges = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Boolean> verdicts = new Long2ObjectHashMap<>();
    private final AtomicLong proofsFailed;
    private final byte[] nonce = new byte[AtlasLinkKey.NONCE_LENGTH];
    private final Long2LongHashMap challengedAtMs = new Long2LongHashMap(Long.MIN_VALUE);
    private long lastSweepMs = Long.MIN_VALUE;

    /**
     * @param tokenSecret  the shard's token secret (the layer's).
     * @param proofsFailed counts failed proofs (shared by the suppliers' authenticators).
     */
    public AtlasClusterAuthenticator(final byte[] tokenSecret, final AtomicLong proofsFailed)
    {
        this.key = new AtlasLinkKey(tokenSecret);
        this.proofsFailed = proofsFailed;
    }

    /**
     * @return a supplier of authenticators for a consensus module's context.
     */
    public static AuthenticatorSupplier supplier(final byte[] tokenSecret, final AtomicLong proofsFailed)
    {
        final byte[] secret = tokenSecret.clone();
        return () -> new AtlasClusterAuthenticator(secret, proofsFailed);
    }

    @Override
    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        sweep(nowMs);
        final byte[] challenge = new byte[CHALLENGE_LENGTH];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, challenge, 0, AtlasLinkKey.NONCE_LENGTH);
        putLong(challenge, AtlasLinkKey.NONCE_LENGTH, sessionId);
        challenges.put(sessionId, challenge);
        challengedAtMs.put(sessionId, nowMs);
    }

    /**
     * @return pending sessions held (challenged, not yet admitted or rejected).
     */
    public int pendingSessions()
    {
        return challenges.size();
    }

    private void sweep(final long nowMs)
    {
        if (nowMs - lastSweepMs < 1000 && Long.MIN_VALUE != lastSweepMs)
        {
            return;
        }
        lastSweepMs = nowMs;
        final Long2LongHashMap.EntryIterator entries = challengedAtMs.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            if (nowMs - entries.getLongValue() > PENDING_TIMEOUT_MS)
            {
                final long sessionId = entries.getLongKey();
                challenges.remove(sessionId);
                verdicts.remove(sessionId);
                entries.remove();
            }
        }
    }

    private void forget(final long sessionId)
    {
        challenges.remove(sessionId);
        verdicts.remove(sessionId);
        challengedAtMs.remove(sessionId);
    }

    @Override
    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final byte[] challenge = challenges.get(sessionId);
        if (null == challenge)
        {
            return;
        }
        boolean ok = false;
        if (null != encodedCredentials && AtlasLinkKey.MAC_LENGTH == encodedCredentials.length)
        {
            System.arraycopy(challenge, 0, nonce, 0, AtlasLinkKey.NONCE_LENGTH);
            ok = key.verify(AtlasLinkKey.ROLE_LAYER, (int)sessionId, (int)(sessionId >>> 32), nonce,
                encodedCredentials);
        }
        if (!ok)
        {
            proofsFailed.incrementAndGet();
        }
        verdicts.put(sessionId, Boolean.valueOf(ok));
    }

    @Override
    public void onConnectedSession(final io.aeron.security.SessionProxy sessionProxy, final long nowMs)
    {
        final byte[] challenge = challenges.get(sessionProxy.sessionId());
        if (null == challenge)
        {
            sessionProxy.reject();
            return;
        }
        sessionProxy.challenge(challenge);
    }

    @Override
    public void onChallengedSession(final io.aeron.security.SessionProxy sessionProxy, final long nowMs)
    {
        final long sessionId = sessionProxy.sessionId();
        final Boolean verdict = verdicts.get(sessionId);
        if (null == verdict)
        {
            return;
        }
        if (verdict)
        {
            if (sessionProxy.authenticate(CREDENTIALS))
            {
                forget(sessionId);
            }
        }
        else
        {
            sessionProxy.reject();
            forget(sessionId);
        }
    }

    private static void putLong(final byte[] dst, final int offset, final long value)
    {
        for (int i = 0; i < 8; i++)
        {
            dst[offset + i] = (byte)(value >>> (8 * i));
        }
    }

    private static long getLong(final byte[] src, final int offset)
    {
        long value = 0;
        for (int i = 0; i < 8; i++)
        {
            value |= (src[offset + i] & 0xFFL) << (8 * i);
        }
        return value;
    }

    /**
     * The layer's side: answers the cluster's challenge with the proof of the link key.
     * <p>
     * Threading: the thread connecting the cluster client.
     */
    public static final class Credentials implements CredentialsSupplier
    {
        private final AtlasLinkKey key;
        private final byte[] nonce = new byte[AtlasLinkKey.NONCE_LENGTH];

        /**
         * @param tokenSecret the shard's token secret.
         */
        public Credentials(final byte[] tokenSecret)
        {
            key = new AtlasLinkKey(tokenSecret);
        }

        @Override
        public byte[] encodedCredentials()
        {
            return CREDENTIALS.clone();
        }

        @Override
        public byte[] onChallenge(final byte[] encodedChallenge)
        {
            final byte[] proof = new byte[AtlasLinkKey.MAC_LENGTH];
            if (null == encodedChallenge || CHALLENGE_LENGTH != encodedChallenge.length)
            {
                return proof;
            }
            System.arraycopy(encodedChallenge, 0, nonce, 0, AtlasLinkKey.NONCE_LENGTH);
            final long sessionId = getLong(encodedChallenge, AtlasLinkKey.NONCE_LENGTH);
            key.prove(AtlasLinkKey.ROLE_LAYER, (int)sessionId, (int)(sessionId >>> 32), nonce, proof, 0);
            return proof;
        }
    }
}
