#!/bin/sh
# test_render_cli.sh: `demogym render` writes a video that FFmpeg reads with the promised frame
# count, size and rate; its frames are not blank, its tiles differ, and two runs with the same
# seed decode to identical frames. Usage: test_render_cli.sh PATH/TO/demogym [ENV [POLICY2]]
set -u
DG="$1"
ENV="${2:-Reach-v0}"
P2="${3:-expert+noise=0.6,eps=0.3}"
fail() { echo "test_render_cli: FAIL: $*" >&2; exit 1; }
command -v ffprobe >/dev/null || fail "ffprobe is missing (apt-get install ffmpeg)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
W=160
H=120

run() {  # run OUT: render the two policies side by side into OUT, JSON into OUT.json
  "$DG" render "$ENV" --policy expert --policy "$P2" --seed 3 --episodes 2 --width $W \
    --height $H --out "$1" --json >"$1.json" 2>"$tmp/err" || fail "render: $(cat "$tmp/err")"
}
run "$tmp/a.mp4"
run "$tmp/b.mp4"

python3 - "$tmp/a.mp4" "$tmp/a.mp4.json" $W $H <<'PY' || exit 1
import json, subprocess, sys
path, meta, W, H = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3]), int(sys.argv[4])
for k in ("out", "frames", "width", "height"):
    assert k in meta, "JSON lacks %s" % k
# frames: each episode lasts as long as its longest rollout, plus its first state
lengths = [[e["length"] for e in p["episodes"]] for p in meta["policies"]]
expected = sum(max(l[e] for l in lengths) + 1 for e in range(len(lengths[0])))
assert meta["frames"] == expected, (meta["frames"], expected)
assert (meta["width"], meta["height"]) == (2 * W, H), (meta["width"], meta["height"])
probe = json.loads(subprocess.check_output(
    ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
     "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "json", path]))
s = probe["streams"][0]
assert int(s["nb_read_frames"]) == meta["frames"], (s, meta["frames"])
assert (s["width"], s["height"]) == (2 * W, H), s
assert s["r_frame_rate"] == "20/1", s
assert s["codec_name"] in ("h264", "mpeg4"), s
# decode every frame to RGB
raw = subprocess.check_output(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo",
                               "-pix_fmt", "rgb24", "-"])
fw, size = 2 * W, 2 * W * H * 3
assert len(raw) == size * meta["frames"], len(raw)
def tile(k, i, y0, y1):  # rows y0..y1 of tile i in frame k, as bytes
    f = raw[k * size:(k + 1) * size]
    return b"".join(f[(y * fw + i * W) * 3:(y * fw + (i + 1) * W) * 3] for y in range(y0, y1))
def spread(b):  # how far the pixels stray from their mean (0 for a blank frame)
    m = sum(b) / len(b)
    return sum(abs(x - m) for x in b[::7]) / len(b[::7])
n0 = lengths[0][0] + 1 if lengths[0][0] >= lengths[1][0] else lengths[1][0] + 1
for k in range(meta["frames"]):
    for i in (0, 1):
        assert spread(tile(k, i, 0, H)) > 20, "frame %d tile %d looks blank" % (k, i)
# the tiles differ where the policies' arms differ (between the labels) somewhere in episode 1
diff = max(sum(abs(a - b) for a, b in zip(tile(k, 0, H // 3, H // 2), tile(k, 1, H // 3, H // 2)))
           for k in range(n0))
assert diff > 1000, "the two tiles look the same (difference %d)" % diff
PY
[ $? -eq 0 ] || fail "video checks"

# the same seed gives the same frames (and here the same bytes)
ha=$(ffmpeg -v error -i "$tmp/a.mp4" -f framemd5 - | grep -v '^#')
hb=$(ffmpeg -v error -i "$tmp/b.mp4" -f framemd5 - | grep -v '^#')
[ -n "$ha" ] && [ "$ha" = "$hb" ] || fail "two runs with the same seed decode to different frames"
cmp -s "$tmp/a.mp4" "$tmp/b.mp4" || fail "two runs with the same seed wrote different bytes"

# a GIF too
"$DG" render "$ENV" --policy expert --seed 1 --width 96 --height 96 --out "$tmp/c.gif" --json \
  >"$tmp/c.json" || fail "gif"
n=$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$tmp/c.gif")
python3 -c "import json,sys; assert json.load(open('$tmp/c.json'))['frames'] == $n" \
  || fail "gif frame count"

# a recorded dataset replayed into a video: one frame per replayed state
"$DG" record "$ENV" --episodes 2 --seed 4 --out "$tmp/d.hdf5" >/dev/null 2>"$tmp/err" \
  || fail "record: $(cat "$tmp/err")"
"$DG" replay "$tmp/d.hdf5" --video "$tmp/r.mp4" --width 96 --height 96 --json >"$tmp/r.json" \
  2>"$tmp/err" || fail "replay --video: $(cat "$tmp/err")"
n=$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$tmp/r.mp4")
python3 -c "
import json; r = json.load(open('$tmp/r.json'))
assert r['max_state_error'] == 0, r
assert r['frames'] == r['steps'] + r['demos'] == $n, (r, $n)" || fail "replay video frames"

# bad input: exit 2, one line, and an existing file stays as it was
cp "$tmp/a.mp4" "$tmp/keep.mp4"
"$DG" render "$ENV" --policy nosuch --out "$tmp/keep.mp4" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown policy: exit $rc"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "unknown policy: not one line: $(cat "$tmp/err")"
cmp -s "$tmp/a.mp4" "$tmp/keep.mp4" || fail "a failed render changed an existing file"
"$DG" render "$ENV" --policy expert --width 161 --out "$tmp/odd.mp4" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q even "$tmp/err" || fail "odd width: exit $rc $(cat "$tmp/err")"
"$DG" render "$ENV" --policy expert --out "$tmp/x.avi" 2>/dev/null; [ $? -eq 2 ] || fail ".avi"
"$DG" render "$ENV" --out "$tmp/x.mp4" 2>/dev/null; [ $? -eq 2 ] || fail "no policy"
"$DG" render "$ENV" --policy expert --camera nosuch --out "$tmp/x.mp4" 2>/dev/null
[ $? -eq 2 ] || fail "unknown camera"
ls "$tmp" | grep -q tmp- && fail "temporary files left: $(ls "$tmp")"
echo "test_render_cli: ok"
