/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.aeron.Aeron;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientSession;
import io.orrery.core.shard.ShardDirectory;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The work of the thread of a {@link TransferSwarm}: every shard of the {@link ShardDirectory} reached through a
 * {@link ClientLink} of its own (one Aeron client per media driver directory), and the swarm's {@link TransferBot}s
 * moving between them. The directory is read again every {@link TransferSwarm.Settings#directoryRefreshNs()}: a shard
 * that appears is used from then on, one that leaves is no longer picked (its bots move on when their session ends),
 * and a shard re-registered with another driver or channel gets a new link.
 * <p>
 * Duty cycle: read the clock once; refresh the directory when due (control path); poll every link; step every bot
 * whose ramp-up time has come (at most {@link TransferSwarm.Settings#maxJoinsInFlight()} joins at once). Allocation
 * happens on the control path only: opening a session on each join (one per transfer), reading the directory when
 * its file changed, and the check whether it changed ({@code File.lastModified} and {@code length}, a few bytes a
 * call on JDK 17) once per refresh interval. A directory replaced twice within the file system's time stamp
 * granularity with a file of the same length is seen at its next change only.
 * <p>
 * Threading: single threaded, on the thread that calls {@link #doWork()}; the results are read by another thread
 * only after this agent's thread has stopped, except {@link #transfers()} and {@link #botsWelcomed()}.
 */
final class TransferAgent implements Agent
{
    static final long MIN_REQUEST_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(40);
    static final long RESEND_AFTER_NS = TimeUnit.SECONDS.toNanos(2);
    static final long NOT_CONNECTED_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);

    /**
     * One shard as the bots reach it.
     */
    static final class ShardLink
    {
        final ShardDirectory.Entry entry;
        final ClientLink link;
        boolean listed = true;
        long joins;

        ShardLink(final ShardDirectory.Entry entry, final ClientLink link)
        {
            this.entry = entry;
            this.link = link;
        }
    }

    private final TransferSwarm.Settings settings;
    private final java.io.File directoryFile;
    private final CachedNanoClock linkClock = new CachedNanoClock();
    private final Map<String, Aeron> aerons = new HashMap<>();
    private final List<ShardLink> shards = new ArrayList<>();
    private final TransferBot[] bots;
    private final Histogram transferNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final Histogram stowNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final Histogram unstowNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final AtomicLong transfers = new AtomicLong();
    private final AtomicLong welcomed = new AtomicLong();
    private ShardLink[] links = new ShardLink[0];
    private long nowNs;
    private long nextRefreshNs;
    private long directoryModifiedMs = -1;
    private long directoryLength = -1;
    private long directoryReadErrors;
    private long directoryChanges;
    private int launched;
    private int joinsInFlight;

    TransferAgent(final TransferSwarm.Settings settings, final byte[][] tokens, final long startNs)
    {
        this.settings = settings;
        this.directoryFile = settings.shardDirectory().toFile();
        this.nowNs = startNs;
        linkClock.update(startNs);
        refreshDirectory();
        if (listedCount() == 0)
        {
            closeLinks();
            throw new IllegalStateException("no shard in the directory " + settings.shardDirectory());
        }
        bots = new TransferBot[settings.bots()];
        final double rampNsPerBot = 1e9 / settings.rampBotsPerSecond();
        for (int i = 0; i < bots.length; i++)
        {
            bots[i] = new TransferBot(this, i, settings.playerIdBase() + i, tokens[i],
                startNs + (long)(i * rampNsPerBot), -1, settings.seed());
        }
        nextRefreshNs = startNs + settings.directoryRefreshNs();
    }

    @Override
    public String roleName()
    {
        return "orrery-transfer-bots";
    }

    @Override
    public int doWork()
    {
        final long nowNs = settings.clock().nanoTime();
        this.nowNs = nowNs;
        linkClock.update(nowNs);
        int workCount = 0;
        if (nowNs - nextRefreshNs >= 0)
        {
            nextRefreshNs = nowNs + settings.directoryRefreshNs();
            workCount += refreshDirectory();
        }
        final ShardLink[] links = this.links;
        for (final ShardLink shard : links)
        {
            workCount += shard.link.doWork();
        }
        while (launched < bots.length && nowNs - bots[launched].connectAtNs >= 0)
        {
            final TransferBot bot = bots[launched++];
            bot.shard = firstShard(bot);
        }
        joinsInFlight = 0;
        for (int i = 0; i < launched; i++)
        {
            joinsInFlight += TransferBot.Phase.SPAWN == bots[i].phase ? 1 : 0;
        }
        for (int i = 0; i < launched; i++)
        {
            workCount += step(bots[i], nowNs);
        }
        return workCount;
    }

    private int step(final TransferBot bot, final long nowNs)
    {
        switch (bot.phase)
        {
            case JOIN:
                if (joinsInFlight >= settings.maxJoinsInFlight())
                {
                    return 0;
                }
                if (!links[bot.shard].listed)
                {
                    bot.shard = nextShard(bot); // its shard left the directory: go elsewhere
                }
                bot.session = links[bot.shard].link.connect(bot.token, bot);
                links[bot.shard].joins++;
                bot.phase = TransferBot.Phase.SPAWN;
                joinsInFlight++;
                return 1;

            case SPAWN:
            {
                final ClientSession session = bot.session;
                if (ClientSession.State.CONNECTED != session.state() && TransferBot.isOver(session))
                {
                    bot.rejoin();
                    return 1;
                }
                if (session.isConnected() && ClientEntityView.NULL_SLOT != session.view().slotOf(bot.playerId))
                {
                    bot.onJoined(nowNs);
                    return 1;
                }
                return 0;
            }

            default:
                return act(bot, nowNs);
        }
    }

    private int act(final TransferBot bot, final long nowNs)
    {
        final ClientSession session = bot.session;
        if (!session.isConnected())
        {
            if (0 == bot.notConnectedSinceNs)
            {
                bot.notConnectedSinceNs = nowNs;
            }
            if (nowNs - bot.notConnectedSinceNs > NOT_CONNECTED_TIMEOUT_NS && !TransferBot.isOver(session))
            {
                session.disconnect(); // resuming for too long: start a new session
            }
            if (TransferBot.isOver(session))
            {
                bot.rejoin();
                return 1;
            }
            return 0;
        }
        bot.notConnectedSinceNs = 0;
        if (bot.pending)
        {
            if (bot.pendingSession != session || nowNs - bot.lastSentNs > RESEND_AFTER_NS)
            {
                return bot.resend(nowNs) ? 1 : 0;
            }
            return 0;
        }
        if (TransferBot.Phase.DWELL == bot.phase)
        {
            if (nowNs - bot.dwellUntilNs < 0)
            {
                return 0;
            }
            bot.phase = TransferBot.Phase.STOW;
        }
        if (nowNs - bot.lastSentNs < MIN_REQUEST_INTERVAL_NS)
        {
            return 0; // below the Gateway's input allowance
        }
        return bot.request(nowNs) ? 1 : 0;
    }

    /**
     * @return the control-path events of every bot and link so far (resends, rejoins, session resumptions, requests
     * sent or answered, sessions opened, responses refused): a window in which this sum does not move is the steady state in which the bots only dwell.
     */
    long controlEvents()
    {
        long events = welcomed.get() + transfers.get();
        for (final TransferBot bot : bots)
        {
            events += bot.resends + bot.reconnects + bot.resumes + bot.operationId + bot.lateResults + bot.refused +
                bot.storeUnavailable + bot.mismatches;
        }
        for (final ShardLink shard : links)
        {
            final ClientLink link = shard.link;
            events += link.sessionCount() + link.unknownImageMessages() + link.malformedMessages() +
                link.untrustedRejects() + link.responsesTooLong() + link.responseImagesRefused();
        }
        return events;
    }

    long nowNs()
    {
        return nowNs;
    }

    long transferIntervalNs()
    {
        return settings.transferIntervalNs();
    }

    void onFirstWelcome()
    {
        welcomed.incrementAndGet();
    }

    void onTransferred(final long elapsedNs)
    {
        transferNs.recordValue(Math.max(0, Math.min(elapsedNs, HIGHEST_TRACKABLE_NS)));
        transfers.incrementAndGet();
    }

    void onOperation(final boolean stow, final long elapsedNs)
    {
        (stow ? stowNs : unstowNs).recordValue(Math.max(0, Math.min(elapsedNs, HIGHEST_TRACKABLE_NS)));
    }

    /**
     * @return the shard a new bot joins first: bots spread round-robin over the listed shards.
     */
    private int firstShard(final TransferBot bot)
    {
        int n = bot.index % listedCount();
        for (int i = 0; i < links.length; i++)
        {
            if (links[i].listed && 0 == n--)
            {
                return i;
            }
        }
        return 0;
    }

    /**
     * @return a listed shard other than the bot's current one, picked at random; its own when it is the only one.
     */
    int nextShard(final TransferBot bot)
    {
        int others = 0;
        for (int i = 0; i < links.length; i++)
        {
            others += links[i].listed && i != bot.shard ? 1 : 0;
        }
        if (0 == others)
        {
            return bot.shard;
        }
        int pick = (int)(bot.nextDouble() * others);
        for (int i = 0; i < links.length; i++)
        {
            if (links[i].listed && i != bot.shard && 0 == pick--)
            {
                return i;
            }
        }
        return bot.shard;
    }

    private int listedCount()
    {
        int count = 0;
        for (final ShardLink shard : links)
        {
            count += shard.listed ? 1 : 0;
        }
        return count;
    }

    /**
     * Read the directory (control path): new shards get a link, shards gone are no longer picked.
     *
     * @return 1 when the set of shards changed.
     */
    private int refreshDirectory()
    {
        // writers replace the file (a new inode, a new modification time): unchanged, it is not read again, which
        // keeps a steady-state duty cycle free of allocation
        final long modifiedMs = directoryFile.lastModified();
        final long length = directoryFile.length();
        if (modifiedMs == directoryModifiedMs && length == directoryLength)
        {
            return 0;
        }
        directoryModifiedMs = modifiedMs;
        directoryLength = length;
        final ShardDirectory directory;
        try
        {
            directory = ShardDirectory.read(settings.shardDirectory());
        }
        catch (final RuntimeException ex)
        {
            directoryReadErrors++;
            return 0;
        }
        boolean changed = false;
        for (final ShardLink shard : shards)
        {
            final ShardDirectory.Entry entry = directory.entry(shard.entry.name());
            final boolean listed = shard.entry.equals(entry);
            changed |= listed != shard.listed;
            shard.listed = listed;
        }
        for (final ShardDirectory.Entry entry : directory.entries())
        {
            boolean known = false;
            for (final ShardLink shard : shards)
            {
                known |= shard.entry.equals(entry);
            }
            if (!known)
            {
                shards.add(new ShardLink(entry, newLink(entry)));
                changed = true;
            }
        }
        if (changed)
        {
            links = shards.toArray(new ShardLink[0]);
            directoryChanges++;
        }
        return changed ? 1 : 0;
    }

    private ClientLink newLink(final ShardDirectory.Entry entry)
    {
        final String aeronDirectoryName = "-".equals(entry.aeronDirectoryName()) ?
            settings.aeronDirectoryName() : entry.aeronDirectoryName();
        Aeron aeron = aerons.get(aeronDirectoryName);
        if (null == aeron)
        {
            final Aeron.Context ctx = new Aeron.Context();
            if (null != aeronDirectoryName)
            {
                ctx.aeronDirectoryName(aeronDirectoryName);
            }
            aeron = Aeron.connect(ctx);
            aerons.put(aeronDirectoryName, aeron);
        }
        return new ClientLink(aeron, new ClientLink.Settings()
            .ingressChannel(entry.clientIngressChannel())
            .ingressStreamId(entry.clientIngressStreamId())
            .responseChannel(settings.responseChannel())
            .responseStreamId(settings.responseStreamId() + shards.size())
            .connectTimeoutNs(settings.connectTimeoutNs())
            .maxReassemblies(Math.max(64, settings.bots()))
            .clock(linkClock));
    }

    @Override
    public void onClose()
    {
        closeLinks();
    }

    private void closeLinks()
    {
        for (final ShardLink shard : shards)
        {
            CloseHelper.quietClose(shard.link);
        }
        for (final Aeron aeron : aerons.values())
        {
            CloseHelper.quietClose(aeron);
        }
    }

    long transfers()
    {
        return transfers.get();
    }

    long botsWelcomed()
    {
        return welcomed.get();
    }

    Histogram transferHistogram()
    {
        return transferNs;
    }

    Histogram stowHistogram()
    {
        return stowNs;
    }

    Histogram unstowHistogram()
    {
        return unstowNs;
    }

    int botCount()
    {
        return bots.length;
    }

    TransferBot bot(final int i)
    {
        return bots[i];
    }

    long directoryReadErrors()
    {
        return directoryReadErrors;
    }

    long directoryChanges()
    {
        return directoryChanges;
    }

    int shardsKnown()
    {
        return shards.size();
    }

    /**
     * @return every shard link seen, in the order seen (a shard re-registered elsewhere has two).
     */
    List<ShardLink> shardLinks()
    {
        return shards;
    }

    int shardsListed()
    {
        return listedCount();
    }
}
