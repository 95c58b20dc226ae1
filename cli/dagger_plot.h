// dagger_plot.h: line plots as PNG files through gnuplot, for `dagger` and `compounding`.
#ifndef DEMOGYM_CLI_DAGGER_PLOT_H
#define DEMOGYM_CLI_DAGGER_PLOT_H

// One line of a plot: n points (x[i], y[i]); points with a non-finite y are left out.
typedef struct plot_line {
  const double* x;     // (n)
  const double* y;     // (n)
  int n;
  const char* title;   // legend entry
  const char* style;   // gnuplot style, e.g. "lines lw 2 dt 2" or "linespoints pt 7 ps 1.2"
  int color;           // 0xRRGGBB
} plot_line;

// One panel: its title, axis labels, y range and lines.
typedef struct plot_panel {
  const char* title;
  const char* xlabel;
  const char* ylabel;
  double ymin, ymax;   // y range (ymin >= ymax: automatic)
  const plot_line* lines;
  int nlines;
} plot_panel;

// Draw the panels stacked vertically into png (width x height pixels) with gnuplot (Debian's
// gnuplot-nox). Returns 0, or -1 with a message in err (errsz bytes) when gnuplot is missing or
// fails; png is then not written.
int cli_plot_png(const char* png, int width, int height, const plot_panel* panels, int npanels,
                 char* err, int errsz);

#endif  // DEMOGYM_CLI_DAGGER_PLOT_H
