"""Real components from Debian's packages: installed for the test when absent
(as root, with apt-get), else the test is skipped with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

_updated = False


def ensure(binary: str, package: str) -> str:
    """The path of `binary`, installing `package` first if it is missing."""
    global _updated
    found = shutil.which(binary)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{binary} 不可用：需要以 root 身份用 apt-get 安装 {package}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        if not _updated:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True, timeout=600)
            _updated = True
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", package], env=env,
                       capture_output=True, check=True, timeout=1200)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"无法安装 {package}：{exc}")
    return shutil.which(binary) or pytest.skip(f"安装 {package} 后仍找不到 {binary}")


def ensure_chinese_fonts() -> None:
    """A font with Chinese glyphs, so rendered pages show (and text extracts as) Chinese."""
    fc = shutil.which("fc-list")
    if fc and subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True).stdout.strip():
        return
    ensure("fc-list", "fontconfig")
    global _updated
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        if not _updated:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True, timeout=600)
            _updated = True
        subprocess.run(["apt-get", "install", "-y", "-q", "fonts-noto-cjk"], env=env, capture_output=True,
                       check=True, timeout=1200)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"无法安装中文字体 fonts-noto-cjk：{exc}")
