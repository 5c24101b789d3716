/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.replicant.bridge;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The takeover and return durations as an operator sets them: a value that is not a whole number of milliseconds,
 * or below the minimum, stops the start with the property's name instead of falling back to the default.
 */
class ReplicantBridgeSettingsTest
{
    @AfterEach
    void clear()
    {
        System.clearProperty(ReplicantBridgeSettings.TAKEOVER_AFTER_MS_PROP);
        System.clearProperty(ReplicantBridgeSettings.RETURN_AFTER_MS_PROP);
        System.clearProperty(ReplicantBridgeSettings.RETURN_MAX_MS_PROP);
        System.clearProperty(ReplicantBridgeSettings.RETURN_STABLE_MS_PROP);
    }

    @Test
    void shouldTakeTheReturnBackoffFromItsPropertiesWithDefaults()
    {
        final ReplicantBridgeSettings defaults = new ReplicantBridgeSettings();
        assertEquals(60_000, defaults.returnMaxMs());
        assertEquals(30_000, defaults.returnStableMs());
        System.setProperty(ReplicantBridgeSettings.RETURN_MAX_MS_PROP, "0");
        System.setProperty(ReplicantBridgeSettings.RETURN_STABLE_MS_PROP, "5000");
        final ReplicantBridgeSettings settings = new ReplicantBridgeSettings();
        assertEquals(0, settings.returnMaxMs());
        assertEquals(5000, settings.returnStableMs());
    }

    @Test
    void shouldRefuseAReturnBackoffThatIsNotAWholeNumberNegativeOrAStableTimeOfZero()
    {
        System.setProperty(ReplicantBridgeSettings.RETURN_MAX_MS_PROP, "60s");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, ReplicantBridgeSettings::new);
        assertTrue(ex.getMessage().contains(ReplicantBridgeSettings.RETURN_MAX_MS_PROP), ex.getMessage());
        System.setProperty(ReplicantBridgeSettings.RETURN_MAX_MS_PROP, "-1");
        ex = assertThrows(IllegalArgumentException.class, ReplicantBridgeSettings::new);
        assertTrue(ex.getMessage().contains(ReplicantBridgeSettings.RETURN_MAX_MS_PROP), ex.getMessage());
        System.clearProperty(ReplicantBridgeSettings.RETURN_MAX_MS_PROP);
        System.setProperty(ReplicantBridgeSettings.RETURN_STABLE_MS_PROP, "0");
        ex = assertThrows(IllegalArgumentException.class, ReplicantBridgeSettings::new);
        assertTrue(ex.getMessage().contains(ReplicantBridgeSettings.RETURN_STABLE_MS_PROP), ex.getMessage());
        System.clearProperty(ReplicantBridgeSettings.RETURN_STABLE_MS_PROP);
        final ReplicantBridgeSettings settings = new ReplicantBridgeSettings();
        assertThrows(IllegalArgumentException.class, () -> settings.returnMaxMs(-1));
        assertThrows(IllegalArgumentException.class, () -> settings.returnStableMs(0));
    }

    @Test
    void shouldTakeTheDurationsFromTheirProperties()
    {
        System.setProperty(ReplicantBridgeSettings.TAKEOVER_AFTER_MS_PROP, "1500");
        System.setProperty(ReplicantBridgeSettings.RETURN_AFTER_MS_PROP, "0");
        final ReplicantBridgeSettings settings = new ReplicantBridgeSettings();
        assertEquals(1500, settings.takeoverAfterMs());
        assertEquals(0, settings.returnAfterMs());
    }

    @Test
    void shouldRefuseADurationThatIsNotAWholeNumberOfMilliseconds()
    {
        System.setProperty(ReplicantBridgeSettings.TAKEOVER_AFTER_MS_PROP, "1s");
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, ReplicantBridgeSettings::new);
        assertTrue(ex.getMessage().contains(ReplicantBridgeSettings.TAKEOVER_AFTER_MS_PROP), ex.getMessage());
    }

    @Test
    void shouldRefuseATakeoverOfZeroAndANegativeReturn()
    {
        System.setProperty(ReplicantBridgeSettings.TAKEOVER_AFTER_MS_PROP, "0");
        assertThrows(IllegalArgumentException.class, ReplicantBridgeSettings::new);
        System.clearProperty(ReplicantBridgeSettings.TAKEOVER_AFTER_MS_PROP);
        System.setProperty(ReplicantBridgeSettings.RETURN_AFTER_MS_PROP, "-1");
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, ReplicantBridgeSettings::new);
        assertTrue(ex.getMessage().contains(ReplicantBridgeSettings.RETURN_AFTER_MS_PROP), ex.getMessage());
    }
}
