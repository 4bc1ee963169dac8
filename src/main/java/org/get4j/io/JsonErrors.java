package org.get4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/** Jackson's parse errors as one line for users: what is wrong and where, without the parser's source dump. */
public final class JsonErrors {
    private JsonErrors() {}

    /** "unexpected end of input at line 1, column 26"-style text for a failed read. */
    public static String describe(IOException e) {
        if (!(e instanceof JsonProcessingException j)) {
            return e.getMessage();
        }
        String what = j.getOriginalMessage() == null ? "invalid JSON" : j.getOriginalMessage().lines().findFirst()
                .orElse("invalid JSON").replaceAll(" \\(start marker at .*", "").replaceAll(" at \\[Source: .*", "");
        JsonLocation at = j.getLocation();
        return at == null ? what : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
