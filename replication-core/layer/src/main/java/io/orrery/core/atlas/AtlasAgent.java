/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * {@link Atlas} as an agent: each duty cycle it moves decisions that waited for room into the decision ring, then reads
 * commands from the command ring and hands them to Atlas, whose decisions go to the decision ring. Runs on its own
 * thread when the layer gives each role one ({@code ThreadingMode.DEDICATED}); otherwise the mesh steps it in the
 * Replicant's duty cycle, right after sending its commands, so a tick's decisions are applied in that tick.
 * <p>
 * The Atlas it drives is created on the Replicant's thread when the mesh starts (it is sized from the entity cache) and
 * handed over through {@link #start(Atlas)}; until then the agent does nothing.
 */
public final class AtlasAgent implements Agent
{
    /**
     * Commands read per duty cycle at most.
     */
    public static final int COMMAND_LIMIT = 4096;

    private final RingBuffer commandRing;
    private final AtlasDecisionProxy decisions;
    private volatile Atlas startedAtlas;
    private Atlas atlas;
    private AtlasCommandAdapter commands;

    /**
     * @param commandRing where the mesh's commands arrive.
     * @param decisions   where Atlas's decisions go (the proxy Atlas was given).
     */
    public AtlasAgent(final RingBuffer commandRing, final AtlasDecisionProxy decisions)
    {
        this.commandRing = commandRing;
        this.decisions = decisions;
    }

    /**
     * Hand the agent the Atlas it drives (any thread, once).
     */
    public void start(final Atlas atlas)
    {
        startedAtlas = atlas;
    }

    /**
     * @return the Atlas driven, or null before {@link #start(Atlas)} was seen by the agent's thread.
     */
    public Atlas atlas()
    {
        return atlas;
    }

    @Override
    public int doWork()
    {
        if (null == commands)
        {
            final Atlas started = startedAtlas;
            if (null == started)
            {
                return 0;
            }
            atlas = started;
            commands = new AtlasCommandAdapter(commandRing, started);
        }
        return decisions.flush() + commands.poll(COMMAND_LIMIT);
    }

    @Override
    public String roleName()
    {
        return "orrery-atlas";
    }
}
