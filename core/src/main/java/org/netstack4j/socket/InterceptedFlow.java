package org.netstack4j.socket;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpIntercept;
import org.netstack4j.wire.IpAddress;

/**
 * An intercepted TCP flow ({@link TcpIntercept}) for threads other than the loop: the client's
 * SYN is held until {@link #accept} (the SYN,ACK goes out then, and the call returns the
 * established {@link TcpSocket}) or {@link #refuse}. Typically the application connects
 * upstream first and accepts or refuses by how that went: the client's connect succeeds only
 * if the upstream one did.
 */
public final class InterceptedFlow {
    private final NetStack stack;
    private final TcpIntercept.HeldSyn syn;
    private final IpAddress client, original;
    private final int clientPort, originalPort;

    private InterceptedFlow(NetStack stack, TcpIntercept.HeldSyn syn) {
        this.stack = stack;
        this.syn = syn;
        this.client = syn.clientAddress();
        this.clientPort = syn.clientPort();
        this.original = syn.originalAddress();
        this.originalPort = syn.originalPort();
    }

    /**
     * A {@link TcpIntercept.Handler} (install it on the loop, e.g. with {@code Host.intercept})
     * that hands each held SYN to {@code application} on a new virtual thread.
     */
    public static TcpIntercept.Handler handler(NetStack stack, Consumer<InterceptedFlow> application) {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(application, "application");
        return (now, syn) -> {
            InterceptedFlow f = new InterceptedFlow(stack, syn);
            Thread.ofVirtual().name("flow " + f).start(() -> application.accept(f));
        };
    }

    public IpAddress clientAddress() { return client; }
    public int clientPort() { return clientPort; }
    /** Where the client connected to: where to relay. */
    public IpAddress originalAddress() { return original; }
    public int originalPort() { return originalPort; }

    /**
     * Sends the SYN,ACK and waits (up to {@code timeoutMs}, 0: the TCP layer's own SYN,ACK
     * retries) until the client's ACK establishes the connection. Throws SocketException when
     * the flow is no longer pending (timed out, reset by the client) and the java.net exception
     * of the TCP error when the handshake fails.
     */
    public TcpSocket accept(int timeoutMs) throws IOException {
        CompletableFuture<TcpSocket> done = new CompletableFuture<>();
        TcpEventListener l = new TcpEventListener() {
            @Override public void onEstablished(TcpConnection c) { done.complete(new TcpSocket(stack, c)); }
            @Override public void onClosed(TcpConnection c, TcpError e) {
                done.completeExceptionally(Net.exception(e == null ? TcpError.CONNECTION_RESET : e, true));
            }
        };
        TcpConnection c = Net.onLoop(stack.loop(), now -> {
            TcpConnection conn = syn.accept(now, l);
            if (conn == null) throw new SocketException("intercepted flow no longer pending: " + this);
            return conn;
        });
        try {
            return timeoutMs > 0 ? done.get(timeoutMs, TimeUnit.MILLISECONDS) : done.get();
        } catch (TimeoutException e) {
            stack.loop().execute(() -> c.abort(stack.loop().now()));
            throw new SocketTimeoutException("client did not complete the handshake in " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stack.loop().execute(() -> c.abort(stack.loop().now()));
            throw new SocketException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new SocketException(String.valueOf(e.getCause()));
        }
    }

    /** Refuses the flow (RST, an ICMP unreachable or nothing); false when it was no longer pending. */
    public boolean refuse(TcpIntercept.Refusal how) throws IOException {
        return Net.onLoop(stack.loop(), now -> syn.refuse(now, how));
    }

    @Override public String toString() { return client + ":" + clientPort + " > " + original + ":" + originalPort; }
}
