/**
 * The lab: turns two hosts' {@link org.netstack4j.trace.TraceEvent} lists into a
 * {@link org.netstack4j.lab.LabRun} and draws it (text ladder, SVG, JSON), with short
 * explanations tied to the teaching notes, in English or Chinese; plus header/layer explainers.
 * Everything here is a pure function of its input: no clock, no I/O, no threads, so every
 * output is golden-file testable. It depends on {@code core} only (JSON and SVG are written by hand).
 */
package org.netstack4j.lab;
