/**
 * Offloads at the device edge: the virtio-net header of TUN/TAP devices opened with
 * IFF_VNET_HDR, and the cutting (TSO/USO/GSO) and merging (GRO) of super-packets, so that the
 * protocol layers see segments of up to 64 KiB while the wire carries MSS-sized ones. Pure
 * functions over packet bytes; nothing here reads a clock or a file descriptor.
 */
package org.netstack4j.device.offload;
