/**
 * The agent's configuration: Cilium's {@code cilium-config} keys (file directory &lt; environment &lt; flags),
 * validated once at start; an invalid value stops the agent with one line naming the key, the value, its source
 * and the rule. {@link dev.l2announcer.config.AgentConfig} is immutable afterwards, so no thread owns anything here.
 *
 * <p>{@link dev.l2announcer.config.LeaseTimings} is the one owner of the rules about leaseDuration, renewDeadline
 * and retryPeriod: what is valid (and the loader's wording), what {@code dbg doctor} says, and what the election
 * and the datapath derive from them. Nothing else states a timing inequality.
 */
package dev.l2announcer.config;
