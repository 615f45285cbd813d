package org.netstack4j.tcp;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;

/**
 * The one copy-with-one-component-changed of the {@link TcpConfig} groups, by record component
 * name: a group's {@code withX} method is one line that names its component, so adding a knob
 * touches no other wither (Java has no derived record creation yet). {@code TcpConfigTest}
 * checks every group's withers change exactly their own component. Configurations are built at
 * setup, never per segment, so the reflection costs nothing that matters.
 */
final class ConfigCopy {
    private ConfigCopy() {}

    @SuppressWarnings("unchecked")
    static <R extends Record> R with(R record, String component, Object value) {
        RecordComponent[] rc = record.getClass().getRecordComponents();
        Object[] args = new Object[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        boolean found = false;
        try {
            for (int i = 0; i < rc.length; i++) {
                types[i] = rc[i].getType();
                if (rc[i].getName().equals(component)) { args[i] = value; found = true; }
                else args[i] = rc[i].getAccessor().invoke(record);
            }
            if (!found) throw new IllegalArgumentException(record.getClass().getSimpleName() + " has no component " + component);
            Constructor<?> canonical = record.getClass().getDeclaredConstructor(types);
            return (R) canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
