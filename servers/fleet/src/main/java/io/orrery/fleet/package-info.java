/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * The Fleet SPI ({@link io.orrery.fleet.Fleet}): starting and stopping a shard's game servers within a
 * {@link io.orrery.fleet.FleetPolicy} (minimum and maximum size, {@link io.orrery.fleet.Reservation}s for planned
 * events), with two local implementations: {@link io.orrery.fleet.ProcessFleet} (child JVMs) and
 * {@link io.orrery.fleet.InProcessFleet} (agent threads in this JVM).
 */
package io.orrery.fleet;
