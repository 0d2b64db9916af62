"""Shared by the PyTorch optimizer-step timers (optim_step.py, muon_step.py, shampoo_soap_step.py):
the median wall time of one `opt.step()` after warm-up steps (the parameters' .grad stay fixed)."""
import statistics
import time


def median_step_seconds(opt, steps, warmup=1):
    for _ in range(warmup):
        opt.step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
