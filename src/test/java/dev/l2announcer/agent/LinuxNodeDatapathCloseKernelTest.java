package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.datapath.linux.BpfLoader;
import dev.l2announcer.datapath.linux.LinuxDatapath;
import dev.l2announcer.datapath.linux.NetNs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** close() must not free the BPF object while tasks queued on the reconciler thread still use its fds. */
class LinuxNodeDatapathCloseKernelTest {
    private final long pid = ProcessHandle.current().pid();
    private final String ns = "l2a-fx-close-" + pid;
    private final Path pinDir = Path.of("/sys/fs/bpf/l2a-fx-close-" + pid);
    private ScheduledExecutorService sched;

    @AfterEach
    void tearDown() {
        if (sched != null) {
            sched.shutdownNow();
        }
        run("rm", "-rf", pinDir.toString());
        run("ip", "netns", "del", ns);
    }

    @Test
    void closeWaitsForTasksAlreadyQueuedOnTheDatapathThread() throws Exception {
        boolean root = "0".equals(run("id", "-u").trim());
        if (!root) {
            System.out.println("SKIP LinuxNodeDatapathCloseKernelTest: needs root (BPF, network namespaces)");
        }
        Assumptions.assumeTrue(root, "needs root");
        Assumptions.assumeTrue(getClass().getResource(BpfLoader.RESOURCE) != null, "BPF object not built");
        run("ip", "netns", "del", ns);
        assertThat(run("ip", "netns", "add", ns)).isEmpty();
        sched = Executors.newSingleThreadScheduledExecutor(NetNs.platformThreadsIn(Path.of("/run/netns", ns), "l2a-fx-close"));
        AgentConfig d = AgentConfig.defaults("node-a");
        AgentConfig config = new AgentConfig(true, d.leaseDuration(), d.renewDeadline(), d.retryPeriod(), d.k8sClientQps(),
                d.k8sClientBurst(), List.of(), false, "", "", true, "false", "node-a", "kube-system", pinDir, 2,
                Duration.ofMillis(200), d.healthProbeInterval(), d.debugPort());
        LinuxDatapath datapath = sched.submit(() -> LinuxDatapath.open(config)).get(30, TimeUnit.SECONDS);
        LinuxNodeDatapath node = new LinuxNodeDatapath(datapath, TaskScheduler.of(sched));

        // Stands for a refresh/reconcile task queued before close: it uses the map's fd once released.
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Object> queuedTaskResult = new AtomicReference<>();
        sched.execute(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
                queuedTaskResult.set(datapath.responderMap().list());
            } catch (Throwable t) {
                queuedTaskResult.set(t);
            }
        });
        CompletableFuture<Void> closing = CompletableFuture.runAsync(node::close);

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !closing.isDone());
        release.countDown();
        closing.get(LinuxNodeDatapath.CLOSE_WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(queuedTaskResult.get()).as("the queued task read the map before the object was closed")
                .isInstanceOf(java.util.Map.class);
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
