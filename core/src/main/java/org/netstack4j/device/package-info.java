/**
 * Devices and the middleware that wraps them (pcap capture, fault injection, loopback).
 * Devices never read a clock: time comes in with every call.
 */
package org.netstack4j.device;
