/**
 * Devices and the middleware that wraps them (pcap capture, fault injection, loopback), and the
 * devices that join devices: a repeater {@link org.netstack4j.device.Hub} and a learning
 * {@link org.netstack4j.device.Bridge} (a switch). Devices never read a clock: time comes in with
 * every call.
 */
package org.netstack4j.device;
