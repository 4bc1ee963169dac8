package org.get4j.ablation;

import java.text.DecimalFormat;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/** Print formats for result tables: what a reader needs, not seventeen digits (the values keep full precision). */
final class Readable {
    private Readable() {}

    static Table format(Table t) {
        for (NumericColumn<?> c : t.numericColumns()) {
            String name = c.name().toLowerCase(java.util.Locale.ROOT);
            String pattern = name.contains("residual") ? "0.00E0"
                    : name.contains("gmacs") ? "0.000"
                    : name.contains("score") || name.contains("l1") || name.contains("min") ? "0.000"
                    : c instanceof tech.tablesaw.api.DoubleColumn ? "#,##0.0#" : "#,##0";
            c.setPrintFormatter(new NumberColumnFormatter(new DecimalFormat(pattern), ""));
        }
        return t;
    }
}
