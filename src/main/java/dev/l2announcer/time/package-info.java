/**
 * Time as an injected dependency: {@link dev.l2announcer.time.Ticker} (monotonic, for every deadline and expiry;
 * never compared with another node's timestamps), {@link java.time.Clock} (wall time, only for timestamps written
 * to the API) and {@link dev.l2announcer.time.TaskScheduler} (the single thread a component's state is confined
 * to). Tests drive all three by hand with a manual scheduler, so timing rules are tested exactly and without sleeps.
 */
package dev.l2announcer.time;
