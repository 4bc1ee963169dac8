package org.get4j.io;

/**
 * The values of a configuration read from JSON (model, solver): a number may arrive as a JSON number or a string, a
 * flag as a JSON boolean or "true"/"false". Each parser throws IllegalArgumentException saying what the value is
 * not; the config that calls it names the key and the file.
 */
public final class ConfigValues {
    private ConfigValues() {
    }

    public static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString());
    }

    public static int integer(Object v) {
        double d = number(v);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not an integer");
        }
        return (int) d;
    }

    public static boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (String.valueOf(v).strip().toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not true or false");
        };
    }
}
