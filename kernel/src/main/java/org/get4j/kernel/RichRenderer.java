package org.get4j.kernel;

import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;

/**
 * How cell values and {@code display(x)} look in the notebook: images and XChart charts as {@code image/png}, Tablesaw
 * tables as an HTML table with a plain-text copy, anything else as its {@code toString}. XChart and Tablesaw are the
 * notebook's libraries, not the kernel's: they are recognised by class name and called reflectively, in the class
 * loader that loaded the value.
 */
public class RichRenderer extends Renderer {
    static final String XCHART = "org.knowm.xchart.internal.chartpart.Chart";
    static final String TABLESAW = "tech.tablesaw.table.Relation";
    /** Rows of a table shown in HTML; longer tables show their head and tail. */
    static final int MAX_HTML_ROWS = 60;

    @Override
    public DisplayData render(Object value, Map<String, Object> params) {
        if (value == null) {
            return new DisplayData("null");
        }
        if (value instanceof RenderedImage) {
            return image((RenderedImage) value, "image " + ((RenderedImage) value).getWidth() + "x"
                    + ((RenderedImage) value).getHeight());
        }
        if (isA(value.getClass(), XCHART)) {
            return image(chartImage(value), value.getClass().getSimpleName() + " " + chartTitle(value));
        }
        if (isA(value.getClass(), TABLESAW)) {
            return table(value);
        }
        return super.render(value, params);
    }

    @Override
    public DisplayData renderAs(Object value, Map<String, Object> params, String... types) {
        if (value != null && isA(value.getClass(), XCHART)) {
            return super.renderAs(chartImage(value), params, types);
        }
        return super.renderAs(value, params, types);
    }

    static DisplayData image(RenderedImage image, String text) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DisplayData data = new DisplayData(text);
        data.putData(MIMEType.IMAGE_PNG, Base64.getEncoder().encodeToString(png.toByteArray()));
        return data;
    }

    /** Whether {@code type} is, extends or implements the class named {@code name}. */
    static boolean isA(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
            for (Class<?> i : c.getInterfaces()) {
                if (isA(i, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static BufferedImage chartImage(Object chart) {
        try {
            Class<?> encoder = Class.forName("org.knowm.xchart.BitmapEncoder", true, chart.getClass().getClassLoader());
            Class<?> chartType = Class.forName(XCHART, false, chart.getClass().getClassLoader());
            return (BufferedImage) encoder.getMethod("getBufferedImage", chartType).invoke(null, chart);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot draw the XChart chart " + chart.getClass().getName() + ": " + e, e);
        }
    }

    private static String chartTitle(Object chart) {
        try {
            Object title = chart.getClass().getMethod("getTitle").invoke(chart);
            return title == null ? "" : "\"" + title + "\"";
        } catch (ReflectiveOperationException e) {
            return "";
        }
    }

    private static DisplayData table(Object table) {
        try {
            Class<?> type = table.getClass();
            @SuppressWarnings("unchecked")
            List<String> columns = (List<String>) call(type, table, "columnNames");
            int rows = (Integer) call(type, table, "rowCount");
            String name = (String) call(type, table, "name");
            Method cell = type.getMethod("getString", int.class, int.class);
            StringBuilder html = new StringBuilder("<table>\n");
            if (name != null && !name.isBlank()) {
                html.append("<caption>").append(escape(name)).append("</caption>\n");
            }
            html.append("<thead><tr>");
            for (String c : columns) {
                html.append("<th>").append(escape(c)).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
            int head = rows <= MAX_HTML_ROWS ? rows : MAX_HTML_ROWS - 10;
            for (int r = 0; r < rows; r++) {
                if (r == head && rows > MAX_HTML_ROWS) {
                    html.append("<tr><td colspan=\"").append(columns.size()).append("\">... ")
                            .append(rows - MAX_HTML_ROWS).append(" more rows ...</td></tr>\n");
                    r = rows - 10;
                }
                html.append("<tr>");
                for (int c = 0; c < columns.size(); c++) {
                    html.append("<td>").append(escape(String.valueOf(cell.invoke(table, r, c)))).append("</td>");
                }
                html.append("</tr>\n");
            }
            html.append("</tbody>\n</table>");
            // The text copy is bounded like the HTML: a million-row table must not write megabytes into the notebook.
            DisplayData data = new DisplayData((String) type.getMethod("print", int.class).invoke(table,
                    MAX_HTML_ROWS));
            data.putHTML(html.toString());
            return data;
        } catch (ReflectiveOperationException | ClassCastException e) {
            return new DisplayData(String.valueOf(table));
        }
    }

    private static Object call(Class<?> type, Object target, String method) throws ReflectiveOperationException {
        return type.getMethod(method).invoke(target);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
