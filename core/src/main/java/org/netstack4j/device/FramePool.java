package org.netstack4j.device;

/**
 * Frame arrays kept for reuse by a device that opts in to recycling ({@link Device#framePool()}).
 * Free lists are per exact length, each holding at most {@code perLength} arrays, and lengths
 * above {@code maxLength} are never kept, so the memory held is bounded. A reused array is NOT
 * zeroed: whoever takes one must write every byte of it. Single-threaded, like the stack.
 *
 * <p>An array may be {@link #release released} only by its current owner and only once, when
 * nothing refers to it any more: a second release would hand the same array out twice.
 */
public final class FramePool {
    /** Arrays kept per length by {@link #FramePool()}. */
    public static final int DEFAULT_PER_LENGTH = 64;
    /** Longest array kept by {@link #FramePool()}: a 9000-byte jumbo frame plus an Ethernet header. */
    public static final int DEFAULT_MAX_LENGTH = 9014;

    private final int perLength;
    private final int maxLength;
    private final byte[][][] free; // by length; created on first release of that length
    private final int[] count;
    private long taken, reused, released, discarded;

    public FramePool() { this(DEFAULT_PER_LENGTH, DEFAULT_MAX_LENGTH); }

    public FramePool(int perLength, int maxLength) {
        if (perLength < 1) throw new IllegalArgumentException("perLength must be at least 1: " + perLength);
        if (maxLength < 0 || maxLength > 65_535 + 14) throw new IllegalArgumentException("maxLength must be 0..65549: " + maxLength);
        this.perLength = perLength;
        this.maxLength = maxLength;
        this.free = new byte[maxLength + 1][][];
        this.count = new int[maxLength + 1];
    }

    /** An array of exactly {@code length} bytes: a released one (old contents) or a new one (zeros). */
    public byte[] take(int length) {
        taken++;
        if (length <= maxLength && count[length] > 0) {
            reused++;
            byte[][] list = free[length];
            int i = --count[length];
            byte[] a = list[i];
            list[i] = null;
            return a;
        }
        return new byte[length];
    }

    /** Gives an array back for reuse; kept unless its length's list is full or it is too long. */
    public void release(byte[] frame) {
        int n = frame.length;
        if (n > maxLength || count[n] >= perLength) {
            discarded++;
            return;
        }
        byte[][] list = free[n];
        if (list == null) free[n] = list = new byte[perLength][];
        list[count[n]++] = frame;
        released++;
    }

    /** Arrays currently kept for {@code length}. */
    public int available(int length) { return length >= 0 && length <= maxLength ? count[length] : 0; }

    /** Calls of {@link #take}. */
    public long taken() { return taken; }

    /** {@link #take}s answered with a released array. */
    public long reused() { return reused; }

    /** {@link #release}s that kept the array. */
    public long released() { return released; }

    /** {@link #release}s that let the array go (list full or too long). */
    public long discarded() { return discarded; }
}
