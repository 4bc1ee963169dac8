package org.get4j.data;

import java.nio.file.Path;
import org.get4j.Get4jException;

/** A data file that is not what it claims to be: bad magic number, truncated, inconsistent or corrupt. */
public class DataFormatException extends Get4jException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
