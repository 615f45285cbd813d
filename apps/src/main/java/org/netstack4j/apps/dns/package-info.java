/**
 * DNS (RFC 1035, RFC 3596 AAAA, RFC 6891 EDNS(0), RFC 7766 TCP): the message codec, zone files,
 * the authoritative answering logic and a stub resolver. Like the stack's core these are sans-IO:
 * bytes and time in, bytes out; the runtimes that put them on netstack4j sockets live beside
 * them. Untrusted bytes never throw: they give a {@code Malformed} and a counter.
 */
package org.netstack4j.apps.dns;
