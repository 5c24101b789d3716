/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.PlayerTokenKeys;
import io.orrery.core.auth.SessionTokens;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a {@link GatewayServer} runs with: the player key alone (and the link secret), or the shard's token secret with
 * a warning; every other combination refused with a line that says what to give it.
 */
class GatewayServerKeysTest
{
    private static final byte[] SECRET = "gateway-keys-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LINK_SECRET = "gateway-keys-test-link-secret-0123".getBytes(StandardCharsets.UTF_8);
    private static final String PLAYER_KEY_HEX = BitUtil.toHex(SessionTokens.playerTokenKey(SECRET));

    private final ByteArrayOutputStream said = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);

    @Test
    void shouldRunWithThePlayerKeyAloneAndVerifyTheShardsPlayerTokens()
    {
        final GatewayServer.Keys keys = GatewayServer.Keys.resolve(null, PLAYER_KEY_HEX, LINK_SECRET, false, "gw", out);

        assertNotNull(keys, said.toString(StandardCharsets.UTF_8));
        assertNull(keys.tokenSecret, "the Gateway holds no token secret");
        assertArrayEquals(LINK_SECRET, keys.linkSecret);
        final byte[] token = new SessionTokens(SECRET).issue(7, System.currentTimeMillis() + 60_000);
        assertEquals(SessionTokens.VALID, SessionTokens.forPlayerKey(keys.playerTokenKey)
            .verify(new UnsafeBuffer(token), 0, token.length, System.currentTimeMillis()));
        assertEquals("", said.toString(StandardCharsets.UTF_8), "nothing to warn about");
    }

    @Test
    void shouldRefuseThePlayerKeyWithoutALinkSecretOfItsOwn()
    {
        assertNull(GatewayServer.Keys.resolve(null, PLAYER_KEY_HEX, null, false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains(GatewayServer.LINK_SECRET_ENV), said.toString());
        said.reset();
        assertNull(GatewayServer.Keys.resolve(null, PLAYER_KEY_HEX, new byte[8], false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("at least"), said.toString());
    }

    @Test
    void shouldRefuseAMalformedPlayerKey()
    {
        assertNull(GatewayServer.Keys.resolve(null, PLAYER_KEY_HEX.substring(2), LINK_SECRET, false, "gw", out));
        assertNull(GatewayServer.Keys.resolve(
            null, "zz" + PLAYER_KEY_HEX.substring(2), LINK_SECRET, false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains(GatewayServer.PLAYER_KEY_ENV), said.toString());
    }

    @Test
    void shouldRefuseBothThePlayerKeyAndTheTokenSecret()
    {
        assertNull(GatewayServer.Keys.resolve(
            new String(SECRET, StandardCharsets.UTF_8), PLAYER_KEY_HEX, LINK_SECRET, false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("not both"), said.toString());
    }

    @Test
    void shouldWarnWhenItHoldsTheTokenSecretAndDeriveTheLinkSecretFromItByDefault()
    {
        final GatewayServer.Keys keys = GatewayServer.Keys.resolve(
            new String(SECRET, StandardCharsets.UTF_8), null, null, false, "gw", out);

        assertNotNull(keys);
        assertArrayEquals(SECRET, keys.tokenSecret);
        assertArrayEquals(SECRET, keys.linkSecret);
        assertArrayEquals(SessionTokens.playerTokenKey(SECRET), keys.playerTokenKey);
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("holds the shard's token secret"), said.toString());
    }

    @Test
    void shouldNotWarnAboutTheTokenSecretInDevelopmentMode()
    {
        final GatewayServer.Keys keys = GatewayServer.Keys.resolve(null, null, null, true, "gw", out);

        assertNotNull(keys);
        assertFalse(said.toString(StandardCharsets.UTF_8).contains("holds the shard's token secret"), said.toString());
    }

    @Test
    void shouldPrintThePlayerKeyWithoutALayerLinkAndRefuseToRunWithoutOne()
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final int exitCode;
        try
        {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            exitCode = new CommandLine(new GatewayServer()).execute(
                "--print-player-token-key", "--token-secret=" + new String(SECRET, StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(stdout);
        }

        assertEquals(0, exitCode);
        assertEquals(PLAYER_KEY_HEX, printed.toString(StandardCharsets.UTF_8).trim());
        final CommandLine run = new CommandLine(new GatewayServer());
        run.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, run.execute("--token-secret=" + new String(SECRET, StandardCharsets.UTF_8)),
            "a Gateway to run needs --layer-link");
    }

    @Test
    void shouldRunWithTheEd25519PublicKeyAndTheLinkSecretAloneAndVerifyTokensOfThePrivateKeyOnly()
    {
        final byte[][] pair = Ed25519PlayerTokens.generateKeyPair();
        final GatewayServer.Keys keys = GatewayServer.Keys.resolve(
            null, null, BitUtil.toHex(pair[1]), LINK_SECRET, false, "gw", out);

        assertNotNull(keys, said.toString(StandardCharsets.UTF_8));
        assertNull(keys.tokenSecret, "no token secret");
        assertNull(keys.playerTokenKey, "no player key: nothing in the process mints a player token");
        assertArrayEquals(pair[1], keys.playerTokenPublicKey);
        assertArrayEquals(LINK_SECRET, keys.linkSecret);
        final long nowMs = System.currentTimeMillis();
        final Ed25519PlayerTokens verifier = Ed25519PlayerTokens.forPublicKey(keys.playerTokenPublicKey);
        final byte[] token = Ed25519PlayerTokens.forPrivateKey(pair[0]).issue(7, nowMs + 60_000);
        assertEquals(SessionTokens.VALID, verifier.verify(new UnsafeBuffer(token), 0, token.length, nowMs));
        final byte[] hmac = new SessionTokens(SECRET).issue(7, nowMs + 60_000);
        assertEquals(SessionTokens.MALFORMED, verifier.verify(new UnsafeBuffer(hmac), 0, hmac.length, nowMs));
        assertEquals("", said.toString(StandardCharsets.UTF_8), "nothing to warn about");
    }

    @Test
    void shouldRefuseAMalformedPublicKeyOrItWithThePlayerKeyOrWithTheTokenSecretAndALinkSecret()
    {
        final String publicHex = BitUtil.toHex(Ed25519PlayerTokens.generateKeyPair()[1]);
        assertNull(GatewayServer.Keys.resolve(null, null, publicHex.substring(2), LINK_SECRET, false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains(PlayerTokenKeys.PUBLIC_KEY_ENV), said.toString());
        said.reset();
        assertNull(GatewayServer.Keys.resolve(null, PLAYER_KEY_HEX, publicHex, LINK_SECRET, false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("not both"), said.toString());
        said.reset();
        assertNull(GatewayServer.Keys.resolve(
            new String(SECRET, StandardCharsets.UTF_8), null, publicHex, LINK_SECRET, false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("no token secret"), said.toString());
        said.reset();
        assertNull(GatewayServer.Keys.resolve(null, null, publicHex, new byte[8], false, "gw", out));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("at least"), said.toString());
    }

    @Test
    void shouldGenerateAPlayerTokenKeyPairWithoutALayerLinkOrASecret()
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final int exitCode;
        try
        {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            exitCode = new CommandLine(new GatewayServer()).execute("--generate-player-token-keys");
        }
        finally
        {
            System.setOut(stdout);
        }

        assertEquals(0, exitCode);
        final String[] lines = printed.toString(StandardCharsets.UTF_8).trim().split("\\R");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith(PlayerTokenKeys.PRIVATE_KEY_ENV + "="), lines[0]);
        assertTrue(lines[1].startsWith(PlayerTokenKeys.PUBLIC_KEY_ENV + "="), lines[1]);
        final byte[] publicKey = Ed25519PlayerTokens.publicKeyFor(BitUtil.fromHex(lines[0].split("=")[1]));
        assertEquals(BitUtil.toHex(publicKey), lines[1].split("=")[1]);
    }
}
