package dev.l2announcer.datapath.linux;

import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.demo.Netns;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Link subscriptions of one {@link NetlinkDevices} share one polling thread (the agent has four
 * subscribers), each still sees every link change of its namespace, and the thread ends with the last
 * subscription. In a namespace this test creates; only links inside it change.
 */
class NetlinkSubscriptionsKernelTest {
    static final String NS = "l2a-dp-nl-" + ProcessHandle.current().pid();

    @Test
    void subscriptionsShareOneThreadAndEachSeesLinkChanges() throws Exception {
        Assumptions.assumeTrue(HostCommand.isRoot(), "needs root (network namespaces)");
        try (Netns ns = Netns.create(NS)) {
            NetlinkDevices devices = new NetlinkDevices();
            int others = pollerThreads().size(); // of other tests' instances in this JVM, if any
            AtomicInteger first = new AtomicInteger();
            AtomicInteger second = new AtomicInteger();
            AutoCloseable a = ns.run(() -> devices.subscribe(first::incrementAndGet));
            AutoCloseable b = ns.run(() -> devices.subscribe(second::incrementAndGet));
            assertThat(pollerThreads()).as("one polling thread for both subscriptions").hasSize(others + 1);

            ns.ip("link", "add", "l2anla", "type", "veth", "peer", "name", "l2anlb");
            await().atMost(Duration.ofSeconds(5)).until(() -> first.get() > 0 && second.get() > 0);

            a.close();
            int seenBySecond = second.get();
            ns.ip("link", "set", "l2anla", "up");
            await().atMost(Duration.ofSeconds(5)).until(() -> second.get() > seenBySecond);
            assertThat(pollerThreads()).hasSize(others + 1);

            b.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> pollerThreads().size() == others);
        }
    }

    private static List<Thread> pollerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("l2a-netlink-links") && t.isAlive()).toList();
    }
}
