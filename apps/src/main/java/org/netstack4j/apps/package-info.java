/**
 * The application protocols the notes name beside HTTP: DNS, SMTP and FTP, each as sans-IO
 * sessions (bytes and time in, bytes out) in its own package.
 */
package org.netstack4j.apps;
