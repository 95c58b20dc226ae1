// test_video.c: the video writer: MP4 and GIF files appear only when finished, the same frames
// give the same bytes, and bad input (size, format, folder, empty video) fails clearly without
// touching an existing file.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "demogym/demogym.h"

#define W      64
#define H      48
#define FRAMES 12

// a moving gradient with a bright square, different in every frame
static void make_frame(uint8_t* rgb, int k) {
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      uint8_t* p = rgb + (y * W + x) * 3;
      p[0] = (uint8_t)(x * 4 + k * 9);
      p[1] = (uint8_t)(y * 5);
      p[2] = (uint8_t)(128 + k * 5);
      if (x >= 4 + k * 3 && x < 14 + k * 3 && y >= 10 && y < 20) p[0] = p[1] = p[2] = 250;
    }
}

static long file_size(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int files_equal(const char* a, const char* b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int same = fa && fb;
  while (same) {
    int ca = fgetc(fa), cb = fgetc(fb);
    if (ca != cb) same = 0;
    if (ca == EOF || cb == EOF) break;
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

// write FRAMES frames to path; return the codec used
static const char* write_video(const char* path, const dg_video_options* o) {
  uint8_t rgb[W * H * 3];
  dg_video* v;
  int existed = access(path, F_OK) == 0;
  CHECK_OK(dg_video_open(path, W, H, o, &v));
  for (int k = 0; k < FRAMES; k++) {
    make_frame(rgb, k);
    CHECK_OK(dg_video_write(v, rgb));
    if (!existed) CHECK(access(path, F_OK) != 0);  // the file appears at finish only
  }
  CHECK(dg_video_frames(v) == FRAMES);
  static char codec[32];
  snprintf(codec, sizeof(codec), "%s", dg_video_codec(v));
  CHECK_OK(dg_video_finish(v));
  CHECK_OK(dg_video_finish(v));  // finishing twice is harmless
  CHECK(dg_video_write(v, rgb) == DG_ERR_STATE);
  dg_video_close(&v);
  CHECK(v == NULL);
  dg_video_close(&v);
  return codec;
}

int main(void) {
  dg_video_options o;
  dg_video_options_default(&o);
  CHECK(o.fps == 20.0 && o.crf == 20 && o.format == NULL);
  remove("tv_a.mp4"), remove("tv_b.mp4"), remove("tv_a.gif"), remove("tv_b.gif");

  // MP4 (H.264 where FFmpeg has libx264) and GIF, byte for byte repeatable
  const char* codec = write_video("tv_a.mp4", &o);
  CHECK_MSG(!strcmp(codec, "libx264") || !strcmp(codec, "mpeg4"), "codec %s", codec);
  write_video("tv_b.mp4", &o);
  CHECK(file_size("tv_a.mp4") > 500);
  CHECK_MSG(files_equal("tv_a.mp4", "tv_b.mp4"), "two encodings of the same frames differ");
  CHECK(!strcmp(write_video("tv_a.gif", &o), "gif"));
  write_video("tv_b.gif", &o);
  CHECK(files_equal("tv_a.gif", "tv_b.gif"));
  unsigned char magic[6] = {0};
  FILE* f = fopen("tv_a.gif", "rb");
  CHECK(f && fread(magic, 1, 6, f) == 6);
  fclose(f);
  CHECK(!memcmp(magic, "GIF89a", 6));
  // an explicit format overrides the extension
  dg_video_options og = o;
  og.format = "gif";
  CHECK(!strcmp(write_video("tv_c.bin", &og), "gif"));
  remove("tv_c.bin");

  // bad input: clear errors, no handle
  dg_video* v = (dg_video*)&o;
  CHECK(dg_video_open("x.mp4", 63, 48, &o, &v) == DG_ERR_INVALID && v == NULL);
  CHECK(strstr(dg_last_errmsg(), "even") != NULL);
  CHECK(dg_video_open("x.avi", W, H, &o, &v) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), ".mp4") != NULL);
  CHECK(dg_video_open("noextension", W, H, &o, &v) == DG_ERR_INVALID);
  CHECK(dg_video_open("x.mp4", 0, H, &o, &v) == DG_ERR_INVALID);
  dg_video_options bad = o;
  bad.fps = 0;
  CHECK(dg_video_open("x.mp4", W, H, &bad, &v) == DG_ERR_INVALID);
  bad = o;
  bad.crf = 60;
  CHECK(dg_video_open("x.mp4", W, H, &bad, &v) == DG_ERR_INVALID);
  CHECK(dg_video_open("/nonexistent-dir/x.mp4", W, H, &o, &v) == DG_ERR_IO && v == NULL);
  CHECK(access("x.mp4", F_OK) != 0);

  // an empty video cannot be finished, and leaves nothing behind
  CHECK_OK(dg_video_open("tv_empty.mp4", W, H, &o, &v));
  CHECK(dg_video_finish(v) == DG_ERR_STATE);
  dg_video_close(&v);
  CHECK(access("tv_empty.mp4", F_OK) != 0);

  // an abandoned video does not replace an existing file, and its temporary file is removed
  long before = file_size("tv_a.mp4");
  CHECK_OK(dg_video_open("tv_a.mp4", W, H, &o, &v));
  uint8_t rgb[W * H * 3];
  make_frame(rgb, 3);
  CHECK_OK(dg_video_write(v, rgb));
  dg_video_close(&v);
  CHECK(file_size("tv_a.mp4") == before && files_equal("tv_a.mp4", "tv_b.mp4"));
  FILE* ls = popen("ls -a | grep -c 'tmp-' || true", "r");
  char count[16] = "";
  CHECK(ls && fgets(count, sizeof(count), ls));
  pclose(ls);
  CHECK_MSG(atoi(count) == 0, "%d temporary files left", atoi(count));

  remove("tv_a.mp4"), remove("tv_b.mp4"), remove("tv_a.gif"), remove("tv_b.gif");
  printf("video (%s): ok\n", codec);
  return 0;
}
