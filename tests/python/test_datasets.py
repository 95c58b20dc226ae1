"""demogym.datasets.load: robomimic's layout read with h5py into numpy arrays (demo order by
integer, filter keys, the env's observation key order, flat samples), bad files refused with
clear errors, and, when the recorder is built, a file written by `demogym record` replayed
through the Python env bit for bit."""

import json
import os
import subprocess
import tempfile
import unittest

from common import CLI, cli_has, cli_json, main, np, same_bits

import demogym
from demogym import datasets, errors

h5py = datasets._h5py()


def write_synthetic(path, env_name="Reach-v0", lengths=(3, 2, 4, 1)):
    """A small dataset in robomimic's layout, written directly with h5py; demos are named
    demo_0, demo_1, demo_2, demo_10 so that name order and integer order differ."""
    env = demogym.make(env_name)
    keys = env.obs_keys
    env.close()
    names = ["demo_0", "demo_1", "demo_2", "demo_10"][:len(lengths)]
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        data = f.create_group("data")
        data.attrs["total"] = sum(lengths)
        data.attrs["env_args"] = json.dumps({"env_name": env_name, "type": 2, "env_kwargs": {}})
        for name, n in zip(names, lengths):
            g = data.create_group(name)
            g.attrs["num_samples"] = n
            g.attrs["seed"] = np.uint64(int(name[5:]) + 100)
            g.attrs["success"] = np.uint8(n % 2)
            for key, _, size in reversed(keys):  # creation order differs from the env's
                g.create_dataset(f"obs/{key}", data=rng.normal(size=(n, size)))
                g.create_dataset(f"next_obs/{key}", data=rng.normal(size=(n, size)))
            g.create_dataset("actions", data=rng.uniform(-1, 1, (n, 4)))
            g.create_dataset("rewards", data=rng.normal(size=n))
            g.create_dataset("dones", data=np.arange(n) == n - 1)
            g.create_dataset("states", data=rng.normal(size=(n, 9)))
        f.create_dataset("mask/train", data=np.array([b"demo_0", b"demo_10"], dtype="S7"))
        f.create_dataset("mask/valid", data=np.array([b"demo_1", b"demo_2"], dtype="S7"))
    return names, keys


class TestSynthetic(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.path = os.path.join(self.dir.name, "synthetic.hdf5")
        self.names, self.keys = write_synthetic(self.path)

    def test_layout(self):
        ds = datasets.load(self.path)
        self.assertEqual(len(ds), 4)
        self.assertEqual([e.name for e in ds], ["demo_0", "demo_1", "demo_2", "demo_10"])
        self.assertEqual(ds.env_name, "Reach-v0")
        self.assertEqual(ds.env_args["type"], 2)
        self.assertEqual(ds.attrs["total"], 10)
        self.assertEqual(ds.total, 10)
        self.assertEqual(ds.filter_keys, {"train": ["demo_0", "demo_10"],
                                          "valid": ["demo_1", "demo_2"]})
        self.assertEqual(ds.obs_keys, [k[0] for k in self.keys])  # the env's order
        with h5py.File(self.path, "r") as f:
            for e in ds:
                g = f["data"][e.name]
                self.assertEqual(len(e), g.attrs["num_samples"])
                self.assertEqual(e.seed, int(g.attrs["seed"]))
                self.assertEqual(e.success, bool(g.attrs["success"]))
                self.assertTrue(same_bits(e.actions, g["actions"][()]))
                self.assertTrue(same_bits(e.states, g["states"][()]))
                self.assertTrue(same_bits(e.labels, e.actions))  # no labels stored
                for key in ds.obs_keys:
                    self.assertEqual(e.obs[key].dtype, np.float64)
                    self.assertTrue(same_bits(e.obs[key], g["obs"][key][()]))
                    self.assertTrue(same_bits(e.next_obs[key], g["next_obs"][key][()]))
                flat = e.obs_flat()
                col = 0
                for key, _, size in self.keys:
                    self.assertTrue(same_bits(flat[:, col:col + size], e.obs[key]))
                    col += size
        self.assertIs(ds["demo_10"], ds[3])
        with self.assertRaises(LookupError):
            ds["demo_7"]

    def test_filter_key_and_samples(self):
        ds = datasets.load(self.path, filter_key="train")
        self.assertEqual([e.name for e in ds], ["demo_0", "demo_10"])
        s = ds.samples()
        self.assertEqual(len(s), 4)
        self.assertEqual(s.obs.shape, (4, sum(k[2] for k in self.keys)))
        self.assertEqual(s.demo.tolist(), [0, 0, 0, 1])
        self.assertEqual(s.step.tolist(), [0, 1, 2, 0])
        self.assertEqual(s.demo_start.tolist(), [0, 3, 4])
        self.assertTrue(same_bits(s.obs[3], ds[1].obs_flat()[0]))
        self.assertTrue(same_bits(s.next_obs[:3], ds[0].obs_flat(next_obs=True)))
        with self.assertRaises(LookupError) as cm:
            datasets.load(self.path, filter_key="test")
        self.assertIn("train", str(cm.exception))

    def test_demogym_attributes(self):
        # the recorder's additions: dg_obs_keys fixes the flat order, dg_labels the labels,
        # dg_seed / dg_success / dg_source the episode's facts, dg_format_version is checked
        order = [k[0] for k in reversed(self.keys)]
        with h5py.File(self.path, "a") as f:
            f["data"].attrs["dg_format_version"] = 1
            f["data"].attrs["dg_obs_keys"] = json.dumps(
                [{"name": k, "size": s} for k, _, s in reversed(self.keys)])
            g = f["data/demo_2"]
            g.attrs["dg_seed"] = np.uint64((1 << 64) - 5)
            g.attrs["dg_success"] = 1
            g.attrs["dg_source"] = "dagger:2"
            labels = np.full(g["actions"].shape, 0.25)
            g.create_dataset("dg_labels", data=labels)
        ds = datasets.load(self.path)
        self.assertEqual(ds.obs_keys, order)
        e = ds["demo_2"]
        self.assertEqual((e.seed, e.success, e.source), ((1 << 64) - 5, True, "dagger:2"))
        self.assertTrue(same_bits(e.labels, labels))
        self.assertTrue(same_bits(e.obs_flat()[:, :self.keys[-1][2]], e.obs[order[0]]))
        self.assertTrue(same_bits(ds.samples().labels[ds.samples().demo == 2], labels))
        with h5py.File(self.path, "a") as f:
            f["data"].attrs["dg_format_version"] = 99
        with self.assertRaises(errors.FormatError) as cm:
            datasets.load(self.path)
        self.assertIn("99", str(cm.exception))

    def test_bad_files(self):
        missing = os.path.join(self.dir.name, "missing.hdf5")
        with self.assertRaises(FileNotFoundError):
            datasets.load(missing)
        text = os.path.join(self.dir.name, "text.hdf5")
        with open(text, "w") as f:
            f.write("not hdf5\n")
        with self.assertRaises(ValueError) as cm:
            datasets.load(text)
        self.assertIsInstance(cm.exception, errors.FormatError)
        truncated = os.path.join(self.dir.name, "truncated.hdf5")
        with open(self.path, "rb") as src, open(truncated, "wb") as dst:
            dst.write(src.read()[:600])
        with self.assertRaises(ValueError):
            datasets.load(truncated)
        empty = os.path.join(self.dir.name, "empty.hdf5")
        with h5py.File(empty, "w") as f:
            f.create_group("other")
        with self.assertRaises(errors.FormatError) as cm:
            datasets.load(empty)
        self.assertIn("'data'", str(cm.exception))
        with h5py.File(self.path, "a") as f:
            del f["data/demo_1/rewards"]
            f["data/demo_1/rewards"] = np.zeros(7)
        with self.assertRaises(errors.FormatError) as cm:
            datasets.load(self.path)
        self.assertIn("demo_1/rewards", str(cm.exception))


class TestRecorded(unittest.TestCase):

    def test_record_then_replay_in_python(self):
        if not cli_has("record"):
            self.skipTest("`demogym record` is not built yet (the recorder module)")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "reach.hdf5")
            subprocess.run([CLI, "record", "Reach-v0", "--episodes", "3", "--seed", "4",
                            "--out", path, "-q"], check=True, capture_output=True)
            ds = datasets.load(path)
            self.assertEqual(len(ds), 3)
            self.assertEqual(ds.env_name, "Reach-v0")
            env = demogym.make("Reach-v0")
            self.addCleanup(env.close)
            self.assertEqual(ds.obs_keys, [k[0] for k in env.obs_keys])
            if cli_has("inspect"):
                info = cli_json("inspect", path)
                self.assertEqual(info["demos"], len(ds))
                self.assertEqual(info["samples"], ds.total)
            for e in ds:
                obs, nxt = e.obs_flat(), e.obs_flat(next_obs=True)
                self.assertTrue(same_bits(obs[1:], nxt[:-1]))
                env.reset(seed=0)
                self.assertTrue(same_bits(env.set_state(e.states[0]), obs[0]))
                for t in range(len(e)):
                    o, r, term, trunc, _ = env.step(e.actions[t])
                    self.assertTrue(same_bits(o, nxt[t]), f"{e.name} step {t}")
                    self.assertEqual(r, e.rewards[t])
                self.assertTrue(term or trunc)
                if e.seed is not None:  # the recorded seed reproduces the episode's start
                    first, _ = env.reset(seed=e.seed)
                    self.assertTrue(same_bits(first, obs[0]))


if __name__ == "__main__":
    main()
