#!/usr/bin/env python3
"""The derived word-vector file must be byte-identical on every CPU: derive the same synthetic source under two
OPENBLAS_CORETYPE values (the variable that changed numpy/OpenBLAS results before) and with it unset, compare the
bytes, and check the file's layout and unit norms.
Usage: check_derive_deterministic.py PATH/derive_glove.py"""
import hashlib
import json
import os
import random
import struct
import subprocess
import sys
import tempfile


def derive(script, src, dest, coretype):
    env = dict(os.environ)
    env.pop('OPENBLAS_CORETYPE', None)
    if coretype:
        env['OPENBLAS_CORETYPE'] = coretype
    subprocess.run([sys.executable, script, src, dest, '1500'], env=env, check=True)
    with open(dest, 'rb') as f:
        return f.read()


def main():
    script = sys.argv[1]
    rng = random.Random(7)
    words = ['w' + ''.join(rng.choice('abcdefghij') for _ in range(6)) for _ in range(2000)]
    words = list(dict.fromkeys(words))
    words += ['Upper', '123', "it's", 'x-ray']  # filtered and kept forms
    data = {'dimensions': 100, 'words': words,
            'vectors': {w: [rng.gauss(0.0, 0.7) for _ in range(100)] for w in words}}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'vectors.json')
        with open(src, 'w') as f:
            json.dump(data, f)
        outputs = {ct: derive(script, src, os.path.join(tmp, 'out-%s.tsvec' % (ct or 'unset')), ct)
                   for ct in ('Haswell', 'Prescott', '')}
    hashes = {ct or 'unset': hashlib.sha256(b).hexdigest()[:16] for ct, b in outputs.items()}
    if len(set(outputs.values())) != 1:
        print('FAIL: the derived bytes depend on OPENBLAS_CORETYPE: %s' % hashes)
        return 1
    blob = outputs['']
    if blob[:8] != b'TSWVEC1\n':
        print('FAIL: bad magic')
        return 1
    count, dim = struct.unpack('<II', blob[8:16])
    pos = 16
    for _ in range(count):
        (n,) = struct.unpack('<H', blob[pos:pos + 2])
        pos += 2 + n
    pos += (4 - pos % 4) % 4
    floats = struct.unpack('<%df' % (count * dim), blob[pos:pos + 4 * count * dim])
    if pos + 4 * count * dim != len(blob) or count != 1500 or dim != 100:
        print('FAIL: layout (count %d, dim %d, size %d)' % (count, dim, len(blob)))
        return 1
    worst = max(abs(sum(x * x for x in floats[i * dim:(i + 1) * dim]) - 1.0) for i in range(count))
    if worst > 1e-5:
        print('FAIL: a vector is not unit length (|norm^2 - 1| = %g)' % worst)
        return 1
    print('ok: identical bytes under %s; %d unit vectors' % (', '.join(sorted(hashes)), count))
    return 0


if __name__ == '__main__':
    sys.exit(main())
