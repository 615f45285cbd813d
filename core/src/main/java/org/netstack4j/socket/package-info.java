/**
 * A blocking, {@code java.net}-shaped socket API ({@link org.netstack4j.socket.TcpSocket},
 * {@link org.netstack4j.socket.TcpServerSocket}) over a stack driven by an
 * {@link org.netstack4j.runtime.EventLoop}. Callers block (platform or virtual threads);
 * every touch of the TCP layer runs on the loop thread, and callers wait on a
 * {@link org.netstack4j.runtime.Signal} flipped by the connection's event callbacks.
 * Errors are the {@code java.net} exceptions a JDK socket would throw.
 * Nothing here reads a clock or parks directly: time and waiting come from {@code runtime}.
 */
package org.netstack4j.socket;
