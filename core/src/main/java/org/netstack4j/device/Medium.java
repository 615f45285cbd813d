package org.netstack4j.device;

/** What a device's frames are: Ethernet II frames or raw IP packets (TUN, point-to-point). */
public enum Medium { ETHERNET, IP }
