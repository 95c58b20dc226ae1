// video.c: the video writer: RGB frames to MP4 (H.264 through libx264, else MPEG-4 part 2) or
// GIF, through FFmpeg's libavformat, libavcodec and libswscale.
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "demogym/video.h"
#include "internal.h"

#define VIDEO_ERRMSG_SIZE 1024

struct dg_video {
  AVFormatContext* fmt;
  AVCodecContext* enc;
  AVStream* stream;
  AVFrame* frame;  // one frame in the encoder's pixel format
  AVPacket* packet;
  struct SwsContext* sws;
  int width, height;
  double fps;
  long frames;
  int finished;
  char path[PATH_MAX];  // where the finished file goes
  char tmp[PATH_MAX];   // where it is written until then
  char codec[32];
  char errmsg[VIDEO_ERRMSG_SIZE];
};

void dg_video_options_default(dg_video_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->fps = 20.0;
  opt->format = NULL;
  opt->crf = 20;
}

static int video_fail(dg_video* v, int code, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int video_fail(dg_video* v, int code, const char* fmt, ...) {
  char msg[VIDEO_ERRMSG_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return dg_fail_msg(v ? v->errmsg : NULL, v ? sizeof(v->errmsg) : 0, code, msg);
}

// FFmpeg's text for an error code
static const char* av_text(int averr, char* buf, size_t size) {
  av_strerror(averr, buf, size);
  return buf;
}

// FFmpeg logs through a process-wide callback; route it to demogym's logger (the library never
// prints), at one level lower than FFmpeg's own, since the encoders are chatty
static void on_av_log(void* avcl, int level, const char* fmt, va_list ap) {
  if (level > AV_LOG_WARNING) return;
  int ours = level <= AV_LOG_ERROR ? DG_LOG_WARN : DG_LOG_DEBUG;
  if (!dg_log_enabled(ours)) return;
  char line[1024];
  int prefix = 1;
  av_log_format_line2(avcl, level, fmt, ap, line, sizeof(line), &prefix);
  size_t n = strlen(line);
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
  if (n) dg_logf(ours, "ffmpeg: %s", line);
}

static pthread_once_t av_log_hook_once = PTHREAD_ONCE_INIT;
static void install_av_log_hook(void) {
  av_log_set_callback(on_av_log);
}

// the container for a file name or an explicit format; NULL if unsupported
static const char* container_for(const char* path, const char* format) {
  if (format) {
    if (!strcasecmp(format, "mp4")) return "mp4";
    if (!strcasecmp(format, "gif")) return "gif";
    return NULL;
  }
  const char* dot = strrchr(path, '.');
  const char* slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return NULL;
  if (!strcasecmp(dot, ".mp4") || !strcasecmp(dot, ".m4v") || !strcasecmp(dot, ".mov"))
    return "mp4";
  if (!strcasecmp(dot, ".gif")) return "gif";
  return NULL;
}

// choose and configure the encoder for the container
static int setup_encoder(dg_video* v, const char* container, const dg_video_options* opt) {
  const AVCodec* codec = NULL;
  char buf[128];
  int gif = !strcmp(container, "gif");
  if (gif) {
    codec = avcodec_find_encoder(AV_CODEC_ID_GIF);
  } else {
    codec = avcodec_find_encoder_by_name("libx264");
    if (!codec) {
      codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
      if (codec)
        dg_logf(DG_LOG_WARN,
                "this FFmpeg build has no libx264: writing %s as MPEG-4 part 2 instead of "
                "H.264 (install FFmpeg's libavcodec with libx264 for H.264)",
                v->path);
    }
  }
  if (!codec)
    return video_fail(v, DG_ERR_UNSUPPORTED,
                      "this FFmpeg build has no %s encoder (install libavcodec59 from Debian)",
                      gif ? "GIF" : "H.264 or MPEG-4");
  dg_strlcpy(v->codec, codec->name, sizeof(v->codec));
  v->enc = avcodec_alloc_context3(codec);
  if (!v->enc) return video_fail(v, DG_ERR_NOMEM, "out of memory for the encoder");
  AVCodecContext* c = v->enc;
  AVRational rate = av_d2q(v->fps, 100000);
  c->width = v->width;
  c->height = v->height;
  c->time_base = av_inv_q(rate);
  c->framerate = rate;
  c->thread_count = 1;  // deterministic bytes
  c->flags |= AV_CODEC_FLAG_BITEXACT;
  if (gif) {
    c->pix_fmt = AV_PIX_FMT_RGB8;
  } else {
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->gop_size = (int)ceil(v->fps * 5);  // a key frame every 5 s, for seeking
    c->max_b_frames = 2;
    // swscale converts with BT.601 coefficients in limited range: say so in the stream
    c->colorspace = AVCOL_SPC_SMPTE170M;
    c->color_primaries = AVCOL_PRI_SMPTE170M;
    c->color_trc = AVCOL_TRC_SMPTE170M;
    c->color_range = AVCOL_RANGE_MPEG;
    if (!strcmp(codec->name, "libx264")) {
      av_opt_set(c->priv_data, "preset", "fast", 0);
      av_opt_set_double(c->priv_data, "crf", opt->crf, 0);
    } else {
      c->flags |= AV_CODEC_FLAG_QSCALE;
      c->global_quality = FF_QP2LAMBDA * 3;
    }
  }
  if (v->fmt->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  int err = avcodec_open2(c, codec, NULL);
  if (err < 0)
    return video_fail(v, DG_ERR_UNSUPPORTED, "cannot open the %s encoder for %dx%d: %s",
                      codec->name, v->width, v->height, av_text(err, buf, sizeof(buf)));
  return DG_OK;
}

int dg_video_open(const char* path, int width, int height, const dg_video_options* options,
                  dg_video** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_video_open: out is NULL");
  *out = NULL;
  dg_video_options defaults;
  dg_video_options_default(&defaults);
  const dg_video_options* opt = options ? options : &defaults;
  if (!path || !*path) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_video_open: no path");
  if (strlen(path) + 32 >= PATH_MAX)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "video path is too long: %s", path);
  const char* container = container_for(path, opt->format);
  if (!container)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "cannot tell the video format of '%s': use a .mp4 or .gif file name (or "
                   "format \"mp4\" or \"gif\")",
                   opt->format ? opt->format : path);
  if (width < 2 || height < 2 || width > 16384 || height > 16384)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "video size %dx%d is outside 2..16384 pixels", width,
                   height);
  if (!strcmp(container, "mp4") && (width % 2 || height % 2))
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "MP4 video needs an even width and height (4:2:0 chroma), got %dx%d", width,
                   height);
  if (!(opt->fps > 0.0 && opt->fps <= 1000.0))
    return dg_fail(NULL, 0, DG_ERR_INVALID, "video frame rate %g is outside (0, 1000]", opt->fps);
  if (opt->crf < 0 || opt->crf > 51)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "H.264 crf %d is outside 0..51", opt->crf);
  pthread_once(&av_log_hook_once, install_av_log_hook);

  dg_video* v = calloc(1, sizeof(dg_video));
  if (!v) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for a video");
  v->width = width;
  v->height = height;
  v->fps = opt->fps;
  dg_strlcpy(v->path, path, sizeof(v->path));
  // a temporary name no other live video of any process uses
  snprintf(v->tmp, sizeof(v->tmp), "%s.tmp-%ld-%lx", path, (long)getpid(),
           (unsigned long)(uintptr_t)v);
  char buf[128];
  int rc = DG_OK, err;

  err = avformat_alloc_output_context2(&v->fmt, NULL, container, v->tmp);
  if (err < 0 || !v->fmt) {
    rc = video_fail(v, DG_ERR_UNSUPPORTED, "FFmpeg has no %s muxer: %s", container,
                    av_text(err, buf, sizeof(buf)));
    goto fail;
  }
  v->fmt->flags |= AVFMT_FLAG_BITEXACT;  // no library versions or times in the file
  if ((rc = setup_encoder(v, container, opt)) != DG_OK) goto fail;
  v->stream = avformat_new_stream(v->fmt, NULL);
  if (!v->stream) {
    rc = video_fail(v, DG_ERR_NOMEM, "out of memory for a video stream");
    goto fail;
  }
  v->stream->time_base = v->enc->time_base;
  v->stream->avg_frame_rate = v->enc->framerate;
  if ((err = avcodec_parameters_from_context(v->stream->codecpar, v->enc)) < 0) {
    rc = video_fail(v, DG_ERR_NOMEM, "cannot set the stream's parameters: %s",
                    av_text(err, buf, sizeof(buf)));
    goto fail;
  }
  if ((err = avio_open(&v->fmt->pb, v->tmp, AVIO_FLAG_WRITE)) < 0) {
    rc = video_fail(v, DG_ERR_IO, "cannot write %s: %s", v->tmp, av_text(err, buf, sizeof(buf)));
    goto fail;
  }
  AVDictionary* mux = NULL;
  if (!strcmp(container, "mp4")) av_dict_set(&mux, "movflags", "+faststart", 0);
  err = avformat_write_header(v->fmt, &mux);
  av_dict_free(&mux);
  if (err < 0) {
    rc = video_fail(v, DG_ERR_IO, "cannot write the header of %s: %s", v->tmp,
                    av_text(err, buf, sizeof(buf)));
    goto fail;
  }
  v->frame = av_frame_alloc();
  v->packet = av_packet_alloc();
  if (!v->frame || !v->packet) {
    rc = video_fail(v, DG_ERR_NOMEM, "out of memory for video frames");
    goto fail;
  }
  v->frame->format = v->enc->pix_fmt;
  v->frame->width = width;
  v->frame->height = height;
  if (av_frame_get_buffer(v->frame, 0) < 0) {
    rc = video_fail(v, DG_ERR_NOMEM, "out of memory for a video frame");
    goto fail;
  }
  // GIF's 256 colours: RGB 3-3-2 with ordered (Bayer) dithering, whose fixed pattern keeps
  // still regions identical from frame to frame (small files); video: plain conversion
  v->sws = sws_alloc_context();
  if (v->sws) {
    int gif_fmt = v->enc->pix_fmt == AV_PIX_FMT_RGB8;
    av_opt_set_int(v->sws, "srcw", width, 0);
    av_opt_set_int(v->sws, "srch", height, 0);
    av_opt_set_int(v->sws, "src_format", AV_PIX_FMT_RGB24, 0);
    av_opt_set_int(v->sws, "dstw", width, 0);
    av_opt_set_int(v->sws, "dsth", height, 0);
    av_opt_set_int(v->sws, "dst_format", v->enc->pix_fmt, 0);
    av_opt_set_int(v->sws, "sws_flags", gif_fmt ? SWS_POINT : SWS_BICUBIC, 0);
    if (gif_fmt) av_opt_set(v->sws, "sws_dither", "bayer", 0);
    if (sws_init_context(v->sws, NULL, NULL) < 0) {
      sws_freeContext(v->sws);
      v->sws = NULL;
    }
  }
  if (!v->sws) {
    rc = video_fail(v, DG_ERR_UNSUPPORTED, "swscale cannot convert RGB to %s",
                    av_get_pix_fmt_name(v->enc->pix_fmt));
    goto fail;
  }
  *out = v;
  return DG_OK;
fail:
  dg_fail_msg(NULL, 0, rc, v->errmsg);
  dg_video_close(&v);
  return rc;
}

// send frame (NULL: flush) to the encoder and write the packets that come out
static int encode(dg_video* v, AVFrame* frame) {
  char buf[128];
  int err = avcodec_send_frame(v->enc, frame);
  if (err < 0)
    return video_fail(v, DG_ERR_IO, "the %s encoder refused a frame: %s", v->codec,
                      av_text(err, buf, sizeof(buf)));
  for (;;) {
    err = avcodec_receive_packet(v->enc, v->packet);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return DG_OK;
    if (err < 0)
      return video_fail(v, DG_ERR_IO, "the %s encoder failed: %s", v->codec,
                        av_text(err, buf, sizeof(buf)));
    av_packet_rescale_ts(v->packet, v->enc->time_base, v->stream->time_base);
    v->packet->stream_index = v->stream->index;
    err = av_interleaved_write_frame(v->fmt, v->packet);  // takes the packet's reference
    if (err < 0)
      return video_fail(v, DG_ERR_IO, "cannot write to %s (disk full?): %s", v->tmp,
                        av_text(err, buf, sizeof(buf)));
  }
}

int dg_video_write(dg_video* v, const uint8_t* rgb) {
  if (!v || !rgb) return video_fail(v, DG_ERR_INVALID, "dg_video_write: NULL argument");
  if (v->finished) return video_fail(v, DG_ERR_STATE, "the video %s is finished", v->path);
  char buf[128];
  int err = av_frame_make_writable(v->frame);
  if (err < 0)
    return video_fail(v, DG_ERR_NOMEM, "cannot get a writable frame: %s",
                      av_text(err, buf, sizeof(buf)));
  const uint8_t* src[1] = {rgb};
  const int stride[1] = {v->width * 3};
  sws_scale(v->sws, src, stride, 0, v->height, v->frame->data, v->frame->linesize);
  v->frame->pts = v->frames;
  int rc = encode(v, v->frame);
  if (rc == DG_OK) v->frames++;
  return rc;
}

int dg_video_finish(dg_video* v) {
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_video_finish: NULL video");
  if (v->finished) return DG_OK;
  if (v->frames == 0)
    return video_fail(v, DG_ERR_STATE, "the video %s has no frames; write one first", v->path);
  char buf[128];
  int rc = encode(v, NULL);
  if (rc) return rc;
  int err = av_write_trailer(v->fmt);
  if (err < 0)
    return video_fail(v, DG_ERR_IO, "cannot finish %s (disk full?): %s", v->tmp,
                      av_text(err, buf, sizeof(buf)));
  err = avio_closep(&v->fmt->pb);
  if (err < 0)
    return video_fail(v, DG_ERR_IO, "cannot finish %s (disk full?): %s", v->tmp,
                      av_text(err, buf, sizeof(buf)));
  if (rename(v->tmp, v->path) != 0)
    return video_fail(v, DG_ERR_IO, "cannot move %s to %s", v->tmp, v->path);
  v->finished = 1;
  return DG_OK;
}

void dg_video_close(dg_video** handle) {
  if (!handle || !*handle) return;
  dg_video* v = *handle;
  *handle = NULL;
  if (v->fmt && v->fmt->pb) avio_closep(&v->fmt->pb);
  if (!v->finished && v->fmt) remove(v->tmp);
  avformat_free_context(v->fmt);
  avcodec_free_context(&v->enc);
  av_frame_free(&v->frame);
  av_packet_free(&v->packet);
  sws_freeContext(v->sws);
  free(v);
}

const char* dg_video_errmsg(const dg_video* v) {
  return v ? v->errmsg : "";
}
const char* dg_video_codec(const dg_video* v) {
  return v->codec;
}
long dg_video_frames(const dg_video* v) {
  return v->frames;
}
double dg_video_fps(const dg_video* v) {
  return v->fps;
}

void dg_video_size(const dg_video* v, int* width, int* height) {
  if (width) *width = v->width;
  if (height) *height = v->height;
}
