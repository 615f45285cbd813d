/**
 * SMTP (RFC 5321) server and client sessions, sans-IO: bytes in, bytes out, with ESMTP SIZE,
 * 8BITMIME and PIPELINING, dot-stuffing both ways, and limits with their reply codes.
 */
package org.netstack4j.apps.smtp;
