/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.shard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The shard directory of a deployment: which shards exist and where their clients connect, as a small text file
 * that shards register in when they start and that clients (bots, matchmaking) read to move players between shards.
 * One shard per line, fields separated by spaces, {@code #} starts a comment:
 * <pre>
 *   # name      aeron directory        client ingress channel       stream
 *   shard-a     /dev/shm/orrery-a      aeron:ipc?term-length=64k    1001
 *   shard-b     /dev/shm/orrery-b      aeron:udp?endpoint=host:4040 1001
 * </pre>
 * Writers replace the file atomically (write a sibling, then move it over) under an exclusive lock on a sibling
 * {@code .lock} file, so readers never see half a file and concurrent registrations are not lost.
 * <p>
 * Threading: immutable once read; the static methods may be called from any thread and process.
 */
public final class ShardDirectory
{
    private final List<Entry> entries;

    private ShardDirectory(final List<Entry> entries)
    {
        this.entries = Collections.unmodifiableList(entries);
    }

    /**
     * Where one shard's clients connect.
     *
     * @param name                  the shard's name, unique in the directory (no spaces).
     * @param aeronDirectoryName    the media driver a client on the same host uses, or {@code -} for none.
     * @param clientIngressChannel  the channel clients send their hello and inputs to.
     * @param clientIngressStreamId its stream id.
     */
    public record Entry(String name, String aeronDirectoryName, String clientIngressChannel, int clientIngressStreamId)
    {
        public Entry
        {
            check(name, "name");
            check(aeronDirectoryName, "aeronDirectoryName");
            check(clientIngressChannel, "clientIngressChannel");
        }

        private static void check(final String field, final String what)
        {
            if (null == field || field.isEmpty() || field.indexOf(' ') >= 0 || field.indexOf('\n') >= 0)
            {
                throw new IllegalArgumentException(what + " must be a non-empty word: " + field);
            }
        }

        String line()
        {
            return name + ' ' + aeronDirectoryName + ' ' + clientIngressChannel + ' ' + clientIngressStreamId;
        }
    }

    /**
     * @return the shards, in file order.
     */
    public List<Entry> entries()
    {
        return entries;
    }

    /**
     * @return the shard of that name, or null.
     */
    public Entry entry(final String name)
    {
        for (final Entry entry : entries)
        {
            if (entry.name().equals(name))
            {
                return entry;
            }
        }
        return null;
    }

    /**
     * Read a directory file; a missing file is an empty directory.
     *
     * @throws IllegalArgumentException for a malformed line (with its number).
     */
    public static ShardDirectory read(final Path file)
    {
        if (!Files.exists(file))
        {
            return new ShardDirectory(new ArrayList<>());
        }
        try
        {
            return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read shard directory " + file, ex);
        }
    }

    /**
     * Add a shard, or replace the shard of the same name.
     *
     * @return the directory as written.
     */
    public static ShardDirectory register(final Path file, final Entry entry)
    {
        return update(file, entry.name(), entry);
    }

    /**
     * Remove a shard (a shard that shuts down cleanly); no-op when absent.
     *
     * @return the directory as written.
     */
    public static ShardDirectory deregister(final Path file, final String name)
    {
        return update(file, name, null);
    }

    private static ShardDirectory update(final Path file, final String name, final Entry replacement)
    {
        final Path absolute = file.toAbsolutePath();
        final Path lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
        try
        {
            Files.createDirectories(absolute.getParent());
            try (FileChannel channel = FileChannel.open(
                lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock())
            {
                if (!lock.isValid())
                {
                    throw new IOException("lost the lock on " + lockFile);
                }
                final List<Entry> entries = new ArrayList<>(read(absolute).entries());
                boolean replaced = false;
                for (int i = entries.size() - 1; i >= 0; i--)
                {
                    if (entries.get(i).name().equals(name))
                    {
                        if (null != replacement && !replaced)
                        {
                            entries.set(i, replacement);
                            replaced = true;
                        }
                        else
                        {
                            entries.remove(i);
                        }
                    }
                }
                if (null != replacement && !replaced)
                {
                    entries.add(replacement);
                }

                final StringBuilder text = new StringBuilder(
                    "# Orrery shard directory: name, aeron directory, client ingress channel, stream id\n");
                for (final Entry entry : entries)
                {
                    text.append(entry.line()).append('\n');
                }
                final Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
                Files.writeString(temporary, text, StandardCharsets.UTF_8);
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return new ShardDirectory(entries);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot update shard directory " + file, ex);
        }
    }

    static ShardDirectory parse(final List<String> lines, final Path file)
    {
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String[] fields = line.split("\\s+");
            if (fields.length != 4)
            {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 4 fields: " + line);
            }
            try
            {
                entries.add(new Entry(fields[0], fields[1], fields[2], Integer.parseInt(fields[3])));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": bad stream id: " + fields[3], ex);
            }
        }
        return new ShardDirectory(entries);
    }
}
