/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Several hosts on one machine for tests: one Linux network namespace per host, each with an {@code eth0} (a veth
 * pair) on one bridge that lives in a namespace of its own (the switch), addresses {@code <subnet>.1},
 * {@code <subnet>.2}, ... in the order the hosts were named. Nothing is changed in the machine's own namespace.
 * Processes are started on a host through {@link #exec(String)} ({@code ip netns exec <namespace>}), which execs the
 * command, so the process is the command itself. {@link #close()} deletes every namespace (and with them the veths).
 * <p>
 * Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2's {@code ip}; {@link #unavailableReason()} says why
 * they cannot be made here, so that a test can skip where they cannot be created (and fail in CI, which runs as
 * root). Namespaces share the file system: Aeron directories of processes on different hosts must still differ.
 */
public final class NetworkNamespaces implements AutoCloseable
{
    private final String prefix;
    private final String subnet;
    private final List<String> hosts;
    private final List<String> created = new ArrayList<>();

    private NetworkNamespaces(final String prefix, final String subnet, final List<String> hosts)
    {
        this.prefix = prefix;
        this.subnet = subnet;
        this.hosts = hosts;
    }

    /**
     * @return null if network namespaces can be created and joined by veth pairs here, else why not.
     */
    public static String unavailableReason()
    {
        final String probe = "orrprobe" + ProcessHandle.current().pid() % 100_000;
        try
        {
            final String added = run("ip", "netns", "add", probe);
            if (null != added)
            {
                return "cannot create a network namespace: " + added;
            }
            final String veth = run("ip", "-n", probe, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
            return null == veth ? null : "cannot create a veth pair: " + veth;
        }
        catch (final IOException ex)
        {
            return "no iproute2 'ip' command: " + ex.getMessage();
        }
        finally
        {
            try
            {
                run("ip", "netns", "del", probe);
            }
            catch (final IOException ignore)
            {
                // nothing was created
            }
        }
    }

    /**
     * Create one namespace per host on one bridge.
     *
     * @param prefix namespace name prefix, unique to the test run (namespaces are global to the machine).
     * @param subnet the first three octets of a /24 that the machine does not use, e.g. {@code 10.77.0}.
     * @param hosts  the hosts' names, at most 250.
     * @return the namespaces, to be closed.
     * @throws IOException if a command fails (what is created by then is deleted).
     */
    public static NetworkNamespaces create(final String prefix, final String subnet, final String... hosts)
        throws IOException
    {
        final NetworkNamespaces namespaces = new NetworkNamespaces(prefix, subnet, List.of(hosts));
        try
        {
            namespaces.build();
            return namespaces;
        }
        catch (final IOException | RuntimeException ex)
        {
            namespaces.close();
            throw ex;
        }
    }

    /**
     * @param host one of the hosts.
     * @return the command prefix that runs a command on that host.
     */
    public List<String> exec(final String host)
    {
        return List.of("ip", "netns", "exec", namespace(host));
    }

    /**
     * @param host one of the hosts.
     * @return its IPv4 address.
     */
    public String address(final String host)
    {
        final int index = hosts.indexOf(host);
        if (index < 0)
        {
            throw new IllegalArgumentException("unknown host " + host);
        }
        return subnet + "." + (index + 1);
    }

    /**
     * Delete every namespace this created.
     */
    public void close()
    {
        for (int i = created.size() - 1; i >= 0; i--)
        {
            try
            {
                run("ip", "netns", "del", created.get(i));
            }
            catch (final IOException ignore)
            {
                // already gone
            }
        }
        created.clear();
    }

    private void build() throws IOException
    {
        final String bridgeNamespace = prefix + "sw";
        check(run("ip", "netns", "add", bridgeNamespace));
        created.add(bridgeNamespace);
        check(run("ip", "-n", bridgeNamespace, "link", "add", "br0", "type", "bridge"));
        check(run("ip", "-n", bridgeNamespace, "link", "set", "br0", "up"));
        for (int i = 0; i < hosts.size(); i++)
        {
            final String host = namespace(hosts.get(i));
            check(run("ip", "netns", "add", host));
            created.add(host);
            final String port = "v" + i;
            check(run("ip", "-n", bridgeNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0",
                "netns", host));
            check(run("ip", "-n", bridgeNamespace, "link", "set", port, "master", "br0", "up"));
            check(run("ip", "-n", host, "addr", "add", subnet + "." + (i + 1) + "/24", "dev", "eth0"));
            check(run("ip", "-n", host, "link", "set", "eth0", "up"));
            check(run("ip", "-n", host, "link", "set", "lo", "up"));
        }
    }

    private String namespace(final String host)
    {
        return prefix + host;
    }

    private static void check(final String error) throws IOException
    {
        if (null != error)
        {
            throw new IOException(error);
        }
    }

    /**
     * @return null on success, else the command and what it printed.
     */
    private static String run(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream())
        {
            in.transferTo(output);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return String.join(" ", command) + ": timed out";
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        return 0 == process.exitValue() ? null :
            String.join(" ", command) + ": exit " + process.exitValue() + ", " +
            output.toString(StandardCharsets.UTF_8).trim();
    }
}
