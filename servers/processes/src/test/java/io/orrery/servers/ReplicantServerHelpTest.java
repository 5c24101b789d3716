/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReplicantServer}'s command line: --help lists its options; --replicant-id is required.
 */
class ReplicantServerHelpTest
{
    @Test
    void shouldListItsOptionsAndRequireTheReplicantId()
    {
        final StringWriter out = new StringWriter();
        final CommandLine command = new CommandLine(new ReplicantServer()).setOut(new PrintWriter(out));
        assertEquals(0, command.execute("--help"));
        for (final String option : new String[]{ "--replicant-id", "--layer-channel", "--feed-channel",
            "--aeron-dir", "--max-sessions", "--status-address" })
        {
            assertTrue(out.toString().contains(option), option + " in " + out);
        }
        final CommandLine missing = new CommandLine(new ReplicantServer()).setErr(new PrintWriter(new StringWriter()));
        assertNotEquals(0, missing.execute("--feed-channel=aeron:ipc"));
    }
}
