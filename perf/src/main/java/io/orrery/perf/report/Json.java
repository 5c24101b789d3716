/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.report;

import java.util.Locale;

/**
 * A minimal streaming JSON writer for summaries, reports and the dashboard's API: objects, arrays, strings, numbers
 * (non-finite numbers are written as {@code null}), booleans. {@code <}, {@code >} and {@code &} are escaped as
 * {@code \u003c} etc. so the output can be embedded in an HTML {@code <script>} element as is.
 * <p>
 * Threading: not thread safe; one writer per document.
 */
public final class Json
{
    private final StringBuilder out;
    private boolean needsComma;

    /**
     * A writer appending to a new buffer.
     */
    public Json()
    {
        this(new StringBuilder(4096));
    }

    /**
     * A writer appending to a given buffer.
     *
     * @param out to append to.
     */
    public Json(final StringBuilder out)
    {
        this.out = out;
    }

    public Json beginObject()
    {
        comma();
        out.append('{');
        needsComma = false;
        return this;
    }

    public Json endObject()
    {
        out.append('}');
        needsComma = true;
        return this;
    }

    public Json beginArray()
    {
        comma();
        out.append('[');
        needsComma = false;
        return this;
    }

    public Json endArray()
    {
        out.append(']');
        needsComma = true;
        return this;
    }

    /**
     * Name of the next member of an object.
     *
     * @param name member name.
     * @return this.
     */
    public Json name(final String name)
    {
        comma();
        string(name);
        out.append(':');
        needsComma = false;
        return this;
    }

    public Json value(final String value)
    {
        comma();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        needsComma = true;
        return this;
    }

    public Json value(final long value)
    {
        comma();
        out.append(value);
        needsComma = true;
        return this;
    }

    public Json value(final double value)
    {
        comma();
        if (Double.isFinite(value))
        {
            if (value == Math.rint(value) && Math.abs(value) < 1e15)
            {
                out.append((long)value);
            }
            else
            {
                out.append(String.format(Locale.ROOT, "%.6g", value).replaceFirst("(\\.\\d*?)0+($|e)", "$1$2")
                    .replaceFirst("\\.($|e)", "$1"));
            }
        }
        else
        {
            out.append("null");
        }
        needsComma = true;
        return this;
    }

    public Json value(final boolean value)
    {
        comma();
        out.append(value);
        needsComma = true;
        return this;
    }

    public Json nullValue()
    {
        comma();
        out.append("null");
        needsComma = true;
        return this;
    }

    /**
     * Append an already encoded JSON value.
     *
     * @param json valid JSON.
     * @return this.
     */
    public Json raw(final String json)
    {
        comma();
        out.append(json);
        needsComma = true;
        return this;
    }

    public Json member(final String name, final String value)
    {
        return name(name).value(value);
    }

    public Json member(final String name, final long value)
    {
        return name(name).value(value);
    }

    public Json member(final String name, final double value)
    {
        return name(name).value(value);
    }

    public Json member(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    @Override
    public String toString()
    {
        return out.toString();
    }

    private void comma()
    {
        if (needsComma)
        {
            out.append(',');
        }
    }

    private void string(final String value)
    {
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '<':
                case '>':
                case '&':
                    out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    break;
                default:
                    if (c < 0x20 || 0x2028 == c || 0x2029 == c)
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
