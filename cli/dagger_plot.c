// dagger_plot.c: line plots as PNG files: a gnuplot script with the data inline, run by gnuplot.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dagger_plot.h"

// a string in gnuplot's double quotes
static void put_quoted(FILE* f, const char* s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void write_script(FILE* f, const char* png, int width, int height,
                         const plot_panel* panels, int npanels) {
  fprintf(f, "set terminal pngcairo size %d,%d font \"DejaVu Sans,10\" noenhanced\n", width,
          height);
  fprintf(f, "set output ");
  put_quoted(f, png);
  fprintf(f, "\nset datafile missing \"nan\"\n");
  // the data, one block per line
  for (int p = 0; p < npanels; p++)
    for (int l = 0; l < panels[p].nlines; l++) {
      const plot_line* ln = &panels[p].lines[l];
      fprintf(f, "$d%d_%d << EOD\n", p, l);
      int any = 0;
      for (int i = 0; i < ln->n; i++)
        if (isfinite(ln->x[i]) && isfinite(ln->y[i])) {
          fprintf(f, "%.9g %.9g\n", ln->x[i], ln->y[i]);
          any = 1;
        }
      if (!any) fprintf(f, "nan nan\n");
      fprintf(f, "EOD\n");
    }
  fprintf(f, "set multiplot layout %d,1\n", npanels);
  fprintf(f, "set grid lc rgb \"#dddddd\"\nset key top left box opaque\n");
  for (int p = 0; p < npanels; p++) {
    const plot_panel* pn = &panels[p];
    fprintf(f, "set title ");
    put_quoted(f, pn->title);
    fprintf(f, "\nset xlabel ");
    put_quoted(f, pn->xlabel);
    fprintf(f, "\nset ylabel ");
    put_quoted(f, pn->ylabel);
    fputc('\n', f);
    if (pn->ymin < pn->ymax) {
      fprintf(f, "set yrange [%g:%g]\n", pn->ymin, pn->ymax);
    } else {
      fprintf(f, "set yrange [*:*]\n");
    }
    fprintf(f, "plot ");
    for (int l = 0; l < pn->nlines; l++) {
      const plot_line* ln = &pn->lines[l];
      fprintf(f, "%s$d%d_%d using 1:2 with %s lc rgb \"#%06x\" title ", l ? ", " : "", p, l,
              ln->style ? ln->style : "lines lw 2", ln->color & 0xffffff);
      put_quoted(f, ln->title);
    }
    fputc('\n', f);
  }
  fprintf(f, "unset multiplot\nset output\n");
}

int cli_plot_png(const char* png, int width, int height, const plot_panel* panels, int npanels,
                 char* err, int errsz) {
  char script[] = "/tmp/demogym-plot-XXXXXX";
  char log[] = "/tmp/demogym-plot-log-XXXXXX";
  int sfd = mkstemp(script);
  if (sfd < 0) {
    snprintf(err, errsz, "cannot make a temporary file for gnuplot: %s", strerror(errno));
    return -1;
  }
  int lfd = mkstemp(log);
  if (lfd < 0) {
    snprintf(err, errsz, "cannot make a temporary file for gnuplot: %s", strerror(errno));
    close(sfd);
    unlink(script);
    return -1;
  }
  FILE* f = fdopen(sfd, "w");
  if (!f) {
    close(sfd);
  } else {
    write_script(f, png, width, height, panels, npanels);
    fclose(f);
  }
  int rc = -1;
  pid_t pid = f ? fork() : -1;
  if (pid == 0) {
    dup2(lfd, 1);
    dup2(lfd, 2);
    execlp("gnuplot", "gnuplot", script, (char*)NULL);
    _exit(127);
  }
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 0) {
      rc = 0;
    } else if (WEXITSTATUS(status) == 127) {
      snprintf(err, errsz, "gnuplot is not installed (apt-get install gnuplot-nox), so %s was "
               "not drawn", png);
    } else {
      // gnuplot's first complaint
      char line[400] = "";
      FILE* lf = fopen(log, "r");
      if (lf) {
        while (fgets(line, sizeof(line), lf) && strspn(line, " \t\n^") == strlen(line)) {
        }
        fclose(lf);
      }
      line[strcspn(line, "\n")] = 0;
      snprintf(err, errsz, "gnuplot failed drawing %s: %s", png, line);
    }
  } else {
    snprintf(err, errsz, "cannot run gnuplot to draw %s", png);
  }
  close(lfd);
  unlink(script);
  unlink(log);
  return rc;
}
