/**
 * {@code javax.net} socket factories over a {@link org.netstack4j.socket.NetStack}: the sockets
 * they make are {@link java.net.Socket} and {@link java.net.ServerSocket} subclasses that
 * override every public method and delegate to netstack4j's blocking
 * {@link org.netstack4j.socket.TcpSocket} and {@link org.netstack4j.socket.TcpServerSocket}.
 * No platform socket is ever opened: the JDK's {@code SocketImpl} of the base classes is never
 * created. Errors are the {@code java.net} exceptions a JDK socket throws.
 *
 * <p>Must never: open a file descriptor, read a clock or start a thread (the stack's
 * {@link org.netstack4j.runtime.EventLoop} does the work).
 */
package org.netstack4j.javanet;
