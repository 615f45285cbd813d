/**
 * Wire formats: a parsed record per protocol with parse and emit. Parsing untrusted bytes
 * never throws: it returns {@link org.netstack4j.wire.Parsed.Malformed} with the reason.
 */
package org.netstack4j.wire;
