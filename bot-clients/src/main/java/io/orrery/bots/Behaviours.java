/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import java.util.concurrent.TimeUnit;

/**
 * The stock {@link Behaviour}s. Each is stateless and shared by all bots of a {@link BotAgent}; per-bot state (heading,
 * target, random state) lives in {@link Bot}. Positions are millimetres in the shard's root frame.
 * <p>
 * Threading: instances are immutable; {@code steer} runs on the bot's agent thread and does not allocate.
 */
public final class Behaviours
{
    /**
     * Distance (mm) at which a bot counts as arrived at a target.
     */
    static final long ARRIVED_MM = 20_000;

    private Behaviours()
    {
    }

    /**
     * @return the behaviour of a kind for the swarm's geometry.
     */
    public static Behaviour of(final BehaviourKind kind, final BotSwarm.Settings settings)
    {
        return of(kind, settings, 0);
    }

    /**
     * @param startNs the swarm's start on its clock: {@link BehaviourKind#RALLY}'s legs are counted from it.
     * @return the behaviour of a kind for the swarm's geometry.
     */
    public static Behaviour of(final BehaviourKind kind, final BotSwarm.Settings settings, final long startNs)
    {
        switch (kind)
        {
            case IDLE:
                return new Idle();
            case WALK:
                return new RandomWalk(BehaviourKind.WALK, settings.worldHalfExtentMm(), settings.walkTurnIntervalNs());
            case COMMUTE:
                return new Commute(settings.hotspotsMm());
            case CROWD:
                return new Crowd(settings.crowdXMm(), settings.crowdYMm());
            case INVENTORY:
                return new RandomWalk(
                    BehaviourKind.INVENTORY, settings.worldHalfExtentMm(), settings.walkTurnIntervalNs());
            case RALLY:
                return new Rally(settings.rallyPointsMm(), settings.rallyLegNs(), settings.rallyScatterAtNs(), startNs,
                    new RandomWalk(BehaviourKind.RALLY, settings.worldHalfExtentMm(), settings.walkTurnIntervalNs()),
                    settings.worldHalfExtentMm());
            default:
                throw new IllegalArgumentException("unknown behaviour " + kind);
        }
    }

    /**
     * Steer the bot towards a point at full speed.
     *
     * @return the distance to the point in mm.
     */
    static double steerTowards(final Bot bot, final long xMm, final long yMm, final long targetXMm,
        final long targetYMm)
    {
        final double dx = targetXMm - xMm;
        final double dy = targetYMm - yMm;
        final double distance = Math.sqrt(dx * dx + dy * dy);
        if (distance < 1.0)
        {
            bot.moveX = 0;
            bot.moveY = 0;
        }
        else
        {
            bot.moveX = (float)(dx / distance);
            bot.moveY = (float)(dy / distance);
            bot.yaw = (float)Math.atan2(dy, dx);
        }
        return distance;
    }

    /**
     * Heartbeats only.
     */
    static final class Idle implements Behaviour
    {
        @Override
        public BehaviourKind kind()
        {
            return BehaviourKind.IDLE;
        }

        @Override
        public boolean steer(final Bot bot, final boolean hasPosition, final long xMm, final long yMm,
            final long nowNs)
        {
            return false;
        }
    }

    /**
     * A new random heading every turn interval (jittered per bot); back towards the centre beyond the world's edge.
     */
    static final class RandomWalk implements Behaviour
    {
        private final BehaviourKind kind;
        private final long halfExtentMm;
        private final long turnIntervalNs;

        RandomWalk(final BehaviourKind kind, final long halfExtentMm, final long turnIntervalNs)
        {
            this.kind = kind;
            this.halfExtentMm = halfExtentMm;
            this.turnIntervalNs = turnIntervalNs;
        }

        @Override
        public BehaviourKind kind()
        {
            return kind;
        }

        @Override
        public boolean steer(final Bot bot, final boolean hasPosition, final long xMm, final long yMm,
            final long nowNs)
        {
            if (hasPosition && (Math.abs(xMm) > halfExtentMm || Math.abs(yMm) > halfExtentMm))
            {
                steerTowards(bot, xMm, yMm, 0, 0);
                bot.turnAtNs = nowNs;
                return true;
            }
            if (nowNs - bot.turnAtNs >= 0)
            {
                final double heading = bot.nextDouble() * 2 * Math.PI;
                bot.moveX = (float)Math.cos(heading);
                bot.moveY = (float)Math.sin(heading);
                bot.yaw = (float)heading;
                bot.turnAtNs = nowNs + turnIntervalNs / 2 + (long)(bot.nextDouble() * turnIntervalNs);
            }
            return true;
        }
    }

    /**
     * Walk from hotspot to hotspot in order, starting at a random one.
     */
    static final class Commute implements Behaviour
    {
        private final long[] hotspotsMm;
        private final int hotspots;

        Commute(final long[] hotspotsMm)
        {
            if (hotspotsMm.length < 4 || 0 != (hotspotsMm.length & 1))
            {
                throw new IllegalArgumentException("commute needs at least two hotspots as x,y pairs");
            }
            this.hotspotsMm = hotspotsMm.clone();
            this.hotspots = hotspotsMm.length / 2;
        }

        @Override
        public BehaviourKind kind()
        {
            return BehaviourKind.COMMUTE;
        }

        @Override
        public boolean steer(final Bot bot, final boolean hasPosition, final long xMm, final long yMm,
            final long nowNs)
        {
            if (bot.target < 0)
            {
                bot.target = (int)(bot.nextDouble() * hotspots);
            }
            if (!hasPosition)
            {
                bot.moveX = 0;
                bot.moveY = 0;
                return true;
            }
            final int target = bot.target;
            final double distance = steerTowards(bot, xMm, yMm, hotspotsMm[2 * target], hotspotsMm[2 * target + 1]);
            if (distance < ARRIVED_MM)
            {
                bot.target = target + 1 == hotspots ? 0 : target + 1;
                bot.commutes++;
            }
            return true;
        }
    }

    /**
     * Go to the hot spot, then mill about within a few metres of it.
     */
    static final class Crowd implements Behaviour
    {
        private static final long MILL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);

        private final long xMm;
        private final long yMm;

        Crowd(final long xMm, final long yMm)
        {
            this.xMm = xMm;
            this.yMm = yMm;
        }

        @Override
        public BehaviourKind kind()
        {
            return BehaviourKind.CROWD;
        }

        @Override
        public boolean steer(final Bot bot, final boolean hasPosition, final long ownXMm, final long ownYMm,
            final long nowNs)
        {
            if (!hasPosition)
            {
                bot.moveX = 0;
                bot.moveY = 0;
                return true;
            }
            final double dx = xMm - ownXMm;
            final double dy = yMm - ownYMm;
            if (dx * dx + dy * dy > (double)ARRIVED_MM * ARRIVED_MM)
            {
                steerTowards(bot, ownXMm, ownYMm, xMm, yMm);
            }
            else if (nowNs - bot.turnAtNs >= 0)
            {
                final double heading = bot.nextDouble() * 2 * Math.PI;
                bot.moveX = (float)(0.2 * Math.cos(heading));
                bot.moveY = (float)(0.2 * Math.sin(heading));
                bot.turnAtNs = nowNs + MILL_INTERVAL_NS;
            }
            return true;
        }
    }

    /**
     * Crowd the rally point of the current leg (every rally bot of the swarm the same point at the same time), milling
     * about within {@link #ARRIVED_MM} of it; from the scatter time on, head for a random point of the world of the
     * bot's own, then walk randomly.
     */
    static final class Rally implements Behaviour
    {
        private static final long MILL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);

        private final long[] pointsMm;
        private final int points;
        private final long legNs;
        private final long scatterAtNs;
        private final long startNs;
        private final RandomWalk walk;
        private final long halfExtentMm;

        Rally(final long[] pointsMm, final long legNs, final long scatterAtNs, final long startNs,
            final RandomWalk walk, final long halfExtentMm)
        {
            if (pointsMm.length < 2 || 0 != (pointsMm.length & 1))
            {
                throw new IllegalArgumentException("rally needs at least one point as an x,y pair");
            }
            if (legNs <= 0)
            {
                throw new IllegalArgumentException("rally leg must be positive: " + legNs);
            }
            this.pointsMm = pointsMm.clone();
            this.points = pointsMm.length / 2;
            this.legNs = legNs;
            this.scatterAtNs = scatterAtNs;
            this.startNs = startNs;
            this.walk = walk;
            this.halfExtentMm = halfExtentMm;
        }

        @Override
        public BehaviourKind kind()
        {
            return BehaviourKind.RALLY;
        }

        @Override
        public boolean steer(final Bot bot, final boolean hasPosition, final long ownXMm, final long ownYMm,
            final long nowNs)
        {
            if (!hasPosition)
            {
                bot.moveX = 0;
                bot.moveY = 0;
                return true;
            }
            final long sinceStartNs = Math.max(0, nowNs - startNs);
            if (scatterAtNs > 0 && sinceStartNs >= scatterAtNs)
            {
                return scatter(bot, ownXMm, ownYMm, nowNs);
            }
            final int leg = (int)((sinceStartNs / legNs) % points);
            final long xMm = pointsMm[2 * leg];
            final long yMm = pointsMm[2 * leg + 1];
            final double dx = xMm - ownXMm;
            final double dy = yMm - ownYMm;
            if (dx * dx + dy * dy > (double)ARRIVED_MM * ARRIVED_MM)
            {
                steerTowards(bot, ownXMm, ownYMm, xMm, yMm);
            }
            else if (nowNs - bot.turnAtNs >= 0)
            {
                final double heading = bot.nextDouble() * 2 * Math.PI;
                bot.moveX = (float)(0.2 * Math.cos(heading));
                bot.moveY = (float)(0.2 * Math.sin(heading));
                bot.turnAtNs = nowNs + MILL_INTERVAL_NS;
            }
            return true;
        }

        private boolean scatter(final Bot bot, final long ownXMm, final long ownYMm, final long nowNs)
        {
            if (bot.target != -2 && !bot.scattering)
            {
                bot.scattering = true;
                bot.scatterXMm = (long)((2 * bot.nextDouble() - 1) * halfExtentMm);
                bot.scatterYMm = (long)((2 * bot.nextDouble() - 1) * halfExtentMm);
            }
            if (bot.target != -2)
            {
                if (steerTowards(bot, ownXMm, ownYMm, bot.scatterXMm, bot.scatterYMm) >= ARRIVED_MM)
                {
                    return true;
                }
                bot.target = -2; // arrived: walk randomly from here on
                bot.turnAtNs = nowNs;
            }
            return walk.steer(bot, true, ownXMm, ownYMm, nowNs);
        }
    }
}
