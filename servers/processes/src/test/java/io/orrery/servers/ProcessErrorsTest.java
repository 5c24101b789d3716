/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.status.ProcessErrors;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process that cannot start says why in one line naming the culprit, without a stack trace, and exits with the
 * configuration code a supervisor need not retry.
 */
class ProcessErrorsTest
{
    @Test
    void shouldNameAMalformedDurationInOneLine()
    {
        final String err = run(() -> GameServer.commandLine().execute("--dev", "--server-id=1", "--duration=soon"));
        assertTrue(err.contains("orrery: game server: ") && err.contains("soon"), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void shouldNameAnUnreadableStoreInOneLine()
    {
        final String err = run(() -> ReplicationLayerServer.commandLine().execute(
            "--dev", "--store=rocksdb:/proc/orrery-cannot-write-here"));
        assertTrue(err.contains("orrery: replication layer: ") && err.contains("/proc/orrery-cannot-write-here"), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void shouldNameATakenStatusPort() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            final String err = run(() -> ReplicationLayerServer.commandLine().execute(
                "--dev", "--status-address=127.0.0.1:" + taken.getLocalPort()));
            assertTrue(err.contains("cannot serve status on 127.0.0.1:" + taken.getLocalPort()), err);
        }
    }

    private static String run(final IntSupplier command)
    {
        final PrintStream saved = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final int exitCode;
        try
        {
            exitCode = command.getAsInt();
        }
        finally
        {
            System.setErr(saved);
        }
        final String err = captured.toString(StandardCharsets.UTF_8);
        assertEquals(ProcessErrors.EXIT_CONFIGURATION, exitCode, err);
        return err;
    }
}
