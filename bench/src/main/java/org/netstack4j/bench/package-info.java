/**
 * End-to-end benchmarks: netstack4j against the kernel's TCP, each row measured against a
 * baseline taken in the same run ({@link org.netstack4j.bench.Bench}). A benchmark, not a test:
 * it reads clocks, starts threads and processes, and may create network namespaces (as root);
 * it must never be wired into {@code mvn verify} assertions on timing, and must never change
 * the core it measures.
 */
package org.netstack4j.bench;
