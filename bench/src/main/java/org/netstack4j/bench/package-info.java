/** End-to-end benchmarks: netstack4j against the kernel TCP, each ratio from numbers measured in the same run. Never part of the test suite. */
package org.netstack4j.bench;
