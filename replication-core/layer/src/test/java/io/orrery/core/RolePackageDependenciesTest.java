/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package rules of issue 17 item 1, read from the layer's sources (imports and fully qualified names, Javadoc
 * included): no role package uses the layer's own package ({@code ReplicationLayer}, its Context), the Gateway and
 * the Replicant do not use each other, status uses no role, and the shared package uses none of the layer.
 */
class RolePackageDependenciesTest
{
    private static final Path SOURCES = Paths.get("src", "main", "java", "io", "orrery", "core");
    private static final Pattern LAYER_REFERENCE = Pattern.compile("io\\.orrery\\.core\\.(\\w+)");

    @Test
    void shouldKeepRolesIndependentOfTheLayerAndOfEachOther() throws IOException
    {
        assertTrue(Files.isDirectory(SOURCES), "run from the module directory: " + SOURCES.toAbsolutePath());
        final List<String> violations = new ArrayList<>();
        check("gateway", new String[]{ "replicant", "atlas", "persistence" }, violations);
        check("replicant", new String[]{ "gateway" }, violations);
        check("atlas", new String[]{ "gateway" }, violations);
        check("authority", new String[]{ "gateway" }, violations);
        check("status", new String[]{ "gateway", "replicant", "atlas", "authority", "persistence" }, violations);
        check("common", new String[]{ "gateway", "replicant", "atlas", "authority", "persistence", "status" },
            violations);
        assertEquals(List.of(), violations);
    }

    /**
     * Every reference from {@code pkg} to a type in {@code io.orrery.core} itself (a capitalised name) or to one of
     * the forbidden packages is a violation.
     */
    private static void check(final String pkg, final String[] forbidden, final List<String> violations)
        throws IOException
    {
        try (Stream<Path> files = Files.walk(SOURCES.resolve(pkg)))
        {
            for (final Path file : (Iterable<Path>)files.filter((p) -> p.toString().endsWith(".java"))::iterator)
            {
                final Matcher matcher = LAYER_REFERENCE.matcher(
                    new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
                while (matcher.find())
                {
                    final String target = matcher.group(1);
                    boolean violation = Character.isUpperCase(target.charAt(0));
                    for (final String other : forbidden)
                    {
                        violation |= other.equals(target);
                    }
                    if (violation)
                    {
                        violations.add(pkg + "/" + file.getFileName() + " -> io.orrery.core." + target);
                    }
                }
            }
        }
    }
}
