/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.link.DriverLoss;
import org.agrona.ErrorHandler;

/**
 * The Aeron context of a role's process ({@code ScribeServer}, {@code ReplicantServer}): attached to the media driver
 * of {@code --aeron-dir}, or to an embedded one it launches, with errors printed and the loss of the driver ending
 * the process ({@link DriverLoss#EXIT_CODE}, after a line saying so) instead of Aeron's bare {@code System.exit}.
 * <p>
 * Threading: the process's main thread, at start.
 */
final class ProcessAeron
{
    private ProcessAeron()
    {
    }

    /**
     * Point the context at the driver and set its error handler.
     *
     * @param aeronDir the external driver's directory, or null for an embedded driver (SHARED threading, its
     *                 directory deleted on start and shutdown).
     * @param aeronCtx the context to complete.
     * @param print    where errors that are not the driver's loss go.
     * @return the embedded driver to close when the process ends, or null when attached to an external one.
     */
    static MediaDriver attachOrLaunch(final String aeronDir, final Aeron.Context aeronCtx, final ErrorHandler print)
    {
        MediaDriver driver = null;
        if (null != aeronDir)
        {
            aeronCtx.aeronDirectoryName(aeronDir);
        }
        else
        {
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            aeronCtx.aeronDirectoryName(driver.aeronDirectoryName());
        }
        aeronCtx.errorHandler(DriverLoss.routing(print,
            (ex) -> DriverLoss.EXIT_PROCESS.onDriverLoss(aeronCtx.aeronDirectoryName(), ex)));
        return driver;
    }
}
