"""Real components from Debian's packages: installed for the test when absent
(as root, with apt-get), else the test is skipped with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

_updated = False


def _apt_install(package: str, skip: str, recommends: bool = False) -> None:
    """apt-get install `package` (an update first, once a session); skips the test with `skip` and the
    reason where it fails."""
    global _updated
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        if not _updated:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True, timeout=600)
            _updated = True
        subprocess.run(["apt-get", "install", "-y", "-q", *([] if recommends else ["--no-install-recommends"]),
                        package], env=env, capture_output=True, check=True, timeout=1200)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"{skip}：{exc}")


def ensure(binary: str, package: str) -> str:
    """The path of `binary`, installing `package` first if it is missing."""
    found = shutil.which(binary)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{binary} 不可用：需要以 root 身份用 apt-get 安装 {package}")
    _apt_install(package, f"无法安装 {package}")
    return shutil.which(binary) or pytest.skip(f"安装 {package} 后仍找不到 {binary}")


def ensure_chinese_fonts() -> None:
    """A font with Chinese glyphs, so rendered pages show (and text extracts as) Chinese."""
    fc = shutil.which("fc-list")
    if fc and subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True).stdout.strip():
        return
    ensure("fc-list", "fontconfig")
    _apt_install("fonts-noto-cjk", "无法安装中文字体 fonts-noto-cjk", recommends=True)


def ensure_package(package: str) -> None:
    """Debian's `package` installed (a component with no binary of its own, as libreoffice-calc)."""
    if subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True,
                      text=True).stdout.endswith(" installed"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{package} 不可用：需要以 root 身份用 apt-get 安装")
    _apt_install(package, f"无法安装 {package}")


# The faces a Chinese office names, mapped to free ones of the same kind: serif (宋体, 仿宋) to
# Noto Serif CJK, 黑体 to Noto Sans CJK, 楷体 to AR PL UKai. Offices have the real ones.
OFFICE_FACES = {
    "Noto Serif CJK SC": ("方正小标宋简体", "宋体", "SimSun", "仿宋_GB2312", "仿宋", "FangSong"),
    "Noto Sans CJK SC": ("黑体", "SimHei"),
    "AR PL UKai CN": ("楷体_GB2312", "楷体", "KaiTi"),
}
FONT_PACKAGES = {"Noto Serif CJK SC": "fonts-noto-cjk", "Noto Sans CJK SC": "fonts-noto-cjk",
                 "AR PL UKai CN": "fonts-arphic-ukai"}


def office_fonts(folder) -> dict[str, str]:
    """An environment in which the faces a 公文 names resolve to free CJK faces of the same kind
    (installed from Debian's packages when absent), through a fontconfig file in `folder`."""
    fc = ensure("fc-list", "fontconfig")
    for family, package in FONT_PACKAGES.items():
        if not subprocess.run([fc, family], capture_output=True, text=True).stdout.strip():
            ensure_package(package)
    aliases = "".join(f"<alias binding=\"same\"><family>{name}</family><prefer><family>{family}</family></prefer>"
                      "</alias>" for family, names in OFFICE_FACES.items() for name in names)
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{aliases}</fontconfig>',
                    encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def to_pdf(document, folder) -> tuple:
    """`document` (docx, xlsx) printed to PDF by LibreOffice with the office faces mapped:
    (the PDF's path, its pages' text, one string a page, as pdftotext lays it out)."""
    soffice = ensure("soffice", "libreoffice-writer")
    ensure("pdftotext", "poppler-utils")
    if document.suffix == ".xlsx":
        ensure_package("libreoffice-calc")
    env = office_fonts(folder)
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(document)],
                   env=env, capture_output=True, check=True, timeout=300)
    pdf = folder / f"{document.stem}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return pdf, text.split("\f")[:-1]
