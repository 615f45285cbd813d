/**
 * The lab: turns two hosts' {@link org.netstack4j.trace.TraceEvent} lists into a
 * {@link org.netstack4j.lab.LabRun} and draws it (text ladder, SVG, JSON), with short
 * explanations tied to the teaching notes, in English or Chinese; plus header/layer explainers.
 * Everything here is a pure function of its input: no clock, no I/O, no threads, so every
 * output is golden-file testable. It depends on {@code core} only (JSON and SVG are written by hand).
 * It reads the trace's types, not its words: connections by their four-tuple, states as
 * {@code TcpState}, timers as {@code TcpTimer}/{@code TimerAction} (a StateChange or Timer of
 * another protocol is refused); only drop and note text is shown as it came.
 */
package org.netstack4j.lab;
