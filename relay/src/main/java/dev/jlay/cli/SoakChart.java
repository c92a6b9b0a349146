package dev.jlay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.XYSeries;

/**
 * The PNG beside a network soak's JSON report: the relay's RSS split by {@code /admin/memory}
 * owner over time, stacked (JFreeChart, headless), with the run's phases marked. Only soak loads
 * this class, so the relay itself never touches AWT.
 */
final class SoakChart {
    private SoakChart() {
    }

    /** A phase boundary: at {@code t} seconds, {@code label} begins. */
    record Mark(double t, String label) {
    }

    /**
     * @param samples each {@code {"t": s, "bytes": {owner: bytes}}}; owners under 1 % of the
     *                largest sample's RSS are folded into "other (small owners)"
     */
    static void write(Path png, String title, JsonNode samples, List<Mark> marks) throws IOException {
        System.setProperty("java.awt.headless", "true");
        var owners = new LinkedHashSet<String>();
        double peak = 0;
        for (JsonNode s : samples) {
            double total = 0;
            for (var e : s.get("bytes").properties()) {
                if (e.getKey().startsWith("rocksdb_")) continue; // parts of malloc_other, not owners of their own
                owners.add(e.getKey());
                total += Math.max(0, e.getValue().asDouble());
            }
            peak = Math.max(peak, total);
        }
        var shown = new LinkedHashSet<String>();
        for (String o : owners) {
            double max = 0;
            for (JsonNode s : samples) max = Math.max(max, s.get("bytes").path(o).asDouble());
            if (max >= peak * 0.01) shown.add(o);
        }
        var dataset = new DefaultTableXYDataset();
        for (String o : shown) {
            if (o.equals("java_heap") && samples.size() > 0 && samples.get(0).has("java_heap_used")) {
                // the heap is fixed and pre-touched: what moves is the part in use
                var used = new XYSeries("java_heap (used)", true, false);
                var free = new XYSeries("java_heap (not in use)", true, false);
                for (JsonNode s : samples) {
                    double heap = Math.max(0, s.get("bytes").path(o).asDouble());
                    double u = Math.min(heap, s.get("java_heap_used").asDouble());
                    used.addOrUpdate(s.get("t").asDouble(), u / (1 << 20));
                    free.addOrUpdate(s.get("t").asDouble(), (heap - u) / (1 << 20));
                }
                dataset.addSeries(used);
                dataset.addSeries(free);
            } else {
                dataset.addSeries(series(o, samples));
            }
        }
        var other = new XYSeries("other (small owners)", true, false);
        for (JsonNode s : samples) {
            double v = 0;
            for (String o : owners) if (!shown.contains(o)) v += Math.max(0, s.get("bytes").path(o).asDouble());
            other.addOrUpdate(s.get("t").asDouble(), v / (1 << 20));
        }
        if (owners.size() > shown.size()) dataset.addSeries(other);
        JFreeChart chart = ChartFactory.createStackedXYAreaChart(title, "seconds", "MiB (relay RSS by owner)", dataset,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (Mark m : marks) {
            var marker = new ValueMarker(m.t(), Color.DARK_GRAY, new BasicStroke(1.2f));
            marker.setLabel(m.label());
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(marker);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 700);
    }

    private static XYSeries series(String owner, JsonNode samples) {
        var s = new XYSeries(owner, true, false);
        for (JsonNode sample : samples) {
            s.addOrUpdate(sample.get("t").asDouble(), Math.max(0, sample.get("bytes").path(owner).asDouble()) / (1 << 20));
        }
        return s;
    }
}
