/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import io.orrery.core.ReplicationLayer;
import io.orrery.core.ThreadingMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenSecretsTest
{
    private static final byte[] OWN_SECRET = "a secret of our own, long enough".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldRefuseToStartWithoutASecretOutsideDevelopmentMode()
    {
        // the build sets neither -Dorrery.token.secret nor ORRERY_TOKEN_SECRET for tests
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> TokenSecrets.resolve(null, false, "test layer"));
        assertTrue(ex.getMessage().contains(TokenSecrets.SECRET_ENV), ex.getMessage());
    }

    @Test
    void shouldRefuseTheDevelopmentSecretGivenExplicitlyOutsideDevelopmentMode()
    {
        assertThrows(IllegalStateException.class,
            () -> TokenSecrets.resolve(TokenSecrets.developmentSecret(), false, "test layer"));
    }

    @Test
    void shouldUseTheDevelopmentSecretOnlyInDevelopmentMode()
    {
        assertArrayEquals(TokenSecrets.developmentSecret(), TokenSecrets.resolve(null, true, "test layer"));
        assertArrayEquals(OWN_SECRET, TokenSecrets.resolve(OWN_SECRET, false, "test layer"));
    }

    @Test
    void shouldRefuseShortSecrets()
    {
        assertThrows(IllegalStateException.class,
            () -> TokenSecrets.resolve("short".getBytes(StandardCharsets.UTF_8), false, "test layer"));
    }

    @Test
    void shouldNotLaunchALayerOnTheDevelopmentSecretOutsideDevelopmentMode()
    {
        final ReplicationLayer.Context ctx = new ReplicationLayer.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .developmentMode(false);
        assertThrows(IllegalStateException.class, () -> ReplicationLayer.launch(ctx));
    }
}
