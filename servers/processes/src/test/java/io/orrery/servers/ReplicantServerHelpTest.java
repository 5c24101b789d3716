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
 * {@link ReplicantServer}'s command line: --help lists its options; --replicant-id is required; each id has its own
 * feed stream by default.
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

    @Test
    void shouldGiveEachReplicantItsOwnFeedStreamUnlessOneIsNamed()
    {
        // two Replicant processes on one media driver over IPC: on one stream each would receive the other's feed
        final ReplicantServer one = new ReplicantServer();
        new CommandLine(one).parseArgs("--replicant-id=1", "--feed-channel=aeron:ipc");
        final ReplicantServer two = new ReplicantServer();
        new CommandLine(two).parseArgs("--replicant-id=2", "--feed-channel=aeron:ipc");
        assertEquals(ReplicantServer.FEED_STREAM_ID_BASE + 1, one.feedStream());
        assertEquals(ReplicantServer.FEED_STREAM_ID_BASE + 2, two.feedStream());

        final ReplicantServer named = new ReplicantServer();
        new CommandLine(named).parseArgs("--replicant-id=2", "--feed-stream=9001");
        assertEquals(9001, named.feedStream());
    }
}
