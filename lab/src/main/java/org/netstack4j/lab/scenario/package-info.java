/**
 * The seed scenarios: each story of the TCP notes played on two real stacks in the simulator.
 * A scenario only acts as the applications and the network would (connect, write, close, lose
 * a frame, delay a frame); everything drawn comes from the stacks' own trace events.
 */
package org.netstack4j.lab.scenario;
