/** Runs packetdrill scripts against one stack in virtual time: parser, runner, profiles, shims. */
package org.netstack4j.packetdrill;
