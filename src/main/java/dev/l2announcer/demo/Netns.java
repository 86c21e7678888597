package dev.l2announcer.demo;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs code inside a network namespace without moving the JVM: setns(2) on a fresh platform thread
 * that ends afterwards. Sockets opened there stay in that namespace for their whole life, whichever
 * thread later reads them.
 */
final class Netns {
    private Netns() {
    }

    static <T> T call(String netnsName, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("netns-" + netnsName).start(() -> {
            try {
                Libc.enterNetns("/run/netns/" + netnsName);
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            T value = result.get();
            t.join();
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
