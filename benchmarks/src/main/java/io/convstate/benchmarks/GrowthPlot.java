package io.convstate.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws the cost of a turn against the turn number, one line per store: the p50 of each window of
 * {@value #WINDOW} turns of the store's longest conversations, on a linear scale (how it grows) and
 * a log scale (every store's level, the fast ones included); and the record alone (the write) on a
 * linear scale.
 */
final class GrowthPlot {

  static final int WINDOW = 10;
  private static final Color[] COLORS = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2)};
  private static final int WIDTH = 1340;
  private static final int HEIGHT = 560;

  private GrowthPlot() {}

  static void write(List<ConversationScenario.Result> results, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    int maxTurn = Math.max(2, results.stream().mapToInt(ConversationScenario.Result::maxTurn).max().orElse(2));
    panel(g, results, maxTurn, false, false, 80, 60, 350, 380, "load + record, p50 ms");
    panel(g, results, maxTurn, true, false, 520, 60, 350, 380, "load + record, p50 ms (log scale)");
    panel(g, results, maxTurn, false, true, 960, 60, 350, 380, "the record alone, p50 ms");
    int x = 80;
    int y = 500;
    for (int i = 0; i < results.size(); i++) {
      g.setColor(COLORS[i % COLORS.length]);
      g.fillRect(x, y - 6, 24, 4);
      g.setColor(Color.BLACK);
      g.drawString(results.get(i).label(), x + 30, y);
      x += 300;
      if (x > WIDTH - 300) {
        x = 80;
        y += 22;
      }
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    ConversationScenario.Result longest = results.stream()
        .max(java.util.Comparator.comparingInt(ConversationScenario.Result::maxTurn)).orElseThrow();
    g.drawString("convstate: cost of a turn (load the history + record the turn) against the turn number, p50 per "
        + WINDOW + " turns of the " + longest.maxTurn() + "-turn conversations (" + longest.atOnce(longest.maxTurn())
        + " at once)", 80, 30);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  /** The p50 of turns from..to in the store's longest conversations (run together, at one concurrency). */
  private static long p50(ConversationScenario.Result r, boolean record, int from, int to) {
    return r.groupP50Micros(r.maxTurn(), record, from, to);
  }

  private static void panel(Graphics2D g, List<ConversationScenario.Result> results, int maxTurn, boolean log,
      boolean record, int left, int top, int width, int height, String title) {
    double max = 0.001;
    double min = Double.MAX_VALUE;
    for (ConversationScenario.Result r : results) {
      for (int end = WINDOW; end - WINDOW < r.maxTurn(); end += WINDOW) {
        long micros = p50(r, record, end - WINDOW + 1, end);
        if (micros >= 0) {
          max = Math.max(max, micros / 1000.0);
          min = Math.min(min, Math.max(micros, 1) / 1000.0);
        }
      }
    }
    double low = log ? Math.pow(10, Math.floor(Math.log10(Math.min(min, max)))) : 0;
    double high = log ? Math.pow(10, Math.ceil(Math.log10(max))) : max;
    g.setColor(Color.BLACK);
    g.drawString(title, left, top - 10);
    g.drawRect(left, top, width, height);
    int ticks = log ? (int) Math.round(Math.log10(high / low)) : 5;
    for (int i = 0; i <= ticks; i++) {
      int yTick = top + height - i * height / Math.max(1, ticks);
      double value = log ? low * Math.pow(10, i) : high * i / ticks;
      g.setColor(new Color(0xdddddd));
      if (i > 0 && i < ticks) {
        g.drawLine(left + 1, yTick, left + width - 1, yTick);
      }
      g.setColor(Color.DARK_GRAY);
      g.drawString(label(value), left - 56, yTick + 4);
    }
    int step = maxTurn > 500 ? 200 : maxTurn > 100 ? 50 : 10;
    for (int turn = 0; turn <= maxTurn; turn += step) {
      int xTick = x(turn, maxTurn, left, width);
      g.drawString(Integer.toString(turn), xTick - 8, top + height + 16);
    }
    g.drawString("turn", left + width / 2 - 10, top + height + 34);
    g.setStroke(new BasicStroke(2f));
    for (int i = 0; i < results.size(); i++) {
      ConversationScenario.Result r = results.get(i);
      g.setColor(COLORS[i % COLORS.length]);
      int previousX = -1;
      int previousY = -1;
      for (int end = WINDOW; end - WINDOW < r.maxTurn(); end += WINDOW) {
        long micros = p50(r, record, end - WINDOW + 1, end);
        if (micros < 0) {
          continue;
        }
        double ms = Math.max(micros, 1) / 1000.0;
        double fraction = log ? Math.log10(ms / low) / Math.log10(high / low) : ms / high;
        int x = x(Math.min(end, r.maxTurn()), maxTurn, left, width);
        int y = top + height - (int) (Math.max(0, Math.min(1, fraction)) * height);
        if (previousX >= 0) {
          g.drawLine(previousX, previousY, x, y);
        } else {
          g.fillOval(x - 2, y - 2, 4, 4);
        }
        previousX = x;
        previousY = y;
      }
    }
    g.setStroke(new BasicStroke(1f));
  }

  private static String label(double value) {
    if (value >= 10 || value == 0) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    return String.format(Locale.ROOT, value >= 1 ? "%.1f" : "%.3f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static int x(int turn, int maxTurn, int left, int width) {
    return left + (int) ((long) turn * width / maxTurn);
  }
}
