"""Worker: SyncBatchNorm on shards equals BatchNorm on the whole batch (outputs, gradients,
running statistics), 1d and 2d, with and without affine, momentum None."""

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn

dist.init_process_group()
RANK, SIZE = dist.get_rank(), dist.get_world_size()
rng = np.random.default_rng(0)
for shape, cls in (((8, 3, 4, 4), nn.BatchNorm2d), ((8, 5), nn.BatchNorm1d),
                   ((8, 5, 3), nn.BatchNorm1d)):
    for affine, momentum in ((True, 0.1), (False, None)):
        x_all = (rng.standard_normal(shape) * 3 + 2).astype(np.float32)
        g_all = rng.standard_normal(shape).astype(np.float32)
        part = slice(RANK * 8 // SIZE, (RANK + 1) * 8 // SIZE)
        results = []
        for module, x, g in ((cls(shape[1], affine=affine, momentum=momentum), x_all, g_all),
                             (nn.SyncBatchNorm(shape[1], affine=affine, momentum=momentum),
                              x_all[part], g_all[part])):
            xt = ember.from_numpy(x.copy()).requires_grad_()
            for _ in range(2):
                y = module(xt)
            (y * ember.from_numpy(g)).sum().backward()
            grads = [p.grad.numpy().copy() for p in module.parameters()]
            results.append((y.detach().numpy(), xt.grad.numpy(), grads,
                            module.running_mean.numpy(), module.running_var.numpy()))
        (y_ref, gx_ref, gp_ref, rm_ref, rv_ref), (y, gx, gp, rm, rv) = results
        tol = dict(atol=2e-5, rtol=1e-5)
        np.testing.assert_allclose(y, y_ref[part], **tol)
        np.testing.assert_allclose(gx, gx_ref[part], **tol)
        np.testing.assert_allclose(rm, rm_ref, **tol)
        np.testing.assert_allclose(rv, rv_ref, **tol)
        for mine, ref in zip(gp, gp_ref):  # weight/bias gradients stay local; they sum to it
            total = ember.from_numpy(mine)
            dist.all_reduce(total)
            np.testing.assert_allclose(total.numpy(), ref, atol=1e-4, rtol=1e-5)
print(f"rank {RANK}: sync_batchnorm ok")
