/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.EntityStreamInEncoder;
import io.orrery.wire.codec.EntityStreamOutEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.EntityStateBatchEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.ClientViewBatchEncoder;
import io.orrery.wire.codec.PlayerInputEncoder;
import io.orrery.wire.codec.ForwardedInputEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static io.orrery.wire.SampleMessages.entryVarLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written descriptor table agrees with the schema XML, and the framing helpers agree with what the
 * encoders write.
 */
class MessageLayoutsTest
{
    private static final String SBE_NAMESPACE = "http://fixprotocol.io/2016/sbe";

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024 * 1024]);
    private final SampleMessages samples = new SampleMessages();

    @Test
    void shouldDescribeEveryMessageOfTheSchemaWhenComparedWithSchemaXml() throws Exception
    {
        final Document schema;
        try (final InputStream in = MessageLayoutsTest.class.getResourceAsStream("/sbe/orrery-schema.xml"))
        {
            assertNotNull(in, "schema on the classpath");
            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            schema = factory.newDocumentBuilder().parse(in);
        }

        final NodeList messages = schema.getElementsByTagNameNS(SBE_NAMESPACE, "message");
        final Set<Integer> schemaIds = new HashSet<>();
        for (int m = 0; m < messages.getLength(); m++)
        {
            final Element message = (Element)messages.item(m);
            final int templateId = Integer.parseInt(message.getAttribute("id"));
            final String name = message.getAttribute("name");
            schemaIds.add(templateId);

            assertTrue(MessageLayouts.rootBlockLength(templateId) > 0, name);
            int element = MessageLayouts.firstElement(templateId);
            int elements = 0;
            for (Node child = message.getFirstChild(); child != null; child = child.getNextSibling())
            {
                if ("group".equals(child.getLocalName()))
                {
                    assertEquals(MessageLayouts.GROUP, MessageLayouts.kind(element), name);
                    assertEquals(countChildren((Element)child, "data"), MessageLayouts.groupEntryVarDataCount(element));
                    assertEquals(0, countChildren((Element)child, "group"), name + ": nested groups unsupported");
                    assertTrue(MessageLayouts.groupMaxCount(element) > 0, name);
                    element++;
                    elements++;
                }
                else if ("data".equals(child.getLocalName()))
                {
                    assertEquals(MessageLayouts.VAR_DATA, MessageLayouts.kind(element), name);
                    assertTrue(MessageLayouts.varDataMaxLength(element) <= MessageLayouts.MAX_VAR_DATA_LENGTH);
                    element++;
                    elements++;
                }
            }
            assertEquals(elements, MessageLayouts.elementCount(templateId), name);
        }

        assertEquals(schemaIds.size(), MessageLayouts.templateCount());
        assertEquals(schemaIds.size(), SampleMessages.TEMPLATE_IDS.length);
        assertEquals(schemaIds, new HashSet<>(Arrays.asList(Arrays.stream(SampleMessages.TEMPLATE_IDS).boxed()
            .toArray(Integer[]::new))));
        for (int templateId = -1; templateId <= 65535; templateId++)
        {
            if (!schemaIds.contains(templateId))
            {
                assertEquals(MessageLayouts.UNKNOWN_TEMPLATE, MessageLayouts.rootBlockLength(templateId));
            }
        }
    }

    @Test
    void shouldMatchEncodedLengthsWhenBudgetingFixedMessages()
    {
        assertEquals(
            MessageFraming.PLAYER_INPUT_LENGTH, samples.encode(PlayerInputEncoder.TEMPLATE_ID, buffer, 0, 0, 0, 0));
        assertEquals(
            MessageFraming.FORWARDED_INPUT_LENGTH,
            samples.encode(ForwardedInputEncoder.TEMPLATE_ID, buffer, 0, 0, 0, 0));
        assertEquals(EntityStreamInEncoder.BLOCK_LENGTH + 1, EntityStreamOutEncoder.BLOCK_LENGTH, "plus the reason");
        assertEquals(
            EntityStreamInEncoder.EntitiesEncoder.sbeBlockLength(),
            EntityStreamOutEncoder.EntitiesEncoder.sbeBlockLength());

        for (final int stateLength : new int[]{ 0, 1, 100, MessageLayouts.MAX_COMPONENT_STATE_LENGTH })
        {
            assertEquals(
                MessageFraming.spawnLength(stateLength),
                samples.encode(EntitySpawnEncoder.TEMPLATE_ID, buffer, 0, 0, 0, stateLength));
        }
    }

    @Test
    void shouldMatchEncodedLengthsWhenBudgetingBatches()
    {
        for (final int count : new int[]{ 0, 1, 2, 16, 4096 })
        {
            for (final int varLength : new int[]{ 0, 1, 33 })
            {
                int updates = MessageFraming.UPDATE_BATCH_HEADER_LENGTH;
                int states = MessageFraming.STATE_BATCH_HEADER_LENGTH;
                int stream = MessageFraming.STREAM_BATCH_HEADER_LENGTH;
                int views = MessageFraming.VIEW_BATCH_HEADER_LENGTH;
                int totalState = 0;
                for (int i = 0; i < count; i++)
                {
                    final int stateLength = entryVarLength(varLength, i);
                    totalState += stateLength;
                    updates += MessageFraming.updateEntryLength(stateLength);
                    states += MessageFraming.stateEntryLength(stateLength);
                    stream += MessageFraming.streamEntryLength(stateLength);
                    views += MessageFraming.viewEntryLength(stateLength) + MessageFraming.VIEW_REMOVED_ENTRY_LENGTH;
                }

                assertEquals(updates, encode(EntityUpdateBatchEncoder.TEMPLATE_ID, count, varLength));
                assertEquals(updates, MessageFraming.updateBatchLength(count, totalState));
                assertEquals(states, encode(EntityStateBatchEncoder.TEMPLATE_ID, count, varLength));
                assertEquals(states, MessageFraming.stateBatchLength(count, totalState));
                assertEquals(stream, encode(EntityStreamInEncoder.TEMPLATE_ID, count, varLength));
                assertEquals(stream + MessageFraming.STREAM_OUT_HEADER_LENGTH - MessageFraming.STREAM_BATCH_HEADER_LENGTH,
                    encode(EntityStreamOutEncoder.TEMPLATE_ID, count, varLength));
                assertEquals(views, encode(ClientViewBatchEncoder.TEMPLATE_ID, count, varLength));
            }
        }
    }

    private int encode(final int templateId, final int count, final int varLength)
    {
        return samples.encode(templateId, buffer, 0, 0, count, varLength);
    }

    private static int countChildren(final Element parent, final String localName)
    {
        int count = 0;
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling())
        {
            if (localName.equals(child.getLocalName()))
            {
                count++;
            }
        }

        return count;
    }
}
