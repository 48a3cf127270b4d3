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

/** Draws cost against turn number, one line per store: p50 latency (left) and JSON bytes written (right). */
final class GrowthPlot {

  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 520;

  private GrowthPlot() {}

  static void write(List<ConversationScenario.Result> results, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    panel(g, results, 0, 70, 60, 520, 380, "p50 latency per turn (µs)");
    panel(g, results, 1, 670, 60, 480, 380, "JSON bytes written by the turn (KiB)");
    int x = 80;
    for (int i = 0; i < results.size(); i++) {
      g.setColor(COLORS[i % COLORS.length]);
      g.fillRect(x, 488, 24, 4);
      g.setColor(Color.BLACK);
      g.drawString(results.get(i).store, x + 30, 494);
      x += 160;
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("convstate: cost of a turn against the turn number (conversation scenario)", 70, 30);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  /** One chart; metric 0 is latency (µs), 1 is bytes written (KiB). */
  private static void panel(Graphics2D g, List<ConversationScenario.Result> results, int metric,
      int left, int top, int width, int height, String title) {
    int maxTurn = 1;
    double maxValue = 1;
    for (ConversationScenario.Result r : results) {
      for (int turn = 1; r.atTurn(turn) != null; turn++) {
        maxTurn = Math.max(maxTurn, turn);
        maxValue = Math.max(maxValue, value(r.atTurn(turn), metric));
      }
    }
    g.setColor(Color.BLACK);
    g.drawString(title, left, top - 10);
    g.drawRect(left, top, width, height);
    g.setColor(new Color(0xdddddd));
    for (int i = 1; i < 5; i++) {
      int y = top + height - i * height / 5;
      g.drawLine(left + 1, y, left + width - 1, y);
    }
    g.setColor(Color.DARK_GRAY);
    for (int i = 0; i <= 5; i++) {
      int y = top + height - i * height / 5;
      g.drawString(String.format(Locale.ROOT, "%,.0f", maxValue * i / 5), left - 62, y + 4);
    }
    for (int turn : ConversationScenario.MILESTONES) {
      if (turn <= maxTurn) {
        int xTick = left + (int) ((long) (turn - 1) * width / Math.max(1, maxTurn - 1));
        g.drawString(Integer.toString(turn), xTick - 8, top + height + 16);
      }
    }
    g.drawString("turn", left + width / 2 - 10, top + height + 34);
    g.setStroke(new BasicStroke(2f));
    for (int i = 0; i < results.size(); i++) {
      ConversationScenario.Result r = results.get(i);
      g.setColor(COLORS[i % COLORS.length]);
      int previousX = -1;
      int previousY = -1;
      for (int turn = 1; r.atTurn(turn) != null; turn++) {
        int x = left + (int) ((long) (turn - 1) * width / Math.max(1, maxTurn - 1));
        int y = top + height - (int) (value(r.atTurn(turn), metric) / maxValue * height);
        if (previousX >= 0) {
          g.drawLine(previousX, previousY, x, y);
        }
        previousX = x;
        previousY = y;
      }
    }
    g.setStroke(new BasicStroke(1f));
  }

  private static double value(long[] at, int metric) {
    return metric == 0 ? at[0] : at[1] / 1024.0;
  }
}
