/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The processes refuse to start on the public development secret, or on no secret, unless development mode is
 * asked for (the build runs tests with -Dorrery.dev=true, so each case turns it off explicitly).
 */
class DevelopmentSecretTest
{
    @Test
    void shouldRefuseToStartTheLayerWithoutASecretOutsideDevelopmentMode()
    {
        final ReplicationLayerServer server = new ReplicationLayerServer();
        server.dev = false;
        assertEquals(ReplicationLayerServer.EXIT_CONFIGURATION, server.call());
    }

    @Test
    void shouldRefuseToStartTheLayerOnTheDevelopmentSecretOutsideDevelopmentMode()
    {
        final ReplicationLayerServer server = new ReplicationLayerServer();
        server.dev = false;
        server.tokenSecret = io.orrery.core.auth.TokenSecrets.DEVELOPMENT_SECRET;
        assertEquals(ReplicationLayerServer.EXIT_CONFIGURATION, server.call());
    }

    @Test
    void shouldRefuseToStartAGameServerWithoutASecretOutsideDevelopmentMode()
    {
        final GameServer server = new GameServer();
        server.dev = false;
        assertEquals(ReplicationLayerServer.EXIT_CONFIGURATION, server.call());
    }

    @Test
    void shouldRefuseToStartAtlasWithoutASecretOutsideDevelopmentMode()
    {
        final AtlasServer atlas = new AtlasServer();
        atlas.dev = false;
        atlas.shard = "two-servers";
        assertEquals(AtlasServer.EXIT_CONFIGURATION, atlas.call());
    }

    @Test
    void shouldRefuseToStartAtlasOnTheDevelopmentSecretOutsideDevelopmentMode()
    {
        final AtlasServer atlas = new AtlasServer();
        atlas.dev = false;
        atlas.shard = "two-servers";
        atlas.tokenSecret = io.orrery.core.auth.TokenSecrets.DEVELOPMENT_SECRET;
        assertEquals(AtlasServer.EXIT_CONFIGURATION, atlas.call());
    }
}
