package org.get4j;

/**
 * A setting outside its valid range, naming the setting, the value given and what is expected. Front ends that
 * spell settings differently (the command line's {@code --checkpoint-every} for {@code checkpoint_every}) rename
 * {@link #setting()} and keep the rest of the message.
 */
public class InvalidValueException extends Get4jException {
    private static final long serialVersionUID = 1L;
    private final String setting;
    private final String value;
    private final String expected;

    public InvalidValueException(String context, String setting, Object value, String expected) {
        super(context + ": " + setting + " must be " + expected + ", got " + value);
        this.setting = setting;
        this.value = String.valueOf(value);
        this.expected = expected;
    }

    /** Throws unless {@code ok}. */
    public static void require(boolean ok, String context, String setting, Object value, String expected) {
        if (!ok) {
            throw new InvalidValueException(context, setting, value, expected);
        }
    }

    public String setting() {
        return setting;
    }

    /** The message with the setting called {@code name}, without the context. */
    public String describe(String name) {
        return name + " must be " + expected + ", got " + value;
    }
}
