/** The stream-socket seam between the application protocols and a stack (netstack4j's or the JDK's). */
package org.netstack4j.apps.net;
