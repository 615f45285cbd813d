/** Linux TUN/TAP devices through java.lang.foreign (no JNI). */
package org.netstack4j.linux;
