package org.netstack4j.wire;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Dissector#dissect} found in one frame: the layers it could read, field by field
 * in the order of the RFC diagrams, and the first problem, if any. {@link #render()} is the
 * readable listing.
 */
public final class Dissection {

    /** One field: name, value as text, and a note such as "correct" (empty when none); depth indents sub-fields. */
    public record Field(String name, String value, String note, int depth) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(note, "note");
        }
        public Field(String name, String value) { this(name, value, "", 0); }
        public Field(String name, String value, String note) { this(name, value, note, 0); }

        /** "name: value [note]" (no ": " when the value is empty). */
        public String line() {
            StringBuilder sb = new StringBuilder();
            sb.append(name);
            if (!value.isEmpty()) sb.append(": ").append(value);
            if (!note.isEmpty()) sb.append(" [").append(note).append(']');
            return sb.toString();
        }
    }

    /** A protocol layer ("Ethernet II", "IPv4", "TCP", ...) and its fields. */
    public record Layer(String name, List<Field> fields) {
        public Layer {
            Objects.requireNonNull(name, "name");
            fields = List.copyOf(fields);
        }

        /** The first field with this name, if any. */
        public Optional<Field> field(String fieldName) {
            for (Field f : fields) if (f.name().equals(fieldName)) return Optional.of(f);
            return Optional.empty();
        }
    }

    private final List<Layer> layers;
    private final Parsed.Malformed<?> error;
    private final boolean internalError;

    Dissection(List<Layer> layers, Parsed.Malformed<?> error, boolean internalError) {
        this.layers = List.copyOf(layers);
        this.error = error;
        this.internalError = internalError;
    }

    public List<Layer> layers() { return layers; }

    /** The first problem found; its offset counts from the start of the frame. */
    public Optional<Parsed.Malformed<?>> error() { return Optional.ofNullable(error); }

    /** True only if the dissector itself failed (a bug): the error then says "internal error". */
    public boolean internalError() { return internalError; }

    /** The layer with this name, if present. */
    public Optional<Layer> layer(String name) {
        for (Layer l : layers) if (l.name().equals(name)) return Optional.of(l);
        return Optional.empty();
    }

    /** Field-by-field listing, one layer heading per protocol, then "malformed: ..." if parsing stopped. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Layer l : layers) {
            sb.append(l.name()).append('\n');
            for (Field f : l.fields()) sb.append("    ".repeat(1 + f.depth())).append(f.line()).append('\n');
        }
        if (error != null)
            sb.append("malformed: ").append(error.reason()).append(" at byte ").append(error.offset())
                    .append(" (").append(error.layer()).append(")\n");
        return sb.toString();
    }

    @Override public String toString() { return render(); }
}
