/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scribe's warm-up at start: on an adapter that supports group transactions, rounds of a world write, a stow and an
 * unstow, each rolled back; none without group support, when switched off, or after the store fails.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScribeWarmUpTest
{
    private static final List<String> ROUND = List.of("beginGroup", "write", "stow", "unstow", "abortGroup");

    private final List<String> calls = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    private PersistenceAdapter adapter(final boolean groups, final String failingCall)
    {
        return (PersistenceAdapter)Proxy.newProxyInstance(
            PersistenceAdapter.class.getClassLoader(),
            new Class<?>[]{ PersistenceAdapter.class },
            (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "supportsGroupCommit": return groups;
                    case "name": return "recording";
                    case "openWorldWriter": return null; // no session of its own: the consumer writes the batches
                    case "toString": return "recording adapter";
                    default:
                        calls.add(method.getName());
                        if (method.getName().equals(failingCall))
                        {
                            throw new PersistenceException("store down (injected)");
                        }
                        return method.getReturnType() == int.class ? 0 : null;
                }
            });
    }

    private void launchAndClose(final PersistenceAdapter adapter, final boolean warmUp)
    {
        // with an invoked consumer its onStart, the warm-up, runs in launch, on this thread
        Scribe.launch(new ScribeContext()
            .adapter(adapter)
            .ringSize(64)
            .maxPendingOperations(8)
            .warmUp(warmUp)
            .errorHandler(errors::add)
            .useConsumerAgentInvoker(true))
            .close();
    }

    @Test
    void shouldRunRolledBackRoundsOfWriteStowAndUnstowWhenTheAdapterSupportsGroups()
    {
        launchAndClose(adapter(true, null), true);

        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < ScribeWarmUp.ROUNDS; i++)
        {
            expected.addAll(ROUND);
        }
        assertEquals(expected, calls);
        assertEquals(Collections.emptyList(), errors);
    }

    @Test
    void shouldNotWarmUpWithoutGroupSupportOrWhenSwitchedOff()
    {
        launchAndClose(adapter(false, null), true);
        launchAndClose(adapter(true, null), false);

        assertEquals(Collections.emptyList(), calls);
    }

    @Test
    void shouldRollBackAndStopWarmingUpWhenTheStoreFails()
    {
        launchAndClose(adapter(true, "stow"), true);

        assertEquals(List.of("beginGroup", "write", "stow", "abortGroup"), calls);
        assertEquals(1, errors.size(), "the failure reported once: " + errors);
    }
}
