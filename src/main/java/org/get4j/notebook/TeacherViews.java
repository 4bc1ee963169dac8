package org.get4j.notebook;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.TeacherQuality;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Teachers' cost curves as a notebook shows them: one table, one quality plot with the floor. */
public final class TeacherViews {
    private TeacherViews() {}

    /** One row per teacher and step count: NFE, samples, FD with its 95% interval, the floor at that n. */
    public static Table table(Map<String, TeacherQuality.Report> reports) {
        StringColumn teacher = StringColumn.create("teacher");
        IntColumn steps = IntColumn.create("steps");
        IntColumn nfe = IntColumn.create("NFE");
        IntColumn n = IntColumn.create("samples");
        StringColumn fd = StringColumn.create("FD [95% interval]");
        DoubleColumn floor = DoubleColumn.create("floor");
        String metric = "FD";
        for (Map.Entry<String, TeacherQuality.Report> e : reports.entrySet()) {
            metric = e.getValue().metric();
            for (TeacherQuality.Point p : e.getValue().curve()) {
                teacher.append(e.getKey());
                steps.append(p.steps());
                nfe.append(p.evaluations());
                n.append(p.samples());
                fd.append(p.estimate().toString());
                floor.append(Math.round(e.getValue().floor() * 100) / 100.0);
            }
        }
        return Table.create(metric + " of each teacher against its sampling cost", teacher, steps, nfe, n, fd, floor);
    }

    /** FD against NFE (log-log) for each teacher, with the real-versus-real floor of the first report. */
    public static BufferedImage costPlot(Map<String, TeacherQuality.Report> reports) {
        Map<String, Plots.Curve> curves = new LinkedHashMap<>();
        TeacherQuality.Report first = null;
        for (Map.Entry<String, TeacherQuality.Report> e : reports.entrySet()) {
            List<TeacherQuality.Point> points = e.getValue().curve();
            curves.put(e.getKey(), new Plots.Curve(points.stream().mapToDouble(TeacherQuality.Point::evaluations).toArray(),
                    points.stream().map(TeacherQuality.Point::estimate).toArray(FdEstimate[]::new)));
            first = first == null ? e.getValue() : first;
        }
        Map<String, Double> floor = new LinkedHashMap<>();
        floor.put(String.format("floor: %,d real training images", first.samples()), first.floor());
        return Plots.quality(first.metric() + " of " + String.format("%,d", first.samples())
                + " samples against sampling cost", "network evaluations per image (NFE)", true,
                curves, floor);
    }
}
