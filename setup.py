"""Build in a temporary folder, not in the checkout.

pip builds a local project in place (since pip 21.3), and setuptools' default build folder is
``build/`` beside this file, so every ``pip install .`` left an untracked ``build/`` (and
``unvote.egg-info``) in the checkout. Every setting lives in pyproject.toml; this file only moves
setuptools' build and metadata folders to a temporary folder that is removed when the build ends.
"""

import atexit
import shutil
import tempfile

from setuptools import setup

scratch = tempfile.mkdtemp(prefix="unvote-build-")
atexit.register(shutil.rmtree, scratch, ignore_errors=True)
setup(options={"build": {"build_base": scratch}, "egg_info": {"egg_base": scratch}})
