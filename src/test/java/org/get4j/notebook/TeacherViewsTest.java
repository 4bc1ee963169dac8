package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.TeacherQuality;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class TeacherViewsTest {
    @Test
    void oneRowPerTeacherAndCostWithTheIntervalAndTheFloor() {
        Map<String, TeacherQuality.Report> reports = new LinkedHashMap<>();
        reports.put("edm-mnist", new TeacherQuality.Report("a", "FD-LeNet-MNIST", 2000, 3.614, List.of(
                new TeacherQuality.Point(3, 5, 2000, new FdEstimate(420.0, 410.2, 431.0, 2000)),
                new TeacherQuality.Point(18, 35, 2000, new FdEstimate(9.84, 9.31, 10.42, 2000)))));
        reports.put("edm-mnist-small", new TeacherQuality.Report("b", "FD-LeNet-MNIST", 2000, 3.614, List.of(
                new TeacherQuality.Point(18, 35, 2000, new FdEstimate(36.1, 34.9, 37.3, 2000)))));
        Table t = TeacherViews.table(reports);
        assertEquals(3, t.rowCount());
        assertEquals("edm-mnist-small", t.stringColumn("teacher").get(2));
        assertEquals(35, t.intColumn("NFE").get(1));
        assertEquals("9.8 [9.3, 10.4]", t.stringColumn("FD [95% interval]").get(1));
        assertEquals(3.61, t.doubleColumn("floor").get(0), 1e-12);
        assertEquals(640, TeacherViews.costPlot(reports).getWidth());
    }
}
