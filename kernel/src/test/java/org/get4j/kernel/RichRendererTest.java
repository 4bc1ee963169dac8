package org.get4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class RichRendererTest {
    private final RichRenderer renderer = new RichRenderer();

    private static BufferedImage png(DisplayData data) throws IOException {
        Object b64 = data.getData(MIMEType.IMAGE_PNG);
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) b64)));
    }

    @Test
    void anImageIsAPngOfTheSamePixels() throws IOException {
        BufferedImage image = new BufferedImage(7, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(2, 1, 0xff8000);
        DisplayData data = renderer.render(image);
        BufferedImage back = png(data);
        assertEquals(7, back.getWidth());
        assertEquals(3, back.getHeight());
        assertEquals(0xff8000, back.getRGB(2, 1) & 0xffffff);
        assertEquals("image 7x3", data.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void anXChartChartIsDrawnAtItsSize() throws IOException {
        XYChart chart = new XYChartBuilder().width(320).height(200).title("loss").build();
        chart.addSeries("train", new double[] {1, 2, 3}, new double[] {3, 2, 1});
        DisplayData data = renderer.render(chart);
        BufferedImage back = png(data);
        assertEquals(320, back.getWidth());
        assertEquals(200, back.getHeight());
        assertEquals("XYChart \"loss\"", data.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void aTablesawTableIsAnHtmlTableWithAPlainTextCopy() {
        Table t = Table.create("runs",
                StringColumn.create("model", "GET-Mini", "ViT <Mini>"),
                DoubleColumn.create("fd", 99.2, 136.0));
        DisplayData data = renderer.render(t);
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<caption>runs</caption>"), html);
        assertTrue(html.contains("<th>model</th><th>fd</th>"), html);
        assertTrue(html.contains("<td>GET-Mini</td><td>99.2</td>"), html);
        assertTrue(html.contains("<td>ViT &lt;Mini&gt;</td>"), "cells are escaped: " + html);
        assertEquals(t.printAll(), data.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void aLongTableShowsItsHeadAndTail() {
        int n = 500;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        String html = (String) renderer.render(Table.create("long", DoubleColumn.create("i", values)))
                .getData(MIMEType.TEXT_HTML);
        assertEquals(RichRenderer.MAX_HTML_ROWS, html.split("<td>", -1).length - 1, "one cell per row shown");
        assertEquals(1, html.split("colspan", -1).length - 1, "one gap row");
        assertTrue(html.contains("<td>0</td>") && html.contains("<td>499</td>"), html);
        assertTrue(html.contains("440 more rows"), html);
        assertFalse(html.contains("<td>200</td>"), "the middle is elided");
    }

    @Test
    void anythingElseIsItsText() {
        assertEquals("[1, 2]", renderer.render(java.util.List.of(1, 2)).getData(MIMEType.TEXT_PLAIN));
        assertEquals("null", renderer.render(null).getData(MIMEType.TEXT_PLAIN));
    }
}
