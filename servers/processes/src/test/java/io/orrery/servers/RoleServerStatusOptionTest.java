/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.status.ProcessErrors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --status-address} of {@link GatewayServer}, {@link AtlasServer} and {@link ScribeServer}: their
 * {@code --help} lists it, and a malformed address or one already bound makes the Gateway and Atlas exit with
 * {@link ProcessErrors#EXIT_CONFIGURATION} before they start anything (the Scribe process needs its link secret in
 * the environment first: its process test serves on port 0).
 */
class RoleServerStatusOptionTest
{
    @Test
    void shouldListTheStatusAddressInEachRoleProcessesHelp()
    {
        final List<Supplier<Object>> commands = List.of(GatewayServer::new, AtlasServer::new, ScribeServer::new);
        for (final Supplier<Object> command : commands)
        {
            final StringWriter out = new StringWriter();
            assertEquals(0, new CommandLine(command.get()).setOut(new PrintWriter(out)).execute("--help"));
            assertTrue(out.toString().contains("--status-address"), out.toString());
            assertTrue(out.toString().contains("/ready"), out.toString());
        }
    }

    @Test
    void shouldRefuseAMalformedOrBusyStatusAddress() throws Exception
    {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            final String busyAddress = "--status-address=127.0.0.1:" + busy.getLocalPort();
            for (final String address : new String[]{ "--status-address=nonsense", busyAddress })
            {
                assertEquals(ProcessErrors.EXIT_CONFIGURATION, new CommandLine(new GatewayServer())
                    .execute("--dev", "--layer-link=aeron:ipc", address), address);
                assertEquals(ProcessErrors.EXIT_CONFIGURATION, new CommandLine(new AtlasServer())
                    .execute("--dev", "--shard=two-servers", address), address);
            }
        }
    }
}
