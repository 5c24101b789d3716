/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static io.orrery.fleet.FleetRig.await;
import static io.orrery.fleet.FleetRig.awaitState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Game servers as child JVMs started and stopped by a {@link ProcessFleet} against a real layer in this JVM (its
 * embedded media driver directory shared with the children).
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessFleetTest
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream output = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private ProcessFleet fleet(final FleetRig rig, final FleetPolicy policy)
    {
        return new ProcessFleet(policy, rig.connection(), null, SystemNanoClock.INSTANCE,
            new ProcessFleet.Settings().output(output).extraArguments("--report-interval=1s"));
    }

    @Test
    void shouldRunTwoServerProcessesWelcomedByTheLayerThenStopOneGracefullyAndOneForcibly()
    {
        try (FleetRig rig = new FleetRig("two-servers");
            ProcessFleet fleet = fleet(rig, new FleetPolicy().maxSize(2).stopGraceNs(TimeUnit.SECONDS.toNanos(20))))
        {
            assertEquals(Fleet.OK, fleet.start(1));
            assertEquals(Fleet.OK, fleet.start(2));
            assertEquals(Fleet.AT_MAXIMUM, fleet.start(3));
            awaitState(fleet, System::nanoTime, 1, MemberState.RUNNING, 60);
            awaitState(fleet, System::nanoTime, 2, MemberState.RUNNING, 60);
            FleetRig.printSpinUp("process fleet", fleet.member(1));
            FleetRig.printSpinUp("process fleet", fleet.member(2));
            await(() -> 2 == rig.serversConnected(), "the layer counts both servers", 10);
            assertNotNull(fleet.process(1));

            assertEquals(Fleet.OK, fleet.stop(1, Fleet.StopMode.GRACEFUL));
            awaitState(fleet, System::nanoTime, 1, MemberState.STOPPED, 60);
            assertEquals(GameServerExits.CLEAN, fleet.member(1).exitCode(), fleet.member(1)::toString);
            assertTrue(output().contains("[gs-1] game server 1 summary: state stopped"), "server 1 stopped cleanly");

            assertEquals(Fleet.OK, fleet.stop(2, Fleet.StopMode.FORCIBLE));
            awaitState(fleet, System::nanoTime, 2, MemberState.STOPPED, 30);
            assertEquals(GameServerExits.KILLED, fleet.member(2).exitCode(), fleet.member(2)::toString);
            assertTrue(!output().contains("game server 2 summary"), "killed: no summary");
            await(() -> 0 == rig.serversConnected(), "the layer lets both servers go", 30);
        }
        finally
        {
            System.out.println(output());
        }
    }

    @Test
    void shouldReportFailedWithItsExitCodeWhenAServerProcessExitsOnItsOwn()
    {
        try (FleetRig rig = new FleetRig("two-servers");
            ProcessFleet fleet = fleet(rig, new FleetPolicy()))
        {
            assertEquals(Fleet.OK, fleet.start(9)); // not in the shard config: refused
            awaitState(fleet, System::nanoTime, 9, MemberState.FAILED, 60);
            assertEquals(GameServerExits.REJECTED, fleet.member(9).exitCode(), fleet.member(9)::toString);
            assertTrue(fleet.member(9).reason().startsWith("exited on its own"), fleet.member(9)::reason);

            assertEquals(Fleet.OK, fleet.start(1));
            awaitState(fleet, System::nanoTime, 1, MemberState.RUNNING, 60);
            fleet.process(1).destroy(); // SIGTERM from outside the fleet: not a stop the fleet asked for
            awaitState(fleet, System::nanoTime, 1, MemberState.FAILED, 60);
            assertEquals(GameServerExits.TERMINATED, fleet.member(1).exitCode(), fleet.member(1)::toString);
        }
        finally
        {
            System.out.println(output());
        }
    }

    @Test
    void shouldKeepTheMinimumByStartingServerProcessesFromThePool()
    {
        try (FleetRig rig = new FleetRig("two-servers");
            ProcessFleet fleet = fleet(rig, new FleetPolicy().minSize(2).maxSize(2).serverIds(1, 2)))
        {
            fleet.doWork(System.nanoTime());
            assertEquals(2, fleet.count(MemberState.STARTING));
            awaitState(fleet, System::nanoTime, 1, MemberState.RUNNING, 60);
            awaitState(fleet, System::nanoTime, 2, MemberState.RUNNING, 60);
            assertEquals(Fleet.AT_MINIMUM, fleet.stop(1, Fleet.StopMode.GRACEFUL));
            assertEquals(Fleet.AT_MAXIMUM, fleet.start(3));
        }
        finally
        {
            System.out.println(output());
        }
    }
}
