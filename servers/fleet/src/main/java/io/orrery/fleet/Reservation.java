/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import java.util.Locale;
import java.util.Objects;

/**
 * An operator's reservation of game servers for a planned event: {@code servers} servers for a named region (an
 * axis-aligned box in the root zone's frame, metres) from {@code startNs} to {@code endNs} on the fleet's clock. The
 * fleet keeps that many servers started (warm) during the window, beginning {@link FleetPolicy#reservationLeadNs()}
 * before its start, and tags them with the reservation's name so the balancer can give them the region. Reserved
 * servers count toward the fleet's maximum. Immutable.
 */
public final class Reservation
{
    private final String name;
    private final int servers;
    private final double minX;
    private final double minY;
    private final double minZ;
    private final double maxX;
    private final double maxY;
    private final double maxZ;
    private final long startNs;
    private final long endNs;

    /**
     * @param name    unique among the fleet's reservations.
     * @param servers how many servers to keep started, at least 1.
     * @param minX    the region's lower corner, metres.
     * @param minY    the region's lower corner, metres.
     * @param minZ    the region's lower corner, metres.
     * @param maxX    the region's upper corner, metres.
     * @param maxY    the region's upper corner, metres.
     * @param maxZ    the region's upper corner, metres.
     * @param startNs when the event begins (the fleet's clock).
     * @param endNs   when it ends, after startNs.
     */
    public Reservation(
        final String name,
        final int servers,
        final double minX,
        final double minY,
        final double minZ,
        final double maxX,
        final double maxY,
        final double maxZ,
        final long startNs,
        final long endNs)
    {
        this.name = Objects.requireNonNull(name, "name");
        if (servers < 1)
        {
            throw new IllegalArgumentException("a reservation holds at least one server: " + servers);
        }
        if (!(minX <= maxX && minY <= maxY && minZ <= maxZ))
        {
            throw new IllegalArgumentException("region's lower corner is not below its upper corner");
        }
        if (endNs - startNs <= 0)
        {
            throw new IllegalArgumentException("a reservation ends after it starts");
        }
        this.servers = servers;
        this.minX = minX;
        this.minY = minY;
        this.minZ = minZ;
        this.maxX = maxX;
        this.maxY = maxY;
        this.maxZ = maxZ;
        this.startNs = startNs;
        this.endNs = endNs;
    }

    public String name()
    {
        return name;
    }

    public int servers()
    {
        return servers;
    }

    public double minX()
    {
        return minX;
    }

    public double minY()
    {
        return minY;
    }

    public double minZ()
    {
        return minZ;
    }

    public double maxX()
    {
        return maxX;
    }

    public double maxY()
    {
        return maxY;
    }

    public double maxZ()
    {
        return maxZ;
    }

    public long startNs()
    {
        return startNs;
    }

    public long endNs()
    {
        return endNs;
    }

    /**
     * @return true if the two windows share any instant.
     */
    public boolean overlaps(final Reservation other)
    {
        return startNs - other.endNs < 0 && other.startNs - endNs < 0;
    }

    /**
     * @return true if the point (metres) is inside the region (lower bounds inclusive, upper exclusive).
     */
    public boolean contains(final double x, final double y, final double z)
    {
        return x >= minX && x < maxX && y >= minY && y < maxY && z >= minZ && z < maxZ;
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "reservation %s: %d servers for [%s %s %s .. %s %s %s] from %d to %d ns",
            name, servers, minX, minY, minZ, maxX, maxY, maxZ, startNs, endNs);
    }
}
