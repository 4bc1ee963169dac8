package org.get4j;

/**
 * A failure the user can act on: bad input, a corrupt or missing file, an invalid option value.
 * Its message names the file, field or flag at fault; the command line prints it on one line.
 */
public class Get4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Get4jException(String message) {
        super(message);
    }

    public Get4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
