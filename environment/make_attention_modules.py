#!/usr/bin/env python3
"""Makes the two TorchScript attention cores under src/main/resources/org/get4j/runtime/ (issue 21).

Both take t, the QKV projection of a block (B, N, 3D) with the injection added, the number of heads h and the score
scale 1/sqrt(D/h) as 0-dim tensors, and return the heads' weighted sums merged back to (B, N, D):

  attention-core.pt   the reference's operations in the reference's order (split heads, q k^T, scale, softmax, p v,
                      merge heads): the same ATen calls as GetBlock's Java path; once the graph executor has
                      profiled it, its backward may round differently in the last bits.
  attention-sdpa.pt   torch.scaled_dot_product_attention on the same split, a fused kernel that does not write the
                      scores to memory. Debian's torch (1.13) has no such function, so the module is scripted with the
                      core's body and its source is rewritten to call it; the libtorch that loads it (2.7.1 under DJL)
                      compiles that source. Its numbers agree with the core's to float32 rounding, not bit for bit.

Run with Debian's python3-torch: /usr/bin/python3 environment/make_attention_modules.py
"""
import io
import os
import zipfile

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'main', 'resources', 'org', 'get4j', 'runtime')


class AttentionCore(torch.nn.Module):
    def forward(self, t: torch.Tensor, heads: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        b, n, three_d = t.shape
        d = three_d // 3
        h = int(heads)  # a 0-dim tensor: DJL passes a module's inputs as tensors
        s = t.reshape(b, n, 3, h, d // h).permute(2, 0, 3, 1, 4)
        q, k, v = s[0], s[1], s[2]
        w = torch.softmax(torch.matmul(q, k.permute(0, 1, 3, 2)) * scale, -1)
        return torch.matmul(w, v).permute(0, 2, 1, 3).reshape(b, n, d)


def deterministic_zip(path, entries):
    """Writes a stored zip with fixed timestamps, so that the same module gives the same bytes."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)


def main():
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(AttentionCore()), buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    core, sdpa = [], []
    for info in source.infolist():
        name = info.filename.split('/', 1)[1]  # entries live under a folder named after the archive
        data = source.read(info.filename)
        if name.endswith('.debug_pkl'):
            continue  # source ranges for error messages only; they would not match the rewritten source
        core.append(('attention-core/' + name, data))
        if name.endswith('.py') and b'def forward' in data:
            lines = data.decode().split('\n')
            first = next(i for i, l in enumerate(lines) if 'torch.matmul(' in l)  # q k^T: the core's body begins
            last = next(i for i, l in enumerate(lines) if l.strip().startswith('return'))
            indent = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
            lines[first:last + 1] = [indent + 'o = torch.scaled_dot_product_attention(q, k, v)',
                                     indent + 'return torch.reshape(torch.permute(o, [0, 2, 1, 3]), [b, n, d])']
            text = '\n'.join(lines)
            data = text.encode()
            print(text)
        sdpa.append(('attention-sdpa/' + name, data))
    deterministic_zip(os.path.join(OUT, 'attention-core.pt'), core)
    deterministic_zip(os.path.join(OUT, 'attention-sdpa.pt'), sdpa)


if __name__ == '__main__':
    main()
