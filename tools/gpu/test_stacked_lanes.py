# The stacked-lanes script's check on CPU (issue 32 item 2): 2 lanes stacked along a leading axis (vmap) give the
# losses of the lanes stepped one by one, within 1e-5 relative over 5 steps. Skips where torch.func is missing.
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch
    import torch.func  # noqa: F401  (PyTorch ≥ 2)

    import stacked_lanes as sl
except ImportError:  # Debian's python3-torch 1.13 has no torch.func
    sl = None


@unittest.skipIf(sl is None, "PyTorch ≥ 2 (torch.func) is not importable")
class StackedLanes(unittest.TestCase):
    def test_stacked_equals_per_lane(self):
        torch.manual_seed(0)
        data = [sl.make_batches(200 + i, 5, 8, "cpu") for i in range(2)]
        a, _ = sl.per_lane(2, data, 5, "cpu")
        b, _ = sl.stacked(2, data, 5, "cpu")
        for r1, r2 in zip(a, b):
            for x, y in zip(r1, r2):
                self.assertLessEqual(abs(x - y) / abs(x), 1e-5)
        self.assertNotEqual(a[0][0], a[0][1])  # the lanes differ: the comparison can fail
        self.assertLess(a[-1][0], a[0][0] + 1.0)  # and they train (finite, not exploding)


if __name__ == "__main__":
    unittest.main()
