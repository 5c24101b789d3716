/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Replication: a primary with a synchronous hot standby (two local PostgreSQL servers), the primary SIGKILLed while
 * the adapter runs stows, unstows and wallet changes, the standby promoted, and the same adapter reconnected (a
 * two-host URL with {@code targetServerType=primary}): every acknowledged operation is on the promoted standby.
 * <p>
 * The zonky binaries have no {@code pg_basebackup}, so the standby is a copy of the primary's data directory taken
 * between {@code pg_backup_start} and {@code pg_backup_stop} (the label written as {@code backup_label}), started
 * with {@code standby.signal}, streaming from a physical replication slot created before the copy.
 */
@Tag("system")
class PostgresSynchronousStandbyTest
{
    private static final long PLAYER = 77;
    private static final int ACKNOWLEDGED_BEFORE_KILL = 120;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Set<String> NOT_COPIED = Set.of(
        "postmaster.pid", "postmaster.opts", "pg_wal", "pg_replslot", "pg_stat_tmp", "log");

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAcknowledgedOperationWhenPrimaryIsKilledAndStandbyPromoted() throws Exception
    {
        final Path primaryData = directory.resolve("primary");
        final Path standbyData = directory.resolve("standby");
        final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
            .setDataDirectory(primaryData)
            .setCleanDataDirectory(true);
        PostgresServerSettings.recommended().forEach(builder::setServerConfig);
        builder.setServerConfig("wal_level", "replica");
        builder.setServerConfig("max_wal_senders", "4");
        builder.setServerConfig("max_replication_slots", "4");

        final EmbeddedPostgres primary = builder.start();
        try
        {
            final long primaryPid = postmasterPid(primaryData);
            final Path bin = Files.readSymbolicLink(Path.of("/proc", Long.toString(primaryPid), "exe")).getParent();
            final int standbyPort = freePort();
            final String primaryUrl = primary.getJdbcUrl("postgres", "postgres");
            final String standbyUrl = "jdbc:postgresql://localhost:" + standbyPort + "/postgres?user=postgres";

            makeStandby(primaryUrl, primaryData, standbyData, primary.getPort(), standbyPort);
            final Path standbyLog = directory.resolve("standby.log");
            try
            {
                run(bin.resolve("pg_ctl").toString(), "-D", standbyData.toString(), "-l", standbyLog.toString(),
                    "-w", "-t", "60", "start");
            }
            catch (final IOException ex)
            {
                throw new IOException(ex.getMessage() + "\n" + Files.readString(standbyLog), ex);
            }
            awaitSynchronousStandby(primaryUrl);

            final String failoverUrl = "jdbc:postgresql://localhost:" + primary.getPort() + ",localhost:" +
                standbyPort + "/postgres?user=postgres&targetServerType=primary&currentSchema=shard_a,global";
            try (PostgresPersistenceAdapter adapter = PostgresPersistenceAdapter.open(failoverUrl))
            {
                final Workload workload = new Workload(adapter);
                final Thread writer = new Thread(workload, "standby-test-writer");
                writer.start();
                final long deadline = System.nanoTime() + DEADLINE_NS;
                while (workload.acknowledged.size() < ACKNOWLEDGED_BEFORE_KILL && writer.isAlive())
                {
                    assertTrue(System.nanoTime() < deadline, "workload too slow: " + workload.acknowledged.size());
                    Thread.onSpinWait();
                    Thread.sleep(1);
                }
                assertNull(workload.unexpected.get());

                final ProcessHandle postmaster = ProcessHandle.of(primaryPid).orElseThrow();
                postmaster.destroyForcibly(); // SIGKILL
                postmaster.onExit().get(10, TimeUnit.SECONDS);
                writer.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(writer.isAlive(), "the writer saw the primary die");
                assertNull(workload.unexpected.get());

                try (Connection c = DriverManager.getConnection(standbyUrl); Statement s = c.createStatement();
                    ResultSet rows = s.executeQuery("SELECT pg_promote(true, 30)"))
                {
                    assertTrue(rows.next() && rows.getBoolean(1), "standby promoted");
                }

                workload.verify(reconnected(adapter));
                try (Connection c = DriverManager.getConnection(standbyUrl); Statement s = c.createStatement();
                    ResultSet rows = s.executeQuery(
                        "SELECT pg_is_in_recovery(), (SELECT count(*) FROM global.store_operations)"))
                {
                    assertTrue(rows.next());
                    assertFalse(rows.getBoolean(1), "the standby is the primary now");
                    assertTrue(rows.getLong(2) >= workload.acknowledged.size(), "operations recorded on the standby");
                    System.out.println("acknowledged before the kill: " + workload.acknowledged.size() +
                        ", recorded on the promoted standby: " + rows.getLong(2));
                }
            }
            finally
            {
                run(bin.resolve("pg_ctl").toString(), "-D", standbyData.toString(), "-m", "immediate", "stop");
            }
        }
        finally
        {
            try
            {
                primary.close();
            }
            catch (final IOException closeOfKilledPrimary)
            {
                // zonky's close stops the primary with pg_ctl, which fails once it is gone
            }
        }
    }

    /**
     * The same adapter, once it answers again: its connection broke with the primary, and the next call connects to
     * whichever host is primary now.
     */
    private static PostgresPersistenceAdapter reconnected(final PostgresPersistenceAdapter adapter)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (true)
        {
            try
            {
                adapter.walletBalance(PLAYER);
                return adapter;
            }
            catch (final PersistenceException ex)
            {
                if (System.nanoTime() > deadline)
                {
                    throw ex;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * One player's items and wallet: each round writes a node, stows it, unstows every other one and adds to the
     * wallet, recording each call that returned (acknowledged) and the one that was in flight when the primary died.
     */
    private static final class Workload implements Runnable
    {
        private final PostgresPersistenceAdapter adapter;
        private final List<Object> acknowledged = new CopyOnWriteArrayList<>();
        private final AtomicReference<Throwable> unexpected = new AtomicReference<>();
        private volatile long inFlightItem = -1;
        private long nextOperationId = 1;

        Workload(final PostgresPersistenceAdapter adapter)
        {
            this.adapter = adapter;
        }

        @Override
        public void run()
        {
            try
            {
                for (long item = 1_000; ; item++)
                {
                    inFlightItem = item;
                    final WorldBatch batch = new WorldBatch(1);
                    final NodeRecord node = batch.addNodeUpsert();
                    node.entityId = item;
                    node.archetypeId = 3;
                    node.x = item;
                    adapter.write(batch);

                    final StowOperation stow = new StowOperation().reset();
                    stow.operationId = nextOperationId++;
                    stow.entityId = item;
                    stow.ownerPlayerId = PLAYER;
                    stow.node.entityId = 0; // the stored node is the item
                    adapter.stow(stow);
                    check(OperationStatus.OK, stow.status);
                    acknowledged.add(stow);

                    if (0 == (item & 1))
                    {
                        final StowOperation unstow = new StowOperation().reset();
                        unstow.operationId = nextOperationId++;
                        unstow.entityId = item;
                        unstow.ownerPlayerId = PLAYER;
                        unstow.node.parentZoneId = 0;
                        unstow.node.x = -item;
                        adapter.unstow(unstow);
                        check(OperationStatus.OK, unstow.status);
                        acknowledged.add(unstow);
                    }

                    final WalletOperation wallet = new WalletOperation();
                    wallet.operationId = nextOperationId++;
                    wallet.playerId = PLAYER;
                    wallet.delta = 5;
                    adapter.changeWallet(wallet);
                    check(OperationStatus.OK, wallet.status);
                    acknowledged.add(wallet);
                }
            }
            catch (final PersistenceException primaryGone)
            {
                // the call in flight when the primary died: not acknowledged
            }
            catch (final Throwable ex)
            {
                unexpected.set(ex);
            }
        }

        private void check(final int expected, final int status)
        {
            if (expected != status)
            {
                throw new AssertionError("status " + status + ", expected " + expected);
            }
        }

        /**
         * Every acknowledged operation is recorded (its replay is a DUPLICATE of an applied one) and its effect is
         * there: items whose every call was acknowledged are where the last one put them, and the wallet holds at
         * least every acknowledged change (and at most one more: the change in flight may have committed).
         */
        void verify(final PostgresPersistenceAdapter adapter)
        {
            long walletChanges = 0;
            final List<Long> stowed = new ArrayList<>();
            final List<Long> unstowed = new ArrayList<>();
            for (final Object op : acknowledged)
            {
                if (op instanceof WalletOperation wallet)
                {
                    walletChanges++;
                    final WalletOperation replay = new WalletOperation();
                    replay.operationId = wallet.operationId;
                    replay.playerId = wallet.playerId;
                    replay.delta = wallet.delta;
                    adapter.changeWallet(replay);
                    assertEquals(OperationStatus.DUPLICATE, replay.status, "wallet change " + wallet.operationId);
                }
                else
                {
                    final StowOperation stow = (StowOperation)op;
                    final boolean isUnstow = stow.node.entityId != 0 || stow.node.x != 0;
                    final StowOperation replay = new StowOperation().reset();
                    replay.operationId = stow.operationId;
                    replay.entityId = stow.entityId;
                    replay.ownerPlayerId = stow.ownerPlayerId;
                    replay.node.copyFrom(stow.node);
                    if (isUnstow)
                    {
                        replay.node.entityId = 0;
                        replay.node.x = -stow.entityId;
                        adapter.unstow(replay);
                        unstowed.add(stow.entityId);
                        stowed.remove(stow.entityId);
                    }
                    else
                    {
                        replay.node.entityId = 0;
                        adapter.stow(replay);
                        stowed.add(stow.entityId);
                    }
                    assertEquals(OperationStatus.DUPLICATE, replay.status, "operation " + stow.operationId);
                    assertEquals(OperationStatus.OK, replay.firstStatus, "operation " + stow.operationId);
                }
            }
            assertTrue(acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL);

            final long inFlight = inFlightItem;
            for (final long item : stowed)
            {
                if (item != inFlight)
                {
                    assertTrue(adapter.isStowed(item), "stowed item " + item);
                }
            }
            final List<Long> nodes = new ArrayList<>();
            adapter.loadAll(n -> nodes.add(n.entityId));
            for (final long item : unstowed)
            {
                assertFalse(adapter.isStowed(item), "unstowed item " + item);
                assertTrue(nodes.contains(item), "unstowed item " + item + " is a node");
            }
            final long balance = adapter.walletBalance(PLAYER);
            assertTrue(balance >= 5 * walletChanges && balance <= 5 * (walletChanges + 1),
                "balance " + balance + " after " + walletChanges + " acknowledged changes of 5");
        }
    }

    private static void makeStandby(
        final String primaryUrl, final Path primaryData, final Path standbyData, final int primaryPort,
        final int standbyPort) throws SQLException, IOException
    {
        final StringBuilder settings = new StringBuilder();
        try (Connection c = DriverManager.getConnection(primaryUrl); Statement s = c.createStatement())
        {
            // the primary's settings (zonky passes them on the command line): a standby needs max_connections and
            // the like at least as high, and runs with the same durability
            try (ResultSet rows = s.executeQuery("SELECT name, setting FROM pg_settings WHERE source = " +
                "'command line' AND name NOT IN ('port', 'listen_addresses', 'unix_socket_directories')"))
            {
                while (rows.next())
                {
                    settings.append(rows.getString(1)).append(" = '")
                        .append(rows.getString(2).replace("'", "''")).append("'\n");
                }
            }
            s.execute("SELECT pg_create_physical_replication_slot('standby1', true)");
            s.execute("SELECT pg_backup_start('orrery-standby', true)");
            copy(primaryData, standbyData);
            try (ResultSet rows = s.executeQuery("SELECT labelfile FROM pg_backup_stop(true)"))
            {
                assertTrue(rows.next());
                Files.writeString(standbyData.resolve("backup_label"), rows.getString(1), StandardCharsets.UTF_8);
            }
        }
        Files.setPosixFilePermissions(standbyData, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(standbyData.resolve("pg_wal").resolve("archive_status"));
        Files.createDirectories(standbyData.resolve("pg_replslot"));
        Files.createDirectories(standbyData.resolve("pg_stat_tmp"));
        Files.createFile(standbyData.resolve("standby.signal"));
        Files.writeString(standbyData.resolve("postgresql.auto.conf"),
            settings +
            "port = " + standbyPort + "\n" +
            "listen_addresses = 'localhost'\n" +
            "unix_socket_directories = ''\n" +
            "primary_conninfo = 'host=localhost port=" + primaryPort + " user=postgres application_name=standby1'\n" +
            "primary_slot_name = 'standby1'\n" +
            "hot_standby = on\n",
            StandardCharsets.UTF_8);
    }

    /**
     * Wait until the standby streams, then make it synchronous and wait until the primary says so.
     */
    private static void awaitSynchronousStandby(final String primaryUrl) throws SQLException, InterruptedException
    {
        try (Connection c = DriverManager.getConnection(primaryUrl); Statement s = c.createStatement())
        {
            awaitRow(s, "SELECT 1 FROM pg_stat_replication WHERE application_name = 'standby1' AND " +
                "state = 'streaming'");
            s.execute("ALTER SYSTEM SET synchronous_standby_names = 'standby1'");
            s.execute("SELECT pg_reload_conf()");
            awaitRow(s, "SELECT 1 FROM pg_stat_replication WHERE application_name = 'standby1' AND " +
                "sync_state = 'sync'");
        }
    }

    private static void awaitRow(final Statement s, final String sql) throws SQLException, InterruptedException
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (true)
        {
            try (ResultSet rows = s.executeQuery(sql))
            {
                if (rows.next())
                {
                    return;
                }
            }
            if (System.nanoTime() > deadline)
            {
                fail("no row within the deadline: " + sql);
            }
            Thread.sleep(20);
        }
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> entries = Files.list(from))
        {
            for (final Path entry : entries.toList())
            {
                final String name = entry.getFileName().toString();
                if (NOT_COPIED.contains(name))
                {
                    continue;
                }
                try (Stream<Path> tree = Files.walk(entry))
                {
                    tree.forEach(source ->
                    {
                        final Path target = to.resolve(from.relativize(source).toString());
                        try
                        {
                            if (Files.isDirectory(source))
                            {
                                Files.createDirectories(target);
                            }
                            else
                            {
                                Files.copy(source, target);
                            }
                        }
                        catch (final NoSuchFileException vanished)
                        {
                            // a temporary file removed while copying: WAL replay restores what matters
                        }
                        catch (final IOException ex)
                        {
                            throw new UncheckedIOException(ex);
                        }
                    });
                }
            }
        }
    }

    private static long postmasterPid(final Path dataDirectory) throws IOException
    {
        return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * Run a PostgreSQL tool; as root inside a user namespace ({@code unshare -U}, as zonky runs its own), since
     * PostgreSQL refuses to run as root.
     */
    private static void run(final String... command) throws IOException, InterruptedException
    {
        final List<String> line = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name")))
        {
            line.add("unshare");
            line.add("-U");
        }
        line.addAll(List.of(command));
        final Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static void assertNull(final Object value)
    {
        if (null != value)
        {
            fail("unexpected: " + value, value instanceof Throwable t ? t : null);
        }
    }
}
