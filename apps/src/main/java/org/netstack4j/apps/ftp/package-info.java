/**
 * FTP (RFC 959, RFC 2428, RFC 3659): the control session of a read-only server, sans-IO. The
 * runtime opens the data connections the session asks for: passive (the server listens) and
 * active (the server connects back to the client).
 */
package org.netstack4j.apps.ftp;
