"""Ramp, step, spike and soak shapes, to pick in the web UI next to any users.

    locust -f locustfiles/chat.py,locustfiles/shapes.py --class-picker \\
        --host http://127.0.0.1:8000 --load-shape step:start=4,step=4,every=20s,max=32

The class picker lists the four shapes; the chosen one takes its settings
from the `load_shape` field of the start form when that names its kind
(`KIND:key=value,...`), else from `[shape]` in harness.toml, else its
defaults. Headless: `harness run --load-shape ramp:users=64,over=2m`
(no need for this file: --load-shape alone chooses the shape).
"""

from harness.locust import RampShape, SoakShape, SpikeShape, StepShape

__all__ = ["RampShape", "SoakShape", "SpikeShape", "StepShape"]
