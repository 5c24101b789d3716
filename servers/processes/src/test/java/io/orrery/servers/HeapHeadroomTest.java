/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapHeadroomTest
{
    private static final long MB = 1024 * 1024;

    @Test
    void shouldSayHowMuchOfTheHeapIsInUseAfterStart()
    {
        assertEquals("orrery: layer heap in use after start 181 MB of 1024 MB max (18 %)",
            HeapHeadroom.line("layer", "raise -Xmx", 181 * MB, 1024 * MB));
    }

    @Test
    void shouldWarnWithAdviceWhenLittleOfTheHeapIsLeftForLoad()
    {
        final String line = HeapHeadroom.line("layer", "raise -Xmx", 200 * MB, 256 * MB);
        assertTrue(line.startsWith("orrery: WARNING: layer heap in use after start 200 MB of 256 MB max (78 %)"), line);
        assertTrue(line.endsWith("raise -Xmx"), line);
    }
}
