package org.netstack4j.lab;

/**
 * Where a line of SVG text lies, without a font engine: advance widths per character that are at
 * least those of DejaVu Sans / DejaVu Sans Mono (the diagrams' fonts) and Noto Sans CJK (1 em for
 * a wide character), and an ascent and descent that hold both. The ladders lay labels out with it
 * and the tests check with it that no two labels meet; a test compares it with the real fonts.
 */
public record TextBox(double[] xs, double[] ys) {
    /** Above the baseline and below it, in em. */
    public static final double ASCENT = 0.95, DESCENT = 0.27;

    /** Advance width of s at px pixels. */
    public static double width(String s, double px, boolean mono) {
        double em = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            em += em(cp, mono);
            i += Character.charCount(cp);
        }
        return em * px;
    }

    static double em(int cp, boolean mono) {
        if (Cols.width(cp) == 2) return 1.0;
        if (cp > 0x7e) return 1.0;
        if (mono) return 0.61;
        if (cp == ' ') return 0.33;
        if ("iIl.,:;'|!`".indexOf(cp) >= 0) return 0.36;
        if ("fjrt()[]{}-\"/\\".indexOf(cp) >= 0) return 0.5;
        if (Character.isDigit(cp)) return 0.65;
        if ("mMW@%&".indexOf(cp) >= 0) return 1.01;
        if ("wOQGDHNUCK<>=+~#".indexOf(cp) >= 0) return 0.86;
        if (Character.isUpperCase(cp)) return 0.78;
        return 0.65;
    }

    /**
     * The box of text written at (x, y) (the baseline) with the SVG text-anchor, at px pixels,
     * turned by deg degrees about (cx, cy) as SVG's rotate(deg cx cy) does.
     */
    public static TextBox of(String text, double x, double y, double px, String anchor, boolean mono,
                             double deg, double cx, double cy) {
        double w = width(text, px, mono);
        double left = switch (anchor) {
            case "middle" -> x - w / 2;
            case "end" -> x - w;
            default -> x;
        };
        return rect(left, y - ASCENT * px, w, (ASCENT + DESCENT) * px).rotated(deg, cx, cy);
    }

    public static TextBox rect(double x, double y, double w, double h) {
        return new TextBox(new double[] {x, x + w, x + w, x}, new double[] {y, y, y + h, y + h});
    }

    TextBox rotated(double deg, double cx, double cy) {
        if (deg == 0) return this;
        double r = Math.toRadians(deg), c = Math.cos(r), s = Math.sin(r);
        double[] x = new double[4], y = new double[4];
        for (int i = 0; i < 4; i++) {
            double dx = xs[i] - cx, dy = ys[i] - cy;
            x[i] = cx + dx * c - dy * s;
            y[i] = cy + dx * s + dy * c;
        }
        return new TextBox(x, y);
    }

    public double top() { return Math.min(Math.min(ys[0], ys[1]), Math.min(ys[2], ys[3])); }

    public double bottom() { return Math.max(Math.max(ys[0], ys[1]), Math.max(ys[2], ys[3])); }

    /** True when the two boxes share area (touching edges do not count): separating axes of both. */
    public boolean intersects(TextBox o) {
        return !separated(this, o) && !separated(o, this);
    }

    private static boolean separated(TextBox a, TextBox b) {
        for (int i = 0; i < 4; i++) {
            int j = (i + 1) % 4;
            double nx = a.ys[j] - a.ys[i], ny = a.xs[i] - a.xs[j];
            double len = Math.hypot(nx, ny);
            if (len == 0) continue;
            nx /= len;
            ny /= len;
            double amin = Double.MAX_VALUE, amax = -Double.MAX_VALUE, bmin = Double.MAX_VALUE, bmax = -Double.MAX_VALUE;
            for (int k = 0; k < 4; k++) {
                double pa = a.xs[k] * nx + a.ys[k] * ny, pb = b.xs[k] * nx + b.ys[k] * ny;
                amin = Math.min(amin, pa);
                amax = Math.max(amax, pa);
                bmin = Math.min(bmin, pb);
                bmax = Math.max(bmax, pb);
            }
            if (amax <= bmin + 0.01 || bmax <= amin + 0.01) return true;
        }
        return false;
    }
}
