#!/usr/bin/env python3
"""test_layout.py: a dataset written by `demogym record` has robomimic's layout exactly, read
with Debian's h5py: group names, attribute names and types, shapes, dtypes, mask byte strings,
next_obs[t] == obs[t+1], actions in [-1, 1], total. Usage: test_layout.py PATH/TO/demogym"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

DG = sys.argv[1]


def run(*args):
    out = subprocess.run([DG, *args], capture_output=True, text=True)
    assert out.returncode == 0, (args, out.stderr)
    return out.stdout


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "reach.hdf5")
    rec = json.loads(run("record", "Reach-v0", "--episodes", "12", "--seed", "4", "--noise",
                         "0.2", "--out", path, "--json"))
    for key in ("out", "episodes", "samples", "success_rate", "seconds"):
        assert key in rec, key
    run("split", path, "--valid", "0.25", "--seed", "0")
    info = json.loads(run("info", "Reach-v0", "--json"))
    keys = [k["name"] for k in info["obs_keys"]]
    sizes = {k["name"]: k["size"] for k in info["obs_keys"]}

    with h5py.File(path, "r") as f:
        assert set(f.keys()) == {"data", "mask"}, list(f.keys())
        data = f["data"]
        # data attributes: total (integer), env_args (JSON string with robomimic's keys)
        assert data.attrs["total"].dtype.kind == "i"
        env_args = json.loads(data.attrs["env_args"])
        assert env_args["env_name"] == "Reach-v0"
        assert env_args["type"] == 2
        assert isinstance(env_args["env_kwargs"], dict)
        assert data.attrs["dg_format_version"] == 1
        assert json.loads(data.attrs["dg_obs_keys"]) == [
            {"name": k, "size": sizes[k]} for k in keys]
        assert isinstance(data.attrs["dg_version"], str)
        assert data.attrs["dg_env_version"] == info["version"]
        # demos: demo_0 .. demo_11, sorted by integer as robomimic does
        demos = sorted(data.keys(), key=lambda n: int(n[5:]))
        assert demos == ["demo_%d" % i for i in range(12)], demos
        total = 0
        for name in demos:
            g = data[name]
            n = int(g.attrs["num_samples"])
            assert g.attrs["num_samples"].dtype.kind == "i"
            total += n
            expected = {"obs", "next_obs", "actions", "rewards", "dones", "states", "dg_labels"}
            assert set(g.keys()) == expected, set(g.keys())
            for group in ("obs", "next_obs"):
                assert list(g[group].keys()) == sorted(keys)
                for k in keys:
                    d = g[group][k]
                    assert d.shape == (n, sizes[k]) and d.dtype == np.float64, (name, k, d)
                    assert d.chunks is not None and d.chunks[0] == n  # one chunk: the whole demo
            for k in keys:
                assert np.array_equal(g["next_obs"][k][:-1], g["obs"][k][1:]), (name, k)
            assert g["actions"].shape == (n, 4) and g["actions"].dtype == np.float64
            assert np.all(np.abs(g["actions"][:]) <= 1.0)
            assert g["dg_labels"].shape == (n, 4)
            assert not np.array_equal(g["dg_labels"][:], g["actions"][:])  # noisy run
            assert g["rewards"].shape == (n,) and g["rewards"].dtype == np.float64
            assert g["dones"].shape == (n,) and g["dones"].dtype == np.int64
            assert list(g["dones"][:]) == [0] * (n - 1) + [1]
            assert g["states"].shape == (n, info["state_dim"]) and g["states"].dtype == np.float64
            assert g.attrs["dg_source"] == "expert"
            assert g.attrs["dg_seed"].dtype == np.uint64
            for a in ("dg_episode", "dg_success", "dg_terminated", "dg_truncated"):
                assert g.attrs[a].dtype.kind == "i", a
            assert g.attrs["dg_terminated"] or g.attrs["dg_truncated"]
        assert total == data.attrs["total"] == rec["samples"]
        # masks: fixed-length byte strings naming demos
        mask = f["mask"]
        assert set(mask.keys()) == {"train", "valid"}
        train, valid = mask["train"][:], mask["valid"][:]
        assert train.dtype.kind == "S" and valid.dtype.kind == "S", (train.dtype, valid.dtype)
        names = [x.decode() for x in train] + [x.decode() for x in valid]
        assert sorted(names, key=lambda n: int(n[5:])) == demos and len(valid) == 3
        # robomimic's reading of a filter key
        assert [e.decode("utf-8") for e in np.array(mask["valid"][:])] == [x.decode() for x in valid]
    # a small demo dataset compresses its larger arrays (shuffle + deflate)
    with h5py.File(path, "r") as f:
        s = f["data/demo_0/states"]
        if s.size * 8 >= 4096:
            assert s.compression == "gzip" and s.shuffle
print("test_layout: ok")
