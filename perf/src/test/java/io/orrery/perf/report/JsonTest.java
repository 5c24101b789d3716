/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.report;

import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest
{
    @Test
    void shouldWriteParseableJsonWhenValuesNeedEscaping()
    {
        final String text = new Json().beginObject()
            .member("s", "a \"b\" \\ </script> & \n")
            .member("n", 1.5)
            .member("i", 42L)
            .member("nan", Double.NaN)
            .member("small", 0.000123)
            .member("big", 1.234567e20)
            .name("list").beginArray().value(1L).value("x").value(true).nullValue().endArray()
            .endObject()
            .toString();

        assertFalse(text.contains("</script>"), text);
        @SuppressWarnings("unchecked")
        final Map<String, Object> parsed = (Map<String, Object>)new org.openqa.selenium.json.Json().toType(
            text, Map.class);
        assertEquals("a \"b\" \\ </script> & \n", parsed.get("s"));
        assertEquals(1.5, ((Number)parsed.get("n")).doubleValue());
        assertEquals(42L, ((Number)parsed.get("i")).longValue());
        assertTrue(parsed.containsKey("nan"));
        assertEquals(null, parsed.get("nan"));
        assertEquals(0.000123, ((Number)parsed.get("small")).doubleValue(), 1e-12);
        assertEquals(1.234567e20, ((Number)parsed.get("big")).doubleValue(), 1e15, "6 significant digits");
        assertEquals(4, ((List<?>)parsed.get("list")).size());
    }

    @Test
    void shouldListPercentilesUpToTheMaximumWhenHistogramHasValues()
    {
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        for (long i = 1; i <= 10_000; i++)
        {
            histogram.recordValue(i * 1_000);
        }

        final double[][] points = PercentileDistribution.points(histogram, 1e6);

        assertTrue(points.length > 20);
        for (int i = 1; i < points.length; i++)
        {
            assertTrue(points[i][0] >= points[i - 1][0], "percentiles ascend");
            assertTrue(points[i][1] >= points[i - 1][1], "values ascend");
        }
        assertEquals(100.0, points[points.length - 1][0]);
        assertEquals(histogram.getMaxValue() / 1e6, points[points.length - 1][1]);
        int median = 0;
        while (points[median][0] < 50.0)
        {
            median++;
        }
        assertEquals(5.0, points[median][1], 0.05, "the 50th percentile of 1..10 ms is 5 ms");
        assertEquals(0, PercentileDistribution.points(new Histogram(1000, 3), 1).length);
    }
}
