/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ShardCountersTest
{
    @Test
    void shouldReadEveryOrreryCounterPerShardWhenTwoShardsShareADriver()
    {
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
        {
            final Counter[] alpha = OrreryCounter.allocate(aeron, "alpha");
            final Counter[] beta = OrreryCounter.allocate(aeron, "beta");
            final Counter other = aeron.addCounter(1234, "orrery: entities cached shard=alpha");
            // a Replicant bridge's own counters: the shard's counter already holds their sum, they are not read
            final Counter[] bridge = OrreryCounter.allocatePerReplicant(aeron, "alpha", 1);
            try
            {
                for (final Counter counter : bridge)
                {
                    if (null != counter)
                    {
                        counter.set(555_555);
                    }
                }
                for (final OrreryCounter counter : OrreryCounter.values())
                {
                    alpha[counter.id()].set(counter.id() + 1);
                    beta[counter.id()].set(100L * (counter.id() + 1));
                }
                other.set(999_999);

                final ShardCounters counters = ShardCounters.read(aeron.countersReader());

                assertFalse(counters.isEmpty());
                for (final OrreryCounter counter : OrreryCounter.values())
                {
                    assertEquals(counter.id() + 1, counters.value("alpha", counter), counter.name());
                    assertEquals(100L * (counter.id() + 1), counters.value("beta", counter), counter.name());
                    assertEquals(101L * (counter.id() + 1), counters.total(counter), counter.name());
                }
                assertEquals(0, counters.value("gamma", OrreryCounter.TICKS));
                assertEquals(0, counters.value("alpha replicant=1", OrreryCounter.REPLICANT_BRIDGES_LINKED));
            }
            finally
            {
                CloseHelper.closeAll(alpha);
                CloseHelper.closeAll(beta);
                CloseHelper.close(other);
                CloseHelper.closeAll(bridge);
            }
        }
    }
}
