package org.get4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import jdk.jshell.spi.ExecutionControl.StoppedException;
import org.junit.jupiter.api.Test;

class CellExecutionControlTest {
    static int calls;

    public static Object doIt() {
        calls++;
        return "value";
    }

    @Test
    void aStopBetweenSnippetsIsKeptUntilTheCellEnds() throws Exception {
        CellExecutionControl control = new CellExecutionControl(new SnippetLoader(getClass().getClassLoader()));
        try {
            Method doit = getClass().getMethod("doIt");
            control.stop();
            assertFalse(control.stopRequested(), "no cell is running: nothing to stop");

            control.beginCell();
            String key = control.invoke(doit);
            assertEquals("value", control.value(key));
            calls = 0;
            control.stop(); // arrives while JShell compiles the next snippet: no snippet thread runs
            assertTrue(control.stopRequested());
            assertThrows(StoppedException.class, () -> control.invoke(doit));
            assertEquals(0, calls, "no snippet of the cell runs after the stop");
            control.endCell();
            assertEquals(null, control.value(key), "values are forgotten when the cell ends");

            control.beginCell();
            assertFalse(control.stopRequested(), "the next cell starts afresh");
            assertEquals("value", control.value(control.invoke(doit)));
            assertEquals(1, calls);
            control.endCell();
        } finally {
            control.close();
        }
    }
}
