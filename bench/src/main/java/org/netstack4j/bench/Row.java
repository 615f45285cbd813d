package org.netstack4j.bench;

/**
 * One benchmark row. {@code kernel} and {@code ratio} are null when there is no kernel twin
 * (or it could not be measured); ratio = netstack4j / kernel, so above 1 is better for rates
 * and below 1 is better for {@code idle_bytes}.
 */
public record Row(String name, String unit, double netstack4j, Double kernel, Double ratio,
                  String kernelSetup, String detail) {
    static Row of(String name, String unit, double ours, Double kernel, String setup, String detail) {
        Double ratio = kernel == null || kernel == 0 || Double.isNaN(kernel) ? null : ours / kernel;
        return new Row(name, unit, ours, kernel, ratio, setup, detail);
    }
}
